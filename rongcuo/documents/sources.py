"""What a document reads from a case: its subject, the steps on its timeline with their payloads, deadlines,
facts with their labels, the rule evaluation and the decision (decision_model.py turns the last two into
the texts' outcome, reasons and cited articles).

Read-only: nothing here writes. The public notice never comes here; it reads only the rendition.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.utils import timezone

from rongcuo.cases import evaluation
from rongcuo.cases.models import Case, CaseEvent, Decision
from rongcuo.core.errors import Conflict
from rongcuo.policy.catalog import catalog
from rongcuo.procedure import engine
from rongcuo.procedure.models import Deadline

from .layout import cn_date

FACT_VALUES = {True: "是", False: "否", None: "未查明"}
FORM_LABELS = {1: "第一种形态", 2: "第二种形态", 3: "第三种形态", 4: "第四种形态"}


def local_date(at: dt.datetime | None) -> dt.date | None:
    return timezone.localtime(at).date() if at else None


def strip_end(text: str) -> str:
    """Text without its closing full stop, for use inside a sentence."""
    return (text or "").strip().rstrip("。；;.")


def sentence(text: str) -> str:
    """Text ending with a full stop (or its own closing punctuation)."""
    t = (text or "").strip()
    return t if not t or t[-1] in "。！？；：”」）" else t + "。"


@dataclass
class CaseData:
    case: Case
    events: dict[str, CaseEvent] = field(default_factory=dict)

    @classmethod
    def load(cls, case: Case) -> CaseData:
        data = cls(case)
        for ev in case.events.order_by("at", "id"):
            data.events[ev.verb] = ev  # the latest of each verb
        return data

    # who ------------------------------------------------------------------------------------------------

    @property
    def is_unit(self) -> bool:
        return self.case.cadre_id is None

    @property
    def name(self) -> str:
        return self.case.unit.name if self.is_unit else self.case.cadre.name

    @property
    def short(self) -> str:
        """张三同志 / 某单位."""
        return self.name if self.is_unit else f"{self.name}同志"

    @property
    def you(self) -> str:
        return "你单位" if self.is_unit else "你"

    @property
    def addressee(self) -> str:
        return f"{self.short}："

    @property
    def description(self) -> str:
        """张三，江苏省某县发展和改革局副局长（副处级） / 江苏省某县发展和改革局."""
        if self.is_unit:
            return self.case.unit.name
        c = self.case.cadre
        pos = f"{c.unit.name}{c.position}" if c.position else c.unit.name
        return f"{c.name}，{pos}" + (f"（{c.rank}）" if c.rank else "")

    @property
    def position_name(self) -> str:
        """江苏省某县发展和改革局副局长张三同志."""
        if self.is_unit:
            return self.case.unit.name
        c = self.case.cadre
        return f"{c.unit.name}{c.position}{c.name}同志"

    # steps ------------------------------------------------------------------------------------------------

    def event(self, verb: str) -> CaseEvent | None:
        return self.events.get(verb)

    def payload(self, verb: str) -> dict[str, Any]:
        """The verb's payload (transitions keep it under "payload"; the application keeps its own data)."""
        ev = self.events.get(verb)
        if ev is None:
            return {}
        data = ev.data or {}
        return dict(data.get("payload") or data)

    def require(self, verb: str, message: str) -> CaseEvent:
        ev = self.events.get(verb)
        if ev is None:
            raise Conflict(message, field="kind")
        return ev

    def on(self, verb: str) -> str:
        ev = self.events.get(verb)
        return cn_date(local_date(ev.at)) if ev else ""

    @property
    def started_on(self) -> str:
        return cn_date(local_date(self.case.created_at))

    def due(self, stage: str) -> Deadline | None:
        return Deadline.objects.filter(case=self.case, stage=stage).order_by("-id").first()

    def stage_days(self, stage: str) -> tuple[int, str] | None:
        """(within, unit label) of a stage deadline in the pinned procedure."""
        proc = engine.Procedure(self.case.procedure)
        if not proc.has(stage):
            return None
        d = proc.stage(stage).get("deadline") or {}
        if not d.get("within"):
            return None
        return int(d["within"]), "个工作日" if d.get("unit") == "working_days" else "日"

    # decision and evaluation --------------------------------------------------------------------------------

    @cached_property
    def decision(self) -> Decision | None:
        return Decision.objects.filter(case=self.case).first()

    def require_decision(self) -> Decision:
        if self.decision is None:
            raise Conflict("本案尚未作出容错认定决定", field="kind")
        return self.decision

    @property
    def live_evaluation(self) -> dict[str, Any]:
        return (self.case.evaluation or [{}])[0] if self.case.evaluation else {}

    @property
    def policy_title(self) -> str:
        ev = (self.decision.evaluation if self.decision else None) or self.live_evaluation
        return ev.get("title", "") or "有关容错纠错规定"

    def facts(self) -> list[tuple[str, str, str]]:
        """(label, 是/否/未查明, comment) of every fact established on the case."""
        labels: dict[str, str] = {}
        for v in evaluation.pinned_versions(self.case):
            for fid in v.facts_used():
                f = v.fact(fid)
                if f is not None:
                    labels.setdefault(fid, f.label)
        known = catalog().facts
        out = []
        for fv in self.case.facts.order_by("id"):
            label = labels.get(fv.fact) or (known[fv.fact].label if fv.fact in known else fv.fact)
            out.append((label, FACT_VALUES[fv.value], fv.comment))
        return out
