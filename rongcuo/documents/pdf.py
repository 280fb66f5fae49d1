"""PDF renditions through LibreOffice (`soffice --headless --convert-to pdf`), off the request path.

- `schedule(id)` runs after the issuing transaction commits: in a worker thread of this process (one
  conversion at a time, with its own LibreOffice profile), or not at all with RONGCUO_DOCUMENTS_PDF=off,
  or at once with =sync. `render_now(id)` is the job itself (the CLI and tests call it directly).
- Status on the document: pending → done (pages counted with pypdf) / failed (with the reason) /
  unavailable (no LibreOffice on this machine; the DOCX is always there).
- Fonts: the DOCX names 仿宋_GB2312, 方正小标宋简体, 黑体, 楷体_GB2312, 宋体; templates/documents/fonts.conf
  (FONTCONFIG_FILE for the conversion) maps them to installed free fonts (Noto CJK SC, AR PL UKai, Fandol).
- A conversion that runs over the timeout is killed with its whole process group (it was started in a
  session of its own) and marked failed.
"""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import tempfile
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections, connections

from . import storage
from .models import Document, PdfStatus

TIMEOUT_SECONDS = 180
FONTS_CONF = Path(__file__).resolve().parent / "templates" / "documents" / "fonts.conf"
_lock = threading.Lock()  # one conversion at a time per process (one profile)
_executor_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None


class ConversionFailed(Exception):
    pass


def soffice() -> str | None:
    return os.environ.get("RONGCUO_SOFFICE") or shutil.which("soffice") or shutil.which("libreoffice")


def _profile() -> Path:
    """A LibreOffice user profile of this process (two instances must never share one)."""
    return Path(tempfile.gettempdir()) / f"rongcuo-lo-{os.getuid()}-{os.getpid()}"


def convert(docx: bytes, *, timeout: float = TIMEOUT_SECONDS) -> bytes:
    exe = soffice()
    if exe is None:
        raise ConversionFailed("本机未安装 LibreOffice（soffice）")
    with _lock, tempfile.TemporaryDirectory(prefix="rongcuo-pdf-") as tmp:
        src = Path(tmp) / "document.docx"
        src.write_bytes(docx)
        env = {**os.environ, "FONTCONFIG_FILE": str(FONTS_CONF), "HOME": tmp, "SAL_USE_VCLPLUGIN": "svp"}
        cmd = [
            exe,
            f"-env:UserInstallation={_profile().as_uri()}",
            "--headless",
            "--invisible",
            "--norestore",
            "--nologo",
            "--nolockcheck",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            tmp,
            str(src),
        ]
        proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=tmp, start_new_session=True
        )
        try:
            _out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise ConversionFailed(f"转换超时（{timeout:.0f} 秒）") from None
        pdf = Path(tmp) / "document.pdf"
        if proc.returncode != 0 or not pdf.exists():
            detail = err.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"退出码 {proc.returncode}"]
            raise ConversionFailed(f"LibreOffice 未能生成 PDF：{detail[0][:200]}")
        return pdf.read_bytes()


def page_count(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def render_now(document_id: int) -> Document:
    doc = Document.objects.get(pk=document_id)
    if soffice() is None:
        Document.objects.filter(pk=doc.pk).update(pdf_status=PdfStatus.UNAVAILABLE, pdf_error="")
        doc.refresh_from_db()
        return doc
    try:
        pdf = convert(storage.read(doc.storage_name))
        pages = page_count(pdf)
    except (ConversionFailed, OSError, ValueError) as exc:
        Document.objects.filter(pk=doc.pk).update(pdf_status=PdfStatus.FAILED, pdf_error=str(exc)[:300])
    else:
        name = storage.store(pdf)
        old = doc.pdf_storage_name
        Document.objects.filter(pk=doc.pk).update(
            pdf_status=PdfStatus.DONE, pdf_storage_name=name, pdf_pages=pages, pdf_error=""
        )
        if old:
            storage.discard(old)
    doc.refresh_from_db()
    return doc


def _job(document_id: int) -> None:
    close_old_connections()
    try:
        render_now(document_id)
    finally:
        connections.close_all()  # this worker thread's own connections: never left open between jobs


def mode() -> str:
    return str(getattr(settings, "RONGCUO_DOCUMENTS_PDF", None) or os.environ.get("RONGCUO_DOCUMENTS_PDF", "async"))


def _pool() -> ThreadPoolExecutor:
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rongcuo-pdf")
        return _executor


def schedule(document_id: int) -> Future[None] | None:
    """Convert after the caller's transaction commits (call through transaction.on_commit)."""
    m = mode()
    if m == "off":
        return None
    if m == "sync":
        render_now(document_id)
        return None
    return _pool().submit(_job, document_id)
