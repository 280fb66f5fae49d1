"""The kinds of document: what each is called, where its data comes from, who may issue it, whether it
carries a 发文字号 and in which series, the inputs it takes and the fields its templates may use.

A kind's `build` reads its source (a case through `sources.CaseData`, a pre-filing, a clarification, or
the de-identified rendition alone) and returns a `Draft`: title, 主送, body paragraphs with their levels,
署名, date, 抄送, 附注 and the kind's own template fields. Texts live in texts_case.py and texts_after.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from rongcuo.core.errors import Invalid

from .models import IssuingBody
from .sources import CaseData

CASE_STAFF = frozenset({"handler", "secretary"})

# Fields every template may use (besides its kind's own): the layout's elements and the case number.
COMMON_FIELDS = (
    "organ_mark",
    "doc_number",
    "signer",
    "title",
    "addressee",
    "body",
    "organ",
    "date",
    "cc",
    "cc_text",
    "printer",
    "printed_on",
    "note",
    "case_number",
    "kind_label",
)


@dataclass
class Draft:
    title: str
    addressee: str = ""
    blocks: list[tuple[str, str]] = field(default_factory=list)  # (h1/h2/h3/body, text)
    organ: str = ""
    date: dt.date | None = None
    cc: list[str] = field(default_factory=list)
    note: str = ""
    fields: dict[str, Any] = field(default_factory=dict)

    def h1(self, text: str) -> Draft:
        self.blocks.append(("h1", text))
        return self

    def h2(self, text: str) -> Draft:
        self.blocks.append(("h2", text))
        return self

    def p(self, *texts: str) -> Draft:
        for t in texts:
            for line in (t or "").splitlines():
                if line.strip():
                    self.blocks.append(("body", line.strip()))
        return self


@dataclass
class Ctx:
    """What a kind's builder is given."""

    today: dt.date
    body: IssuingBody | None = None
    inputs: Any = None
    data: CaseData | None = None
    source: Any = None  # PreFiling / Clarification / Rendition for the kinds built from those


@dataclass(frozen=True)
class Kind:
    id: str
    label: str
    build: Callable[[Ctx], Draft]
    fields: tuple[str, ...]
    roles: frozenset[str] = CASE_STAFF
    source: str = "case"  # case / prefiling / clarification / rendition
    numbered: bool = True  # under the organ's red mark, with a 发文字号
    series: str = "发"
    upward: bool = False  # 上行文: 签发人 beside the number
    signable: bool = False
    inputs: type[BaseModel] | None = None
    # Who may read an issued one besides its issuers: None for every role on the case (documents addressed
    # to the cadre or unit); a set for internal documents (reports, letters between organs).
    readers: frozenset[str] | None = None

    @property
    def letter(self) -> bool:
        """A 函 is laid out in the 信函格式 (GB/T 9704 10.1), not under the 文件 mark."""
        return self.numbered and self.series == "函"

    def readable_by(self, role: str) -> bool:
        return self.readers is None or role in self.roles or role in self.readers

    @property
    def allowed_fields(self) -> frozenset[str]:
        return frozenset(COMMON_FIELDS) | frozenset(self.fields)

    def parse_inputs(self, data: Any) -> Any:
        from rongcuo.cases.payloads import parse_payload

        if self.inputs is None:
            if data:
                raise Invalid(f"《{self.label}》不需要填写其他内容", field="data")
            return None
        return parse_payload(self.inputs, data or {})  # type: ignore[arg-type]


REGISTRY: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    REGISTRY[kind.id] = kind
    return kind


def get(kind_id: str) -> Kind:
    _load()
    kind = REGISTRY.get(kind_id)
    if kind is None:
        raise Invalid(f"未知的文书种类 {kind_id}，应为 {'、'.join(REGISTRY)} 之一", field="kind")
    return kind


def find(kind_id: str) -> Kind | None:
    _load()
    return REGISTRY.get(kind_id)


def all_kinds() -> list[Kind]:
    _load()
    return list(REGISTRY.values())


def _load() -> None:
    from . import texts_after, texts_case  # noqa: F401  (they register their kinds)
