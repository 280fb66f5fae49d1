"""Rows as the bulk generator writes them: Python values for SQLite's executemany, PostgreSQL's binary COPY
format for PostgreSQL.

A row is split the way gen_cases renders it: per-row fields first (ids, foreign keys, texts: `head`),
then the date and datetime fields moved by whole days (`parts` once per template, `shifted` per day),
then the fields that are the same for every copy of a template (`static`, rendered once). `tail` joins
the last two, so one template's rows on one day cost one rendering.

Binary rather than text COPY: PostgreSQL then reads each field by its length instead of scanning every
byte for delimiters and escapes, and takes integers, dates and timestamps without parsing them (a fifth
of its CPU in the text format, measured with perf on the 10^6 load). A jsonb field is still sent as its
text (binary jsonb is a version byte and the text), written compactly; a DocumentField (a text column
holding JSON) as the same compact text the field itself writes.
"""

from __future__ import annotations

import datetime as dt
import json
import struct
from typing import Any

from rongcuo.core.fields import DocumentField, dumps

PG_EPOCH = dt.datetime(2000, 1, 1)
PG_EPOCH_DAY = PG_EPOCH.toordinal()
MICROS_PER_DAY = 86_400_000_000
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

    def parts(self, values: list[Any], kinds: list[str]) -> list[tuple[str, int | None]]:
        """Date and datetime values as (kind, offset from PostgreSQL's epoch), ready to move by days."""
        out: list[tuple[str, int | None]] = []
        for v, k in zip(values, kinds, strict=True):
            if v is None:
                out.append((k, None))
            elif k == "ts":
                out.append((k, (v - PG_EPOCH) // dt.timedelta(microseconds=1)))
            else:
                out.append((k, v.toordinal() - PG_EPOCH_DAY))
        return out

    def shifted(self, parts: list[tuple[str, int | None]], days: int) -> bytes:
        out = []
        for k, base in parts:
            if base is None:
                out.append(NULL)
            elif k == "ts":
                out.append(_INT8.pack(8, base + days * MICROS_PER_DAY))
            else:
                out.append(_INT4.pack(4, base + days))
        return b"".join(out)

    def tail(self, before: bytes, shifted: bytes, static: bytes) -> bytes:
        return before + shifted + static

    def row(self, head: bytes, tail: bytes) -> bytes:
        return head + tail


class RowBlock:
    """A case's rows of one table in binary COPY format, rendered once per template and day: they differ
    only in their first two fields, the row's id (counting up) and the case's id. One struct for the whole
    block, its ids filled by slice assignment: two C calls per case and table instead of one per row."""

    def __init__(self, ncols: int, tails: list[bytes]) -> None:
        self.rows = len(tails)
        self.struct = struct.Struct(">" + "".join(f"hiqiq{len(t)}s" for t in tails))
        self.args: list[Any] = []
        for t in tails:
            self.args += [ncols, 8, 0, 8, 0, t]

    def pack(self, first_id: int, case_id: int) -> bytes:
        a = self.args
        a[2::6] = range(first_id, first_id + self.rows)
        a[4::6] = [case_id] * self.rows
        return self.struct.pack(*a)


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

    def parts(self, values: list[Any], kinds: list[str]) -> list[tuple[str, Any]]:
        return list(zip(kinds, values, strict=True))

    def shifted(self, parts: list[tuple[str, Any]], days: int) -> tuple[Any, ...]:
        delta = dt.timedelta(days=days)
        return tuple(None if v is None else self.field(v + delta, k) for k, v in parts)

    def tail(self, before: tuple[Any, ...], shifted: tuple[Any, ...], static: tuple[Any, ...]) -> tuple[Any, ...]:
        return (*before, *shifted, *static)

    def row(self, head: tuple[Any, ...], tail: tuple[Any, ...]) -> tuple[Any, ...]:
        return (*head, *tail)


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
