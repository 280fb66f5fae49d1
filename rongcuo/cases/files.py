"""Attachment storage: size and type limits, content sniffing, stored outside any served folder.

Files are written under settings.RONGCUO_ATTACHMENT_DIR with a random name, no extension and mode
0600; they are only ever streamed back as downloads, never executed or served by path.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

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
    try:
        matches = puremagic.magic_string(content[:8192], filename)
    except (puremagic.PureError, ValueError):
        matches = []
    for m in matches:
        mime = m.mime_type or ""
        if ext in (".docx", ".xlsx") and (mime == "application/zip" or m.extension in (".zip", ".docx", ".xlsx")):
            # OOXML files are ZIP containers: check the part that names the document type.
            kind = next((t for t, exts in ALLOWED.items() if ext in exts), None)
            marker = b"word/" if ext == ".docx" else b"xl/"
            if kind and marker in content:
                return kind
        if mime in ALLOWED and ext in ALLOWED[mime]:
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
