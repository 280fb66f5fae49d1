"""Reading an uploaded .docx safely, before docxtpl or python-docx sees it.

A .docx is a ZIP of XML parts. An upload is untrusted, so before anything parses it whole:

- the ZIP's central directory is read first: at most `MAX_MEMBERS` parts, each at most `MAX_MEMBER_BYTES`
  uncompressed and all together at most `MAX_TOTAL_BYTES` (a 200 KB file whose document.xml expands to
  200 MB is refused here, without inflating a byte);
- every part is then inflated in chunks with the same limits counted on the bytes actually produced (the
  directory may lie), and every XML part is parsed by a streaming parser (lxml `iterparse`: no DTD, no
  entity expansion, no network, `huge_tree` off) that counts elements and stops at `MAX_ELEMENTS` in a
  part and `MAX_TOTAL_ELEMENTS` in the package (3.5 million empty paragraphs in a 31 KB file are refused
  after the first 200 000, in well under a second);
- a DOCTYPE, malformed XML or a broken ZIP is refused.

Every refusal is an `Invalid` (HTTP 400) with a Chinese message naming the part.
"""

from __future__ import annotations

import io
import zipfile

from lxml import etree

from rongcuo.core.errors import Invalid

MAX_MEMBERS = 500
MAX_MEMBER_BYTES = 20 * 1024 * 1024  # one part, uncompressed
MAX_TOTAL_BYTES = 40 * 1024 * 1024  # every part, uncompressed
MAX_ELEMENTS = 200_000  # XML elements in one part (a 100-page document has some 60 000)
MAX_TOTAL_ELEMENTS = 400_000
CHUNK = 64 * 1024
XML_SUFFIXES = (".xml", ".rels")


def _refuse(message: str) -> Invalid:
    return Invalid(message, field="file")


class _Counted(io.RawIOBase):
    """A member's inflated bytes, refused once they pass the limits (whatever the directory said)."""

    def __init__(self, raw, name: str, budget: list[int]) -> None:
        self._raw = raw
        self._name = name
        self._budget = budget  # [bytes left for the whole package]
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        chunk = self._raw.read(min(len(b), CHUNK))
        n = len(chunk)
        self.read_bytes += n
        self._budget[0] -= n
        if self.read_bytes > MAX_MEMBER_BYTES:
            raise _refuse(f"模板中的 {self._name} 解压后超过 {MAX_MEMBER_BYTES // (1024 * 1024)} MB 上限")
        if self._budget[0] < 0:
            raise _refuse(f"模板解压后的总大小超过 {MAX_TOTAL_BYTES // (1024 * 1024)} MB 上限")
        b[:n] = chunk
        return n


def _count_elements(stream, name: str, budget: list[int]) -> None:
    parser = etree.iterparse(
        stream,
        events=("start", "end"),
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        huge_tree=False,
    )
    n = 0
    try:
        for event, el in parser:
            if event == "end":
                # Nothing is kept: finished elements are dropped as they are read (memory stays flat).
                el.clear()
                parent = el.getparent()
                while parent is not None and el.getprevious() is not None:
                    del parent[0]
                continue
            if n == 0 and el.getroottree().docinfo.doctype:
                raise _refuse(f"模板中的 {name} 含有文档类型声明（DOCTYPE），Word 文档不使用它")
            n += 1
            budget[0] -= 1
            if n > MAX_ELEMENTS:
                raise _refuse(f"模板中的 {name} 元素过多（超过 {MAX_ELEMENTS} 个），不像正常的文书模板")
            if budget[0] < 0:
                raise _refuse(f"模板的 XML 元素总数超过 {MAX_TOTAL_ELEMENTS} 个，不像正常的文书模板")
    except etree.XMLSyntaxError as exc:
        raise _refuse(f"模板中的 {name} 不是格式正确的 XML（第 {exc.lineno} 行）") from None


def check(content: bytes, *, max_bytes: int) -> None:
    """Refuse an upload that is not a small, well-formed Word package (see the module docstring)."""
    if len(content) > max_bytes:
        raise _refuse(f"模板超过 {max_bytes // (1024 * 1024)} MB 上限")
    try:
        z = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise _refuse("模板不是有效的 Word 文档（.docx）") from None
    with z:
        infos = z.infolist()
        # 1. the directory, before inflating anything
        if len(infos) > MAX_MEMBERS:
            raise _refuse(f"模板含有 {len(infos)} 个部件，超过 {MAX_MEMBERS} 个上限")
        names = {i.filename for i in infos}
        if "word/document.xml" not in names or "[Content_Types].xml" not in names:
            raise _refuse("模板不是 Word 文档（.docx）")
        if any(n.startswith("word/vbaProject") or n.lower().endswith(".bin") for n in names):
            raise _refuse("模板不能含有宏或嵌入的二进制对象")
        total = 0
        for i in infos:
            if i.flag_bits & 0x1:
                raise _refuse("模板不能加密")
            if i.file_size > MAX_MEMBER_BYTES:
                raise _refuse(f"模板中的 {i.filename} 解压后超过 {MAX_MEMBER_BYTES // (1024 * 1024)} MB 上限")
            total += i.file_size
        if total > MAX_TOTAL_BYTES:
            raise _refuse(f"模板解压后的总大小超过 {MAX_TOTAL_BYTES // (1024 * 1024)} MB 上限")
        # 2. the parts themselves, counted while they are inflated and parsed
        byte_budget = [MAX_TOTAL_BYTES]
        element_budget = [MAX_TOTAL_ELEMENTS]
        for i in infos:
            if i.is_dir():
                continue
            try:
                with z.open(i) as raw:
                    counted = _Counted(raw, i.filename, byte_budget)
                    if i.filename.endswith(XML_SUFFIXES):
                        _count_elements(io.BufferedReader(counted, CHUNK), i.filename, element_budget)
                    else:
                        while counted.read(CHUNK):
                            pass
            except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, NotImplementedError):
                raise _refuse(f"模板中的 {i.filename} 已损坏，无法解压") from None
