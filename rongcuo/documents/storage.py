"""Generated files (DOCX, PDF, signature sidecars) live outside any served folder, under
`RONGCUO_DOCUMENT_DIR` (default DATA_DIR/documents), with random names, no extension and mode 0600."""

from __future__ import annotations

import hashlib
import os
import uuid
from pathlib import Path

from django.conf import settings


def folder() -> Path:
    path = Path(getattr(settings, "RONGCUO_DOCUMENT_DIR", None) or Path(settings.DATA_DIR) / "documents")
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def store(content: bytes) -> str:
    name = uuid.uuid4().hex
    fd = os.open(folder() / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(content)
    return name


def read(name: str) -> bytes:
    if not name or not name.isalnum():
        raise FileNotFoundError(name)
    return (folder() / name).read_bytes()


def discard(name: str) -> None:
    """Remove a file written for a transaction that then rolled back."""
    if name and name.isalnum():
        (folder() / name).unlink(missing_ok=True)


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def sm3(content: bytes) -> str:
    return hashlib.new("sm3", content).hexdigest()
