"""The procedure engine: procedures are data (definitions/*.yaml), pinned into each case as JSON.

A small deterministic state machine: stages with deadlines, verbs with the roles that may take them
and a first-match routing list whose conditions are case flags (parsed with the policy expression
language, so no code is evaluated). Stages a policy's procedure leaves out are passed over.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from rongcuo.core.errors import Conflict, Invalid
from rongcuo.policy.expr import parse
from rongcuo.policy.model import PolicyVersion

DEFINITIONS = Path(__file__).with_name("definitions")
ALWAYS_KEPT = {
    "acceptance",
    "investigation",
    "deliberation",
    "decision",
    "feedback",
    "publication",
    "appeal_window",
    "appeal",
    "closed",
}


@cache
def definition(name: str = "default") -> dict[str, Any]:
    data = yaml.safe_load((DEFINITIONS / f"{name}.yaml").read_text(encoding="utf-8"))
    stage_ids = {s["id"] for s in data["stages"]}
    for vname, verb in data["verbs"].items():
        for s in verb["from"]:
            if s not in stage_ids:
                raise ValueError(f"procedure {name}: verb {vname} from unknown stage {s}")
        for route in verb["to"]:
            stage, when = _route(route)
            if stage not in stage_ids:
                raise ValueError(f"procedure {name}: verb {vname} to unknown stage {stage}")
            if when:
                parse(when)
    return data


def _route(route: str | dict[str, str]) -> tuple[str, str | None]:
    if isinstance(route, str):
        return route, None
    ((stage, when),) = route.items()
    return stage, when


def _basis(v: PolicyVersion, ref: str, default: bool) -> str:
    """A deadline's basis as users read it: the measure's title and article; for a labelled default, the rule
    the default follows (the measure is silent on it)."""
    if default:
        return ref
    return f"{v.display_title()}{ref}"


def pin(versions: list[PolicyVersion], start_type: str, name: str = "default") -> dict[str, Any]:
    """The procedure a new case follows: the default, narrowed and timed by the most local policy that says."""
    data = copy.deepcopy(definition(name))
    sources = []
    steps_from = next((v for v in versions if v.procedure.steps), None)
    named = {s.stage for s in steps_from.procedure.steps} if steps_from else None
    if steps_from:
        sources.append(f"{steps_from.ref}（程序环节：{'、'.join(s.name for s in steps_from.procedure.steps)}）")
    committee = next((v.procedure.application for v in versions if v.procedure.application), None)
    kept = []
    for stage in data["stages"]:
        sid = stage["id"]
        if sid == "unit_review":
            if start_type != "individual" or (committee is not None and not committee.via_unit_committee):
                continue
        elif stage.get("optional") and named is not None and sid not in ALWAYS_KEPT and stage["catalog"] not in named:
            continue
        kept.append(stage)
    data["stages"] = kept
    # Deadlines: the most local policy naming a stage's deadline wins; others keep the labelled default.
    for stage in kept:
        for v in versions:
            match = next((d for d in v.procedure.deadlines if d.stage == stage.get("catalog")), None)
            if match:
                stage["deadline"] = {
                    "within": match.within,
                    "unit": match.unit,
                    "default": match.default,
                    "basis": _basis(v, match.ref, match.default),
                }
                break
    appeal = next((v for v in versions if v.procedure.appeal), None)
    if appeal and appeal.procedure.appeal:
        a = appeal.procedure.appeal
        for stage in kept:
            if stage["id"] == "appeal_window":
                stage["deadline"] = {
                    "within": a.within,
                    "unit": a.unit,
                    "default": a.default,
                    "basis": _basis(appeal, a.ref, a.default),
                }
            elif stage["id"] == "appeal":
                stage["deadline"] = {
                    "within": a.decided_within,
                    "unit": a.unit,
                    "default": a.default,
                    "basis": _basis(appeal, a.ref, a.default),
                }
        data["appeal_suspends_execution"] = a.suspends_execution
    proactive = next((v for v in versions if v.procedure.proactive), None)
    data["proactive_required"] = bool(proactive and proactive.procedure.proactive.required)  # type: ignore[union-attr]
    body = next((v for v in versions if v.procedure.deciding_body), None)
    data["deciding_body"] = body.procedure.deciding_body.name if body and body.procedure.deciding_body else ""
    data["sources"] = sources
    return data


@dataclass
class Procedure:
    """A case's pinned procedure."""

    data: dict[str, Any]

    def stages(self) -> list[dict[str, Any]]:
        return self.data["stages"]

    def has(self, stage: str) -> bool:
        return any(s["id"] == stage for s in self.data["stages"])

    def stage(self, stage: str) -> dict[str, Any]:
        for s in self.data["stages"]:
            if s["id"] == stage:
                return s
        raise Invalid(f"本案程序中没有“{stage}”环节")

    def label(self, stage: str) -> str:
        for s in self.data["stages"]:
            if s["id"] == stage:
                return s["label"]
        return stage

    def verb(self, name: str) -> dict[str, Any]:
        verb = self.data["verbs"].get(name)
        if verb is None:
            raise Invalid(f"未知的办理操作 {name}", field="verb")
        return verb

    def verbs_from(self, stage: str) -> list[str]:
        return [name for name, v in self.data["verbs"].items() if stage in v["from"]]

    def check_from(self, name: str, stage: str) -> dict[str, Any]:
        verb = self.verb(name)
        if stage not in verb["from"]:
            raise Conflict(f"案件当前处于“{self.label(stage)}”环节，不能执行“{verb['label']}”（可能已被他人办理）")
        return verb

    def next_stage(self, name: str, flags: dict[str, bool]) -> str:
        verb = self.verb(name)
        for route in verb["to"]:
            stage, when = _route(route)
            if not self.has(stage):
                continue
            if when is None or parse(when).compile()(flags) is True:
                return stage
        raise Invalid(f"“{verb['label']}”之后没有可进入的环节（程序配置有误）")

    def first_stage(self, start_type: str) -> str:
        if start_type == "individual" and self.has("unit_review"):
            return "unit_review"
        if start_type == "proactive":
            return "investigation"
        return "acceptance"


def due_date(stage: dict[str, Any], start: dt.date) -> tuple[dt.date, str] | None:
    """The deadline of a stage started on `start`, with a note when the calendar had to be extrapolated."""
    from .workdays import add_calendar_days, add_working_days

    d = stage.get("deadline")
    if not d:
        return None
    due = add_working_days(start, d["within"]) if d["unit"] == "working_days" else add_calendar_days(start, d["within"])
    return due.date, due.note
