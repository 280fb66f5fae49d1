"""PDF renditions through LibreOffice (`soffice --headless --convert-to pdf`), off the request path.

- `schedule(id)` runs after the issuing transaction commits: in a worker thread of this process (one
  conversion at a time, with its own LibreOffice profile), or not at all with RONGCUO_DOCUMENTS_PDF=off,
  or at once with =sync. `render_now(id)` is the job itself (the CLI and tests call it directly).
- Status on the document: pending → done (pages counted with pypdf) / failed (with the reason) /
  unavailable (no LibreOffice on this machine; the DOCX is always there).
- Fonts: the DOCX names 仿宋_GB2312, 方正小标宋简体, 黑体, 楷体_GB2312, 宋体; the conversion's fontconfig
  file includes templates/documents/fonts/65-rongcuo-gongwen.conf, which maps them to FandolFang, Noto
  Serif CJK SC Bold, FandolHei, FandolKai and FandolSong (docs/documents.md).
- LibreOffice is given a copy with w:overflowPunct flipped (`for_libreoffice`): its DOCX import reads that
  switch inverted, and would hang punctuation into the right margin.
- `convert_many` converts several documents in one LibreOffice run.
- A conversion that runs over the timeout is killed with its whole process group (it was started in a
  session of its own) and marked failed.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import zipfile
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections, connections

from . import storage
from .models import Document, PdfStatus

TIMEOUT_SECONDS = 180
FONTS_DIR = Path(__file__).resolve().parent / "templates" / "documents"
FONT_ALIASES = FONTS_DIR / "fonts" / "65-rongcuo-gongwen.conf"
_lock = threading.Lock()  # one conversion at a time per process (one profile)
_executor_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None


class ConversionFailed(Exception):
    pass


def soffice() -> str | None:
    return os.environ.get("RONGCUO_SOFFICE") or shutil.which("soffice") or shutil.which("libreoffice")


def fonts_conf(folder: Path) -> Path:
    """The fontconfig file of a conversion: the system's configuration, then the project's aliases of the
    official font names (also installed system-wide by scripts/setup; reading them twice is harmless)."""
    path = folder / "fonts.conf"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n<fontconfig>\n'
        '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
        f"  <include>{FONT_ALIASES}</include>\n"
        f"  <cachedir>{Path(tempfile.gettempdir()) / f'rongcuo-fontconfig-{os.getuid()}'}</cachedir>\n"
        "</fontconfig>\n",
        encoding="utf-8",
    )
    return path


def _profile() -> Path:
    """A LibreOffice user profile of this process (two instances must never share one)."""
    return Path(tempfile.gettempdir()) / f"rongcuo-lo-{os.getuid()}-{os.getpid()}"


_OVERFLOW_PUNCT = re.compile(rb'<w:overflowPunct(?: w:val="[^"]*")?\s*/>')
_PPR_DEFAULT = re.compile(rb"<w:pPrDefault>\s*<w:pPr>|<w:pPrDefault\s*/>|<w:pPrDefault>(?!\s*<w:pPr>)")


def for_libreoffice(docx: bytes) -> bytes:
    """The DOCX as LibreOffice must be given it to lay it out as Word does under GB/T 9704.

    LibreOffice's DOCX import (writerfilter DomainMapper.cxx, 7.x) reads w:overflowPunct inverted:
    ParaIsHangingPunctuation = (val == 0). Our documents say val="0" (no hanging punctuation, as Word
    reads it), so LibreOffice hung closing marks 5.5 mm into the right margin. The copy converted says
    val="1" everywhere, and the document defaults say it too (templates that never mention it): in
    LibreOffice, no hanging punctuation; the stored DOCX is left as it is. (It also ignores
    w:autoSpaceDE/DN; layout.signature places the date so that this does not matter.)"""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename in ("word/document.xml", "word/styles.xml") or info.filename.startswith(
                ("word/header", "word/footer")
            ):
                data = _OVERFLOW_PUNCT.sub(b'<w:overflowPunct w:val="1"/>', data)
            if info.filename == "word/styles.xml":
                data = _PPR_DEFAULT.sub(_default_ppr, data, count=1)
            dst.writestr(info, data)
    return out.getvalue()


def _default_ppr(m: re.Match[bytes]) -> bytes:
    text = m.group(0)
    mark = b'<w:overflowPunct w:val="1"/>'
    if text.endswith(b"/>"):
        return b"<w:pPrDefault><w:pPr>" + mark + b"</w:pPr></w:pPrDefault>"
    if text.endswith(b"<w:pPr>"):
        return text + mark
    return text + b"<w:pPr>" + mark + b"</w:pPr>"


def convert(docx: bytes, *, timeout: float = TIMEOUT_SECONDS) -> bytes:
    return convert_many([docx], timeout=timeout)[0]


def convert_many(docxs: list[bytes], *, timeout: float = TIMEOUT_SECONDS) -> list[bytes]:
    """Several documents in one LibreOffice run (its start-up is most of the cost of a small document)."""
    exe = soffice()
    if exe is None:
        raise ConversionFailed("本机未安装 LibreOffice（soffice）")
    with _lock, tempfile.TemporaryDirectory(prefix="rongcuo-pdf-") as tmp:
        sources = []
        for i, docx in enumerate(docxs):
            src = Path(tmp) / f"document-{i}.docx"
            src.write_bytes(for_libreoffice(docx))
            sources.append(src)
        env = {**os.environ, "FONTCONFIG_FILE": str(fonts_conf(Path(tmp))), "HOME": tmp, "SAL_USE_VCLPLUGIN": "svp"}
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
            *(str(s) for s in sources),
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
        pdfs = [src.with_suffix(".pdf") for src in sources]
        if proc.returncode != 0 or not all(p.exists() for p in pdfs):
            detail = err.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"退出码 {proc.returncode}"]
            raise ConversionFailed(f"LibreOffice 未能生成 PDF：{detail[0][:200]}")
        return [p.read_bytes() for p in pdfs]


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
