"""发文字号: 机关代字 + 类型代字 + 〔年份〕 + 顺序号 + 号, e.g. 苏纪发〔2025〕7号 (GB/T 9704-2012 7.2.3:
六角括号, no 第, no zero padding).

A number is taken by incrementing the (body, series, year) counter under SELECT … FOR UPDATE inside the
transaction that inserts the document: two documents issued at the same moment queue on the row and get
consecutive numbers, and a transaction that rolls back gives its number back. On SQLite the IMMEDIATE
transaction mode (settings) serialises writers the same way.
"""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction

from rongcuo.core.errors import Invalid
from rongcuo.org.models import Jurisdiction

from .models import DocumentNumberCounter, IssuingBody

NUMBER_RE = re.compile(r"^(?P<code>.+?)(?P<series>[发函])〔(?P<year>\d{4})〕(?P<seq>[1-9]\d*)号$")


def format_number(code: str, series: str, year: int, seq: int) -> str:
    return f"{code}{series}〔{year}〕{seq}号"


def allocated(body: IssuingBody, series: str, number: str) -> tuple[int, int] | None:
    """(year, seq) if `number` is a number this body's counter has already given out in this series, else
    None: a 文号 registered by hand is used only when it is one the counter allocated (never a new one)."""
    m = NUMBER_RE.match(number.strip())
    if m is None or m["code"] != body.code or m["series"] != series:
        return None
    year, seq = int(m["year"]), int(m["seq"])
    counter = DocumentNumberCounter.objects.filter(body=body, series=series, year=year).first()
    return (year, seq) if counter is not None and seq <= counter.last else None


def issuing_body(jurisdiction: Jurisdiction, kind: str = "discipline", body_id: int | None = None) -> IssuingBody:
    """The issuing body of this jurisdiction, or of the nearest one above it that has one."""
    chain = jurisdiction.chain()
    if body_id is not None:
        body = IssuingBody.objects.filter(pk=body_id, active=True, jurisdiction__in=chain).first()
        if body is None:
            raise Invalid("发文机关不存在，或不属于本案所在地区及其上级", field="body_id")
        return body
    found = {b.jurisdiction_id: b for b in IssuingBody.objects.filter(jurisdiction__in=chain, kind=kind, active=True)}
    for j in chain:
        if j.code in found:
            return found[j.code]
    raise Invalid(
        f"尚未设置{jurisdiction.name}（或其上级）的发文机关及机关代字：请决策秘书或承办人在「发文机关设置」中设置",
        field="body_id",
    )


def allocate(body: IssuingBody, series: str, year: int) -> int:
    """The next 顺序号; call inside the transaction that creates the document."""
    counter = DocumentNumberCounter.objects.select_for_update().filter(body=body, series=series, year=year).first()
    if counter is None:
        try:
            with transaction.atomic():
                DocumentNumberCounter.objects.create(body=body, series=series, year=year)
        except IntegrityError:
            pass  # created by a concurrent issue: lock theirs below
        counter = DocumentNumberCounter.objects.select_for_update().get(body=body, series=series, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last
