"""Rows in the form the bulk generator writes them: Python values for SQLite's executemany, PostgreSQL's
binary COPY format for PostgreSQL (gen_cases.insert_rows for the organisation, _expand for the per-case
plan rows).

Binary rather than text COPY: PostgreSQL then reads each field by its length instead of scanning every
byte for delimiters and escapes, and takes integers, dates and timestamps without parsing them (a fifth
of its CPU in the text format, measured with perf on the 10^6 load). A jsonb field is sent as its text
(binary jsonb is a version byte and the text), written compactly; a DocumentField (a text column holding
JSON) as the same compact text the field itself writes.
"""

from __future__ import annotations

import datetime as dt
import json
import struct
from typing import Any

from rongcuo.core.fields import DocumentField, dumps

PG_EPOCH = dt.datetime(2000, 1, 1)
PG_EPOCH_DAY = PG_EPOCH.toordinal()
NULL = b"\xff\xff\xff\xff"
SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
TRAILER = struct.pack(">h", -1)

_INT8, _INT4, _INT2 = struct.Struct(">iq"), struct.Struct(">ii"), struct.Struct(">ih")
_TRUE, _FALSE = b"\x00\x00\x00\x01\x01", b"\x00\x00\x00\x01\x00"


def pg_kind(db_type: str) -> str:
    """The encoder for a PostgreSQL column type as Django declares it (`field.db_type(connection)`)."""
    t = db_type.lower()
    for prefix, kind in (
        ("bigint", "int8"),
        ("bigserial", "int8"),
        ("integer", "int4"),
        ("serial", "int4"),
        ("smallint", "int2"),
        ("boolean", "bool"),
        ("varchar", "text"),
        ("text", "text"),
        ("jsonb", "json"),
        ("date", "date"),
        ("timestamp with time zone", "ts"),
    ):
        if t.startswith(prefix):
            return kind
    raise SystemExit(f"gen_cases: no binary COPY encoder for the column type {db_type!r}")


class PgBinary:
    """Fields in PostgreSQL's binary COPY format (each a 4-byte length and the value; NULL is length -1)."""

    pg = True

    def field(self, v: Any, kind: str) -> bytes:
        if v is None:
            return NULL
        if kind == "text":
            b = v.encode()
            return len(b).to_bytes(4, "big") + b
        if kind == "int8":
            return _INT8.pack(8, v)
        if kind == "doc":
            b = dumps(v).encode()
            return len(b).to_bytes(4, "big") + b
        if kind == "json":
            b = b"\x01" + dumps(v).encode()
            return len(b).to_bytes(4, "big") + b
        if kind == "bool":
            return _TRUE if v else _FALSE
        if kind == "int4":
            return _INT4.pack(4, v)
        if kind == "int2":
            return _INT2.pack(2, v)
        if kind == "ts":  # naive UTC
            return _INT8.pack(8, (v - PG_EPOCH) // dt.timedelta(microseconds=1))
        if kind == "date":
            return _INT4.pack(4, v.toordinal() - PG_EPOCH_DAY)
        raise ValueError(kind)

    def fields(self, values: list[Any], kinds: list[str]) -> bytes:
        return b"".join([self.field(v, k) for v, k in zip(values, kinds, strict=True)])

    def head(self, values: list[Any], kinds: list[str], ncols: int) -> bytes:
        return ncols.to_bytes(2, "big") + self.fields(values, kinds)


class SqliteValues:
    """Python values as Django's SQLite backend stores them (datetimes and dates as ISO text, JSON as
    json.dumps with its defaults)."""

    pg = False

    def field(self, v: Any, kind: str) -> Any:
        if v is None:
            return None
        if kind == "doc":
            return dumps(v)
        if kind == "json":
            return json.dumps(v)
        if isinstance(v, dt.datetime):
            return v.isoformat(" ")
        if isinstance(v, dt.date):
            return v.isoformat()
        return v

    def fields(self, values: list[Any], kinds: list[str]) -> tuple[Any, ...]:
        return tuple(self.field(v, k) for v, k in zip(values, kinds, strict=True))

    def head(self, values: list[Any], kinds: list[str], ncols: int) -> tuple[Any, ...]:
        return self.fields(values, kinds)


def sqlite_kind(field: Any) -> str:
    from django.db import models

    if isinstance(field, DocumentField):
        return "doc"
    return "json" if isinstance(field, models.JSONField) else "plain"


def field_kind(field: Any, connection: Any) -> str:
    """The encoder for a model field on this connection: a DocumentField is JSON as text on both databases."""
    if connection.vendor != "postgresql":
        return sqlite_kind(field)
    if isinstance(field, DocumentField):
        return "doc"
    return pg_kind(field.db_type(connection))
