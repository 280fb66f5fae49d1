"""Excel import and export pages: upload → validation report → confirm, and the export downloads.

The upload is checked at once (a dry run); when it passes, the file waits in a private folder (named by a
random token kept in the session, checked against its SHA-256) until the user confirms, and the import runs
again from scratch inside its transaction, so a change in between is caught. Nothing is written before the
confirmation; a workbook with any problem is never imported.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
import tempfile
import time
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rongcuo.cases import access
from rongcuo.cases.models import Outcome, StartType
from rongcuo.core.errors import ActionError
from rongcuo.exchange import actions
from rongcuo.exchange.exports import StatsFilters
from rongcuo.exchange.template import write_template
from rongcuo.exchange.workbook import max_bytes
from rongcuo.org.models import Jurisdiction
from rongcuo.outcomes.actions import STANDING_ROLES
from rongcuo.stats.queries import stage_labels

from .auth import client_ip

SESSION_KEY = "exchange_pending"
PENDING_SECONDS = 3600
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _pending_dir() -> Path:
    folder = Path(settings.DATA_DIR) / "exchange-pending"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def _sweep(folder: Path) -> None:
    """Uploads never confirmed are removed after an hour."""
    cutoff = time.time() - PENDING_SECONDS
    for f in folder.iterdir():
        if f.is_file() and f.stat().st_mtime < cutoff:
            f.unlink(missing_ok=True)


def _abilities(user: Any) -> dict[str, bool]:
    roles = access.role_names(user)
    return {
        "can_import": bool(access.jurisdictions_for(user, set(actions.IMPORT_ROLES))),
        "can_export_cases": any(g.kind != "none" and g.cases for g in access.grants(user)),
        "can_export_stats": bool(roles & actions.STATS_ROLES),
        "can_export_standing": bool(access.jurisdictions_for(user, set(STANDING_ROLES))),
    }


def _context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    user = request.user
    ab = _abilities(user)
    if not any(ab.values()):
        raise Http404("您没有导入或导出的权限")
    codes: set[str] = set()
    for g in access.grants(user):
        codes |= g.jurisdiction_codes
    return {
        **ab,
        "jurisdictions": Jurisdiction.objects.filter(code__in=codes).order_by("path"),
        "stages": list(stage_labels().items()),
        "start_types": StartType.choices,
        "outcomes": [(k, v) for k, v in Outcome.choices if k != "undetermined"],
        "max_mb": max_bytes() // (1024 * 1024),
        "today": dt.date.today().isoformat(),
        **extra,
    }


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "web/exchange/index.html", _context(request))


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    """Check an uploaded workbook (nothing is written) and show the report; offer to confirm when it passes."""
    if request.method == "GET":
        return redirect("web:exchange")
    ctx = _context(request)
    f = request.FILES.get("file")
    if f is None:
        return render(request, "web/exchange/index.html", {**ctx, "error": "请选择要导入的 .xlsx 文件"}, status=400)
    if f.size and f.size > max_bytes():
        error = f"文件超过 {ctx['max_mb']} MB 上限，请分批导入"
        return render(request, "web/exchange/index.html", {**ctx, "error": error}, status=400)
    content = f.read()
    try:
        report = actions.import_workbook(request.user, content, f.name or "", dry_run=True, ip=client_ip(request))
    except ActionError as exc:
        return render(request, "web/exchange/index.html", {**ctx, "error": exc.message}, status=400)
    token = ""
    if report.ok:
        folder = _pending_dir()
        _sweep(folder)
        token = secrets.token_hex(16)
        fd = os.open(folder / token, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
        request.session[SESSION_KEY] = {"token": token, "sha256": report.sha256, "filename": report.filename}
    return render(request, "web/exchange/report.html", {**ctx, "report": report, "token": token})


@login_required
@require_POST
def confirm(request: HttpRequest) -> HttpResponse:
    """Import the checked upload (checked again inside the import's transaction)."""
    ctx = _context(request)
    pending = request.session.get(SESSION_KEY) or {}
    token = request.POST.get("token", "")
    if not token or not secrets.compare_digest(token, str(pending.get("token", ""))):
        messages.error(request, "待导入的文件已失效，请重新上传")
        return redirect("web:exchange")
    path = _pending_dir() / token
    del request.session[SESSION_KEY]
    try:
        content = path.read_bytes()
    except FileNotFoundError:
        messages.error(request, "待导入的文件已失效（超过一小时未确认），请重新上传")
        return redirect("web:exchange")
    finally:
        path.unlink(missing_ok=True)
    if hashlib.sha256(content).hexdigest() != pending.get("sha256"):
        messages.error(request, "待导入的文件校验值不符，请重新上传")
        return redirect("web:exchange")
    try:
        report = actions.import_workbook(request.user, content, pending.get("filename", ""), ip=client_ip(request))
    except actions.ImportRejected as exc:
        return render(request, "web/exchange/report.html", {**ctx, "report": exc.report}, status=400)
    except ActionError as exc:
        messages.error(request, exc.message)
        return redirect("web:exchange")
    return render(request, "web/exchange/report.html", {**ctx, "report": report})


# --- downloads -------------------------------------------------------------------------------------------


def _download(request: HttpRequest, kind: str, produce: Any) -> HttpResponse:
    fh: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    try:
        produce(fh)
    except ActionError as exc:
        fh.close()
        messages.error(request, exc.message)
        return redirect("web:exchange")
    except BaseException:
        fh.close()
        raise
    fh.seek(0)
    return FileResponse(fh, as_attachment=True, filename=actions.export_filename(kind), content_type=XLSX)


@login_required
@require_GET
def export_cases(request: HttpRequest) -> HttpResponse:
    """The case list as filtered on the case-list page (same query parameters)."""
    filters = {k: request.GET.get(k, "") for k in ("stage", "start_type", "jurisdiction", "outcome", "overdue",
                                                    "domain", "status", "q")}  # fmt: skip
    ip = client_ip(request)
    return _download(request, "cases", lambda out: actions.export_cases(request.user, filters, out, ip=ip))


def _day(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@login_required
@require_GET
def export_stats(request: HttpRequest) -> HttpResponse:
    g = request.GET
    period = g.get("period") or "month"
    f = StatsFilters(g.get("jurisdiction", ""), _day(g.get("since", "")), _day(g.get("until", "")), period)
    ip = client_ip(request)
    return _download(request, "stats", lambda out: actions.export_stats(request.user, f, out, ip=ip))


@login_required
@require_GET
def export_standing(request: HttpRequest) -> HttpResponse:
    j, on, ip = request.GET.get("jurisdiction", ""), _day(request.GET.get("on", "")), client_ip(request)
    return _download(
        request, "standing", lambda out: actions.export_standing(request.user, out, jurisdiction=j, on=on, ip=ip)
    )


@login_required
@require_GET
def template(request: HttpRequest) -> HttpResponse:
    if not _abilities(request.user)["can_import"]:
        raise Http404("您没有导入的权限")
    fh: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    write_template(fh)
    fh.seek(0)
    return FileResponse(fh, as_attachment=True, filename="导入模板.xlsx", content_type=XLSX)
