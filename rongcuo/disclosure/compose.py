"""Drafting a rendition's text from a decided case: new text, then de-identified field by field."""

from __future__ import annotations

from typing import Any

from rongcuo.cases.models import Case, Decision
from rongcuo.consultation.library import effective_library
from rongcuo.policy import PolicyVersion
from rongcuo.policy.catalog import OUTCOME_LABELS
from rongcuo.policy.errors import PolicyError

from . import deid
from .models import FORM_LABELS

TEXT_FIELDS = ("title", "subject", "summary", "organ", "basis", "explanation", "result")
FIELD_LABELS = {
    "title": "标题",
    "subject": "当事人",
    "summary": "基本情况",
    "organ": "决定机关",
    "basis": "决定依据",
    "explanation": "认定说明",
    "result": "处理结果",
    "cited_articles": "引用条款",
    "significance": "典型意义",
}


def policy_version(decision: Decision) -> PolicyVersion | None:
    if not decision.policy:
        return None
    try:
        return effective_library().get(decision.policy).version_named(decision.policy_version)
    except PolicyError:
        return None


def cited_articles(decision: Decision, version: PolicyVersion | None) -> list[dict[str, Any]]:
    """The articles the decision's evaluation cites, as the public may read them: only the verified words of
    the measure (or of the shared red lines it inherits). A citation whose article is commentary, unverified
    or not held is left out: a paraphrase or a press account is never published as the legal basis."""
    ev = decision.evaluation or {}
    refs: list[str] = list(ev.get("citations") or [])
    articles = {a.ref: a for a in version.articles} if version else {}
    if version is not None and version.base is not None:
        for a in version.base.articles:
            articles.setdefault(a.ref, a)
    out: list[dict[str, Any]] = []
    for ref in refs:
        a = articles.get(ref) or articles.get(_article_of(ref, articles))
        if a is None or not a.verified or a.kind != "text":
            continue
        if all(x["ref"] != a.ref for x in out):
            out.append({"ref": a.ref, "text": a.text, "verified": True})
    return out


def _article_of(ref: str, articles: dict[str, Any]) -> str:
    """The article a finer citation belongs to: 「“三个区分开来”（谋取私利）」 → 「“三个区分开来”」,
    「第十七条第一款第（一）项」 → 「第十七条」."""
    best = ""
    for key in articles:
        if ref.startswith(key) and len(key) > len(best):
            best = key
    return best


def result_text(decision: Decision, version: PolicyVersion | None) -> str:
    parts = [f"{OUTCOME_LABELS.get(decision.outcome, decision.outcome)}（{decision.disposition}）。"]
    if decision.influence_months:
        parts.append(f"影响期{decision.influence_months}个月。")
    if decision.form:
        parts.append(f"按照“四种形态”，属于{FORM_LABELS.get(decision.form, '')}。")
    if version is not None:
        for rule in version.result_use:
            if rule.applies_to == decision.outcome and rule.text:
                parts.append(f"结果运用：{rule.text}" + (f"（{rule.ref}）" if rule.ref else "") + "。")
    return "".join(parts).replace("。。", "。")


def _subject(case: Case) -> str:
    if case.cadre is not None:
        position = case.cadre.position or "干部"
        return f"当事人：{case.cadre.name}，{case.cadre.unit.name}{position}"
    return f"当事单位：{case.unit.name}"


def public_explanation(text: str) -> str:
    """An explanation (the engine's, or a basis copied from it) without its 【提示】 lines: those tell
    staff how completely a policy's text is encoded (e.g. "本意见全文未能取得"), no part of a published
    decision."""
    return "\n".join(line for line in text.splitlines() if not line.startswith("【提示】"))


def compose(case: Case, ctx: deid.Context) -> dict[str, Any]:
    """Every field of a rendition for this decided case (text fields de-identified)."""
    decision: Decision = case.decision
    version = policy_version(decision)
    engine_text = (decision.evaluation or {}).get("explanation", "")
    explanation = public_explanation(engine_text)
    # The basis is usually the engine's explanation adopted as written (then shown once, as the explanation).
    basis = "" if decision.basis.strip() == engine_text.strip() else public_explanation(decision.basis)
    raw = {
        "title": case.title,
        "subject": _subject(case),
        "summary": case.summary,
        "organ": decision.organ,
        "basis": basis,
        "explanation": explanation,
        "result": result_text(decision, version),
    }
    fields: dict[str, Any] = {k: deid.deidentify(v, ctx) for k, v in raw.items()}
    fields["title"] = fields["title"][:200]
    fields["subject"] = fields["subject"][:300]
    fields["organ"] = fields["organ"][:200]
    fields["cited_articles"] = [
        {**a, "text": deid.deidentify(a["text"], ctx)} for a in cited_articles(decision, version)
    ]
    fields.update(
        jurisdiction=case.jurisdiction,
        region=case.jurisdiction.name,
        domain=case.domain,
        start_type=case.start_type,
        outcome=decision.outcome,
        disposition=decision.disposition,
        influence_months=decision.influence_months,
        form=decision.form,
        decided_on=decision.decided_on,
        policy=decision.policy,
        policy_version=decision.policy_version,
        policy_title=version.display_title() if version else "",
        pseudonyms=dict(ctx.pseudonyms),
    )
    return fields


def scan_fields(values: dict[str, Any]) -> dict[str, str]:
    """The texts the scan reads: every text field and the cited articles."""
    out = {k: str(values.get(k) or "") for k in TEXT_FIELDS}
    out["cited_articles"] = "\n".join(str(a.get("text", "")) for a in values.get("cited_articles") or [])
    return out
