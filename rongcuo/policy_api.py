"""Policies are public texts: list, show, evaluate facts under one, compare many. No sign-in needed.

Bad facts answer 400 with the offending fact as `field` (e.g. `facts.private_gain`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from rongcuo.commands.policy import version_dict
from rongcuo.consultation.library import effective_library
from rongcuo.core.errors import NotFound
from rongcuo.policy import PolicyError, PolicyVersion, evaluate
from rongcuo.policy.catalog import catalog
from rongcuo.policy.facts import check_facts

router = Router(auth=None)
MAX_COMPARE = 100


class EvaluateIn(Schema):
    facts: dict[str, Any] = Field(description='事实：{"事实名": true / false / null（未查明）}')
    on: dt.date | None = Field(None, description="按该日期选择有效版本，默认今天")


class CompareIn(EvaluateIn):
    policies: list[str] | None = Field(None, max_length=MAX_COMPARE, description="政策编号，默认全部在该日期有效的政策")


def _policy(policy_id: str) -> Any:
    lib = effective_library()
    if policy_id not in lib.policies:
        raise NotFound("政策不存在", field="id")
    return lib.policies[policy_id]


def _version(policy_id: str, on: dt.date | None) -> PolicyVersion:
    policy = _policy(policy_id)
    try:
        return policy.version_on(on or dt.date.today())
    except PolicyError as exc:
        raise PolicyError(exc.message, field="on") from None


def _facts(data: dict[str, Any], known: set[str]) -> dict[str, bool | None]:
    try:
        _, facts = check_facts(data, known, file="facts", line=1)
    except PolicyError as exc:
        raise PolicyError(exc.message, field=f"facts.{exc.field}" if exc.field else "facts") from None
    return facts


@router.get("", summary="政策列表")
def list_policies(request: HttpRequest) -> list[dict[str, Any]]:
    lib = effective_library()
    rows = []
    for pid in lib.ids():
        p = lib.get(pid)
        latest = p.latest()
        rows.append(
            {
                "id": p.id,
                "title": p.title,
                "jurisdiction": p.jurisdiction_code,
                "jurisdiction_name": p.jurisdiction_name,
                "issued_by": p.issued_by,
                "versions": [
                    {"version": v.version, "effective_from": v.effective_from, "effective_to": v.effective_to}
                    for v in p.versions
                ],
                "effective_from": latest.effective_from,
                "completeness": latest.completeness,
            }
        )
    return rows


# Registered before "/{policy_id}" so that the fixed path is matched first.
@router.post("/compare", summary="同一组事实在多项政策下的结论")
def compare(request: HttpRequest, body: CompareIn) -> dict[str, Any]:
    day = body.on or dt.date.today()
    lib = effective_library()
    skipped: list[str] = []
    if body.policies:
        versions = [_version(pid, day) for pid in dict.fromkeys(body.policies)]
    else:
        versions = []
        for pid in lib.ids():
            try:
                versions.append(lib.get(pid).version_on(day))
            except PolicyError:
                skipped.append(pid)
    known = set(catalog().facts).union(*(v.local_facts for v in versions))
    facts = _facts(body.facts, known)
    results = []
    by_outcome: dict[str, list[str]] = {}
    for v in versions:
        r = evaluate(v, {k: val for k, val in facts.items() if k in v.known_fact_ids()}).to_dict()
        r.pop("trace", None)
        results.append(r)
        by_outcome.setdefault(r["outcome"], []).append(v.policy.id)
    return {"on": day, "results": results, "by_outcome": by_outcome, "agree": len(by_outcome) <= 1, "skipped": skipped}


@router.get("/{policy_id}", summary="逐条显示一项政策（on=生效日期，默认今天）")
def show_policy(request: HttpRequest, policy_id: str, on: dt.date | None = None) -> dict[str, Any]:
    return version_dict(_version(policy_id, on))


@router.post("/{policy_id}/evaluate", summary="按一项政策评估事实（含逐条追溯与待查明事实）")
def evaluate_policy(request: HttpRequest, policy_id: str, body: EvaluateIn) -> dict[str, Any]:
    version = _version(policy_id, body.on)
    return evaluate(version, _facts(body.facts, version.known_fact_ids())).to_dict()
