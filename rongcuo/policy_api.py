"""Policies are public texts: list, show, evaluate facts under one, compare many, compare two exactly (every
fact pattern where their outcomes differ), the exact comparison of every pair, and the solver's checks of
one measure. No sign-in needed.

Bad facts answer 400 with the offending fact as `field` (e.g. `facts.private_gain`); a bad version choice
answers 400 naming its parameter (`a`, `b`, `on`), an unknown policy 404.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from rongcuo import policy_exact
from rongcuo.commands.policy import version_dict
from rongcuo.consultation.library import effective_library
from rongcuo.core.errors import NotFound
from rongcuo.core.types import Day
from rongcuo.policy import Library, PolicyError, PolicyVersion, evaluate
from rongcuo.policy.catalog import catalog
from rongcuo.policy.facts import check_facts

router = Router(auth=None)
MAX_COMPARE = 100


class EvaluateIn(Schema):
    facts: dict[str, Any] = Field(description='事实：{"事实名": true / false / null（未查明）}')
    on: Day | None = Field(None, description="按该日期选择有效版本，默认今天")


class CompareIn(EvaluateIn):
    policies: list[str] | None = Field(None, max_length=MAX_COMPARE, description="政策编号，默认全部在该日期有效的政策")


class ErrorOut(Schema):
    error: str = Field(description="错误代码：invalid（请求无效）、not_found（不存在）……")
    message: str = Field(description="中文说明")
    field: str | None = Field(None, description="出错的参数或字段")


class ExactQuery(Schema):
    a: str = Field(
        description="A：政策编号，或 编号@日期（YYYY-MM-DD，该日有效的版本）、编号@版本名", examples=["jiangsu-2017"]
    )
    b: str = Field(description="B：同 A", examples=["hainan-qionghai-2018@2018"])
    on: Day | None = Field(None, description="只写编号时按该日期选择有效版本，默认今天")


class OnQuery(Schema):
    on: Day | None = Field(None, description="按该日期选择有效版本，默认今天")


class VersionOut(Schema):
    policy: str = Field(description="政策编号")
    version: str = Field(description="版本名")
    title: str
    jurisdiction: str = Field(description="区划代码")
    jurisdiction_name: str
    effective_from: str
    effective_to: str | None
    completeness: str = Field(description="complete（完整）或 partial（部分条款）")
    completeness_note: str | None
    applies_by: str


class ExactSideOut(Schema):
    outcome: str = Field(description="exempt / mitigate / not_tolerated / undetermined")
    outcome_label: str = Field(description="结论（中文）")
    rule: str | None = Field(description="作出结论的结论规则编号（otherwise 为兜底）；待定时为空")
    ref: str = Field(description="该规则引用的条文")
    text: str = Field(description="该规则的条文摘要")
    questions: list[str] = Field(description="待定时尚需查明的事实（按决定性排序），取区域内已知事实最少之处")


class ExactRegionOut(Schema):
    facts: dict[str, list[bool | None]] = Field(
        description="区域所限定的事实及其可取值（true 是 / false 否 / null 未查明）；未列出的事实可取任何值"
    )
    count: int = Field(description="区域内的事实组合数")
    a: ExactSideOut
    b: ExactSideOut


class OutcomePairOut(Schema):
    a: str = Field(description="A 的结论")
    b: str = Field(description="B 的结论")
    a_label: str
    b_label: str
    both_determined: bool = Field(description="两者均已确定结论（都不是待定）")
    count: int = Field(description="事实组合数")
    regions: int = Field(description="区域数")
    share: float = Field(description="占全部事实组合的比例")


class ExactComparisonOut(Schema):
    format: str = Field(description="rongcuo.exact-comparison/1")
    a: VersionOut
    b: VersionOut
    facts: list[str] = Field(description="两者读取的事实（比较的范围）")
    total: int = Field(description="全部事实组合数：3 的事实数次方（每项为是、否、未查明）")
    differing: int = Field(description="结论不同的事实组合数")
    share: float = Field(description="differing / total")
    regions: list[ExactRegionOut] = Field(description="互不相交的区域：先列两者均已确定而结论不同的，再按大小")
    summary: list[OutcomePairOut] = Field(description="按（A 结论，B 结论）汇总")


class MatrixPairOut(Schema):
    a: str
    b: str
    facts: int = Field(description="两者读取的事实数")
    total: int
    differing: int
    share: float
    decided: int = Field(description="其中两者均已得出结论而结论不同的组合数（如免予问责与不予容错）")


class MatrixOut(Schema):
    format: str = Field(description="rongcuo.exact-matrix/1")
    on: Day = Field(description="比较日期")
    policies: list[VersionOut] = Field(description="该日有效的各项办法（所用版本）")
    ids: list[str]
    pairs: list[MatrixPairOut] = Field(description="每一对办法（A 在前）")
    skipped: list[str] = Field(description="该日没有有效版本、未参与比较的政策编号")


class FindingOut(Schema):
    severity: str = Field(description="error（错误）或 warning（警告）")
    code: str = Field(
        description="weaker-than-base / dead-rule / shadowed-outcome / unknown-turned-determinate / encoding-mismatch"
    )
    policy: str
    version: str
    subject: str | None = Field(description="涉及的规则编号")
    message: str = Field(description="中文说明")
    witness: dict[str, bool | None] | None = Field(description="反例：事实取值（未列出的为未查明）")
    witness_text: str = Field(description="反例（中文）")
    outcomes: dict[str, str] = Field(description="反例下的结论")
    after: dict[str, bool | None] | None = Field(None, description="unknown-turned-determinate：补充查明后的事实")


class VerifyOut(Schema):
    policy: str
    version: str
    errors: int
    warnings: int
    findings: list[FindingOut]


ERRORS: dict[int, Any] = {400: ErrorOut, 404: ErrorOut}


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


DATE_LIKE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")


def _spec(lib: Library, spec: str, name: str, day: dt.date) -> PolicyVersion:
    """`ID` (the version in force on the day), `ID@YYYY-MM-DD` or `ID@VERSION`, within the library only."""
    pid, _, at = spec.strip().partition("@")
    policy = lib.policies.get(pid)
    if policy is None:
        raise NotFound(f"{name}：政策「{pid}」不存在", field=name)
    at = at.strip()
    try:
        if not at:
            return policy.version_on(day)
        if DATE_LIKE.match(at):
            try:
                when = dt.date.fromisoformat("-".join(p.zfill(2) for p in at.split("-")))
            except ValueError:
                raise PolicyError(f"{name}：「{at}」不是有效日期（应为 年-月-日）", field=name) from None
            return policy.version_on(when)
        return policy.version_named(at)
    except PolicyError as exc:
        message = exc.message if exc.message.startswith(f"{name}：") else f"{name}：{exc.message}"
        raise PolicyError(message, field=name) from None


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


@router.get(
    "/compare/exact",
    response={200: ExactComparisonOut, **ERRORS},
    summary="精确比较两项办法（或两个版本）：结论不同的全部事实组合",
    description="在两者读取的事实上穷尽每一种组合（每项事实为是、否或未查明，共 3^n 种），求出结论不同的全部组合，"
    "分为互不相交的区域，并按（A 结论，B 结论）汇总。a、b 为 编号、编号@日期 或 编号@版本名；只写编号的，"
    "按 on（默认今天）有效的版本。政策不存在答 404，日期无效或该日没有有效版本答 400（field 为 a、b 或 on）。",
)
def compare_exact(request: HttpRequest, q: Query[ExactQuery]) -> dict[str, Any]:
    lib = effective_library()
    day = q.on or dt.date.today()
    a, b = _spec(lib, q.a, "a", day), _spec(lib, q.b, "b", day)
    return policy_exact.comparison_dict(policy_exact.comparison(a, b))


@router.get(
    "/compare/matrix",
    response={200: MatrixOut, 400: ErrorOut},
    summary="两两精确比较某日有效的全部办法：每一对结论不同的事实组合所占比例",
    description="每一对办法在两者读取的事实上（共 3^n 种组合）结论不同的组合数和比例。"
    "该日没有有效版本的政策列于 skipped。",
)
def compare_matrix(request: HttpRequest, q: Query[OnQuery]) -> dict[str, Any]:
    lib = effective_library()
    day = q.on or dt.date.today()
    versions, skipped = [], []
    for pid in lib.ids():
        try:
            versions.append(lib.policies[pid].version_on(day))
        except PolicyError:
            skipped.append(pid)
    return {**policy_exact.matrix(versions).to_dict(), "on": day, "skipped": skipped}


@router.get("/{policy_id}", summary="逐条显示一项政策（on=生效日期，默认今天）")
def show_policy(request: HttpRequest, policy_id: str, on: Day | None = None) -> dict[str, Any]:
    return version_dict(_version(policy_id, on))


@router.post("/{policy_id}/evaluate", summary="按一项政策评估事实（含逐条追溯与待查明事实）")
def evaluate_policy(request: HttpRequest, policy_id: str, body: EvaluateIn) -> dict[str, Any]:
    version = _version(policy_id, body.on)
    return evaluate(version, _facts(body.facts, version.known_fact_ids())).to_dict()


@router.get(
    "/{policy_id}/verify",
    response={200: VerifyOut, **ERRORS},
    summary="用求解器校验一项办法（宽于共同红线、永不起作用的规则、永不适用的结论等），附反例",
    description="对 on（默认今天）有效的版本，穷尽全部事实组合检查：宽于共同红线（错误）、规则从不影响结论（警告）、"
    "结论规则永不适用（警告）、补充查明事实后已确定的结论改变（错误）。每项发现附反例事实。",
)
def verify_policy(request: HttpRequest, policy_id: str, q: Query[OnQuery]) -> dict[str, Any]:
    version = _version(policy_id, q.on)
    found = policy_exact.findings(version)
    return {
        "policy": version.policy.id,
        "version": version.version,
        "errors": sum(1 for f in found if f.severity == "error"),
        "warnings": sum(1 for f in found if f.severity == "warning"),
        "findings": [f.to_dict() for f in found],
    }
