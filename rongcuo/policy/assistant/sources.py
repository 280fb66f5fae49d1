"""The text of an uploaded measure: .txt (UTF-8, with or without BOM, else GB18030) or .docx.

A .docx is a zip: its size, member count and declared uncompressed total are bounded before python-docx
parses anything, so a zip bomb or a disguised file is refused with a message instead of filling memory.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

from ..errors import PolicyError
from .normalise import unify_newlines

MAX_TXT_BYTES = 5 * 1024 * 1024
MAX_DOCX_BYTES = 5 * 1024 * 1024
MAX_DOCX_UNCOMPRESSED = 50 * 1024 * 1024
MAX_DOCX_MEMBERS = 2000
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc, and encrypted Office files (an OLE container, not a zip)
_ZIP = b"PK\x03\x04"


class SourceError(PolicyError):
    """An upload that cannot be read as the text of a measure."""

    def __init__(self, message: str, filename: str) -> None:
        super().__init__(message, field=filename or "上传文件")


def read_source(data: bytes, filename: str) -> str:
    """The text of an uploaded file; raises SourceError with a Chinese message for anything else."""
    name = (filename or "").strip()
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if not data:
        raise SourceError("文件为空", name)
    if ext == "txt":
        return read_txt(data, name)
    if ext == "docx":
        return read_docx(data, name)
    if ext == "doc":
        raise SourceError("不支持旧版 Word（.doc）文件，请在 Word 中另存为 .docx 后上传", name)
    raise SourceError("只能读取 .docx 或 .txt 文件（文件名应以 .docx 或 .txt 结尾）", name)


def read_txt(data: bytes, name: str = "") -> str:
    if len(data) > MAX_TXT_BYTES:
        raise SourceError(f"文本文件超过 {MAX_TXT_BYTES // 1024 // 1024} MB", name)
    if data.startswith((_ZIP, _OLE)):
        raise SourceError("文件内容是 Word 文件或压缩包，不是纯文本；Word 文件请以 .docx 上传", name)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SourceError("不支持 UTF-16 编码的文本，请另存为 UTF-8 编码后上传", name)
    if b"\x00" in data:
        raise SourceError("文件含有空字符，不是纯文本（或为 UTF-16/UTF-32 编码），请另存为 UTF-8 编码后上传", name)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = _gb18030(data, name)
    return unify_newlines(text)


def _gb18030(data: bytes, name: str) -> str:
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        message = "无法识别文本编码：只支持 UTF-8 与 GB18030（含 GBK、GB2312），请另存为 UTF-8 后上传"
        raise SourceError(message, name) from None
    if not _plausible(text):
        raise SourceError("无法识别文本编码：按 GB18030 读出的内容不像中文文本，请另存为 UTF-8 后上传", name)
    return text


def _plausible(text: str) -> bool:
    """GB18030 decodes many foreign byte strings; real Chinese text has few private-use or control characters."""
    odd = sum(1 for c in text if ("\ue000" <= c <= "\uf8ff") or (ord(c) < 32 and c not in "\n\r\t") or ord(c) > 0xFFFF)
    return odd <= max(2, len(text) // 50)


def read_docx(data: bytes, name: str = "") -> str:
    _check_zip(data, name)
    import docx  # python-docx: imported here so that reading .txt never pays for lxml and docx
    from docx.oxml.ns import qn

    try:
        document = docx.Document(io.BytesIO(data))
        lines = list(_body_lines(document, qn))
    except Exception as exc:  # python-docx raises KeyError, ValueError, lxml errors… for a damaged package
        raise SourceError(f"Word 文件已损坏或格式不正确，无法读取（{type(exc).__name__}）", name) from None
    return unify_newlines("\n".join(lines))


def _check_zip(data: bytes, name: str) -> None:
    if len(data) > MAX_DOCX_BYTES:
        raise SourceError(f"Word 文件超过 {MAX_DOCX_BYTES // 1024 // 1024} MB", name)
    if data.startswith(_OLE):
        raise SourceError("文件已加密或是旧版 Word（.doc）文件：请解除密码保护并另存为 .docx 后上传", name)
    if not data.startswith(_ZIP):
        raise SourceError("不是有效的 .docx 文件（.docx 应为 Word 2007 及以后版本保存的文件）", name)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            members = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise SourceError("不是有效的 .docx 文件：压缩包已损坏", name) from None
    if len(members) > MAX_DOCX_MEMBERS:
        raise SourceError(f"Word 文件包含 {len(members)} 个部件，超过上限 {MAX_DOCX_MEMBERS}", name)
    if any(m.flag_bits & 0x1 for m in members):
        raise SourceError("Word 文件已加密，请解除密码保护后上传", name)
    total = sum(m.file_size for m in members)
    if total > MAX_DOCX_UNCOMPRESSED:
        raise SourceError(f"Word 文件解压后超过 {MAX_DOCX_UNCOMPRESSED // 1024 // 1024} MB，拒绝读取", name)
    if "word/document.xml" not in {m.filename for m in members}:
        raise SourceError("不是有效的 .docx 文件：缺少正文部件 word/document.xml", name)


def _body_lines(document, qn) -> Iterator[str]:
    """Paragraphs and table cells in document order; a merged cell's text once per row."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            yield Paragraph(child, document).text
        elif child.tag == qn("w:tbl"):
            for row in Table(child, document).rows:
                seen: list = []  # the cells' elements themselves: a merged cell is the same element
                for cell in row.cells:
                    if any(cell._tc is tc for tc in seen):
                        continue
                    seen.append(cell._tc)
                    yield from (p.text for p in cell.paragraphs)
