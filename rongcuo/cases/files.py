"""Attachment storage: size and type limits, content sniffing, stored outside any served folder.

The content decides the type, not the name, and the structure is checked, not only the first bytes:
- .docx / .xlsx: a ZIP holding [Content_Types].xml and word/document.xml (xl/workbook.xml), no macros
  (vbaProject.bin), no executables (by name or by their first bytes), no entry naming a path outside the
  archive, at most OOXML_MAX_ENTRIES entries and OOXML_MAX_UNPACKED bytes unpacked;
- .pdf: parsed by pypdf with at least one page, in a child process given PDF_PARSE_SECONDS (a crafted
  PDF must not hold a worker), the upload itself limited to RONGCUO_ATTACHMENT_MAX_BYTES.

Files are written under settings.RONGCUO_ATTACHMENT_DIR with a random name, no extension and mode
0600; they are only ever streamed back as downloads, never executed or served by path.
"""

from __future__ import annotations

import hashlib
import io
import multiprocessing
import os
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import puremagic
from django.conf import settings

from rongcuo.core.errors import Invalid

# Sniffed type -> extensions accepted for it. Anything else is refused, whatever the file name says.
ALLOWED = {
    "application/pdf": {".pdf"},
    "image/jpeg": {".jpg", ".jpeg"},
    "image/png": {".png"},
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {".docx"},
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {".xlsx"},
    "text/plain": {".txt"},
}


@dataclass(frozen=True)
class Stored:
    storage_name: str
    content_type: str
    size: int
    sha256: str


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OOXML_PARTS = {DOCX: "word/document.xml", XLSX: "xl/workbook.xml"}
OOXML_MAX_ENTRIES = 5000
OOXML_MAX_UNPACKED = 200 * 1024 * 1024
EXECUTABLE_SUFFIXES = {
    ".exe", ".dll", ".com", ".scr", ".pif", ".cpl", ".sys", ".msi", ".msp", ".bat", ".cmd", ".ps1", ".psm1",
    ".vbs", ".vbe", ".js", ".jse", ".wsf", ".wsh", ".hta", ".lnk", ".jar", ".sh", ".elf", ".so", ".dylib",
    ".apk", ".app",
}  # fmt: skip
EXECUTABLE_MAGIC = (b"MZ", b"\x7fELF", b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"\xca\xfe\xba\xbe", b"#!")
PDF_PARSE_SECONDS = 5.0


def _refuse(filename: str, why: str) -> Invalid:
    return Invalid(f"文件“{filename}”{why}", field="file")


def check_ooxml(content: bytes, filename: str, kind: str) -> None:
    """A Word or Excel file is a ZIP package with its parts in place and nothing runnable inside."""
    label = "Word 文档" if kind == DOCX else "Excel 工作簿"
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as package:
            entries = package.infolist()
            if len(entries) > OOXML_MAX_ENTRIES or sum(e.file_size for e in entries) > OOXML_MAX_UNPACKED:
                raise _refuse(filename, f"解压后过大，不是正常的 {label}")
            names = {e.filename for e in entries}
            if "[Content_Types].xml" not in names or OOXML_PARTS[kind] not in names:
                raise _refuse(filename, f"不是有效的 {label}（缺少 [Content_Types].xml 或 {OOXML_PARTS[kind]}）")
            for entry in entries:
                name = PurePosixPath(entry.filename.replace("\\", "/"))
                if name.is_absolute() or ".." in name.parts:
                    raise _refuse(filename, "中含有指向包外路径的条目")
                if name.suffix.lower() in EXECUTABLE_SUFFIXES or name.name.lower() == "vbaproject.bin":
                    raise _refuse(filename, f"中含有可执行内容或宏（{entry.filename}），不予接收")
                if entry.is_dir():
                    continue
                with package.open(entry) as fh:
                    head = fh.read(4)
                if head.startswith(EXECUTABLE_MAGIC):
                    raise _refuse(filename, f"中含有可执行内容（{entry.filename}），不予接收")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError, ValueError):
        raise _refuse(filename, f"不是有效的 {label}（压缩包已损坏）") from None


def _pdf_pages(content: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(content), strict=False).pages)


def _pdf_pages_child(content: bytes, conn: object) -> None:
    try:
        pages = _pdf_pages(content)
    except BaseException:  # whatever pypdf raises, the file is not a PDF we accept
        pages = -1
    conn.send(pages)  # type: ignore[attr-defined]


def pdf_pages(content: bytes, timeout: float = PDF_PARSE_SECONDS) -> int | None:
    """Pages of the PDF as pypdf reads them; -1 when it does not parse, None when it takes too long.

    Parsed in a forked child, killed after `timeout` seconds (where fork is unavailable, in this process)."""
    if "fork" not in multiprocessing.get_all_start_methods():
        try:
            return _pdf_pages(content)
        except Exception:
            return -1
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_pdf_pages_child, args=(content, send), daemon=True)
    child.start()
    send.close()
    try:
        return receive.recv() if receive.poll(timeout) else None
    except EOFError:  # the child died (memory, a crash in a C extension)
        return -1
    finally:
        receive.close()
        if child.is_alive():
            child.kill()
        child.join()


def check_pdf(content: bytes, filename: str) -> None:
    pages = pdf_pages(content)
    if pages is None:
        raise _refuse(filename, f"无法在 {PDF_PARSE_SECONDS:g} 秒内解析，不予接收")
    if pages < 1:
        raise _refuse(filename, "不是有效的 PDF（无法解析或没有页面）")


def sniff(content: bytes, filename: str) -> str:
    ext = Path(filename).suffix.lower()
    if ext == ".txt":
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            raise Invalid("文本文件应为 UTF-8 编码", field="file") from None
        if b"\x00" in content:
            raise Invalid("文本文件中含有二进制内容", field="file")
        return "text/plain"
    if ext in (".docx", ".xlsx"):
        kind = DOCX if ext == ".docx" else XLSX
        if content.startswith(b"PK\x03\x04"):
            check_ooxml(content, filename, kind)
            return kind
    else:
        try:
            matches = puremagic.magic_string(content[:8192], filename)
        except (puremagic.PureError, ValueError):
            matches = []
        for m in matches:
            mime = m.mime_type or ""
            if mime in ALLOWED and ext in ALLOWED[mime] and mime not in OOXML_PARTS:
                if mime == "application/pdf":
                    check_pdf(content, filename)
                return mime
    allowed = "、".join(sorted({e for exts in ALLOWED.values() for e in exts}))
    raise Invalid(f"文件“{filename}”的内容与允许的类型不符（允许 {allowed}）", field="file")


def store(content: bytes, filename: str) -> Stored:
    if len(content) == 0:
        raise Invalid("文件为空", field="file")
    limit = settings.RONGCUO_ATTACHMENT_MAX_BYTES
    if len(content) > limit:
        raise Invalid(f"文件超过 {limit // (1024 * 1024)} MB 上限", field="file")
    kind = sniff(content, filename)
    folder = Path(settings.RONGCUO_ATTACHMENT_DIR)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    name = uuid.uuid4().hex
    fd = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(content)
    return Stored(name, kind, len(content), hashlib.sha256(content).hexdigest())


def read(storage_name: str) -> bytes:
    if not storage_name.isalnum():
        raise Invalid("附件名称无效")
    return (Path(settings.RONGCUO_ATTACHMENT_DIR) / storage_name).read_bytes()
