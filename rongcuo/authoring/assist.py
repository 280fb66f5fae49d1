"""「从原文起草」 verbs: read a measure's official text into a proposal, and apply the items the drafter ticked.

`propose` runs the assistant (rongcuo.policy.assistant) on a pasted text or an uploaded .docx/.txt, outside any
transaction (it takes seconds on a long text, and SQLite's IMMEDIATE transactions would hold the write lock
meanwhile), and records one audit line with counts, never the text. `apply_proposal` writes the ticked items
through W's `_edit` (lock, scope, revision, one save, audit), each item validated by the pure edit verb, so a bad
item refuses the whole act with a Chinese message naming it and nothing is saved.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from rongcuo.accounts.models import User
from rongcuo.audit.chain import append, append_failure
from rongcuo.cases.actions import actor_for
from rongcuo.core.errors import ActionError, Conflict, Invalid
from rongcuo.policy import authoring as pa
from rongcuo.policy.assistant import Proposal, SourceError, draft_from_text, read_source
from rongcuo.policy.assistant.normalise import unify_newlines
from rongcuo.policy.authoring.common import FORBIDDEN, GROUP_WORDS, NODE_GROUPS, last_version
from rongcuo.policy.errors import PolicyError

from .actions import OBJECT, _detail, _edit, access_draft
from .models import PolicyDraft
from .scope import ROLE

MAX_TEXT_CHARS = 200_000
MAX_ITEMS = 2_000  # each item copies the document once: bounded so one act stays well under a second
KINDS = ("articles", "nodes", "steps", "deadlines", "appeal", "deciding_body", "result_use")
NODE_KEYS = ("group", "id", "ref", "text", "when", "label")
# The defaults the procedure engine uses where a measure is silent (procedure/definitions/default.yaml).
APPEAL_WITHIN, APPEAL_DECIDED_WITHIN = 15, 30
APPEAL_BASIS = "《关于实行党政领导干部问责的暂行规定》（2009年）"
Doc = dict[str, Any]


@dataclass(frozen=True)
class Reading:
    draft: PolicyDraft
    text: str
    proposal: Proposal


# --- reading the text -------------------------------------------------------------------------------------------


def proposal_of(text: Any) -> tuple[str, Proposal]:
    """(the text as analysed, its proposal): the same bounds for a first reading and for the re-reading on apply,
    so the items a drafter ticked are found again exactly (the assistant is deterministic)."""
    if not isinstance(text, str):
        raise Invalid("原文：应为文字", field="text")
    text = unify_newlines(text)
    if not text.strip():
        raise Invalid("原文：请粘贴办法正文，或上传 .docx / .txt 文件", field="text")
    if len(text) > MAX_TEXT_CHARS:
        raise Invalid(f"原文：过长（{len(text):,} 字，最多 {MAX_TEXT_CHARS:,} 字），请分段处理", field="text")
    bad = FORBIDDEN.search(text)
    if bad:
        what = "空字符（NUL）" if bad.group() == "\x00" else f"文字方向控制符（U+{ord(bad.group()):04X}）"
        raise Invalid(f"原文：含有不允许的{what}，请删除后再识别", field="text")
    try:
        return text, draft_from_text(text)
    except PolicyError as exc:
        raise Invalid(f"原文：{exc.message}", field="text") from None


def _uploaded_text(data: bytes, filename: str) -> str:
    try:
        return read_source(data, filename)
    except SourceError as exc:
        raise Invalid(f"上传文件「{filename or '未命名'}」：{exc.message}", field="file") from None


def propose(
    user: User, draft_id: Any, *, text: str | None = None, upload: tuple[bytes, str] | None = None, ip: str = ""
) -> Reading:
    """The assistant's proposal for a pasted text or an uploaded file (an upload wins over a pasted text)."""
    try:
        draft = access_draft(user, draft_id)
        if draft.status != PolicyDraft.EDITING:
            raise Conflict("该草稿已提交意见征集或已撤回，不能再修改", field="status")
        source = "upload" if upload is not None else "paste"
        raw = _uploaded_text(*upload) if upload is not None else text
        body, proposal = proposal_of(raw)
    except ActionError as exc:
        actor = actor_for(user, "", ip)
        append_failure(actor, "drafting.assist_read", OBJECT, str(draft_id), error=exc.code, field=exc.field or "")
        raise
    detail = _detail(
        draft,
        source=source,
        kind=upload[1].rsplit(".", 1)[-1].lower() if upload is not None and "." in upload[1] else "",
        chars=len(body),
        articles=len(proposal.articles),
        nodes=len(proposal.nodes),
    )
    with transaction.atomic():
        append(actor_for(user, ROLE, ip), "drafting.assist_read", OBJECT, draft.pk, detail=detail)
    return Reading(draft, body, proposal)


def appeal_with_defaults(proposed: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The appeal block to write, with the engine's defaults where the text states no period (marked default,
    the note saying which), and the Chinese names of the periods that were defaulted."""
    appeal = {
        k: v for k, v in proposed.items() if k in ("ref", "within", "unit", "decided_within", "suspends_execution")
    }
    unit = appeal.setdefault("unit", "days")
    word = "个工作日" if unit == "working_days" else "日"
    missing = []
    if "within" not in appeal:
        appeal["within"] = APPEAL_WITHIN
        missing.append(f"申诉期限（系统默认 {APPEAL_WITHIN} {word}）")
    if "decided_within" not in appeal:
        appeal["decided_within"] = APPEAL_DECIDED_WITHIN
        missing.append(f"申诉办理期限（系统默认 {APPEAL_DECIDED_WITHIN} {word}）")
    if missing:
        appeal["default"] = True
        appeal["note"] = f"原文未规定{'、'.join(missing)}，系统默认值依据{APPEAL_BASIS}"
    return appeal, missing


# --- applying the ticked items ----------------------------------------------------------------------------------


def _tail(field: str | None) -> str:
    """The last part of a library field path: "situations[s_x].when" → "when"; "" when it names no field."""
    last = (field or "").rsplit(".", 1)
    return last[1].split("[", 1)[0] if len(last) == 2 else ""


def _named(kind: str, i: int, label: str, fn: Callable[[], Doc]) -> Doc:
    """Run one pure verb; a refusal is re-raised naming the item (`kind[i].field`, and `label` in the message)."""
    try:
        return fn()
    except PolicyError as exc:
        message = re.sub(r"^第 \d+ 个(程序步骤|期限)的?", "", exc.message)  # its place in the file, not the page
        if not message.startswith(label):
            message = f"{label}：{message}"
        tail = _tail(exc.field)
        raise pa.EditError(f"{kind}[{i}]" + (f".{tail}" if tail else ""), message) from None


def _items(data: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    value = data.get(kind)
    if kind in ("appeal", "deciding_body"):
        value = [] if value in (None, {}) else [value]
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(x, dict) for x in value):
        raise pa.EditError(kind, f"{KIND_WORDS[kind]}：应为一组条目")
    return value


KIND_WORDS = {
    "articles": "条文",
    "nodes": "规则",
    "steps": "程序步骤",
    "deadlines": "期限",
    "appeal": "申诉规定",
    "deciding_body": "认定机关",
    "result_use": "结果运用",
}


def _article(doc: Doc, i: int, item: dict[str, Any]) -> Doc:
    ref = str(item.get("ref") or "").strip()
    exists = ref in {a.get("ref") for a in last_version(doc).get("articles") or [] if isinstance(a, dict)}
    verified = item.get("verified", False)
    return _named(
        "articles",
        i,
        f"条文 {ref}" if ref else f"第 {i + 1} 条条文",
        lambda: pa.put_article(doc, ref, item.get("text"), verified=verified, old_ref=ref if exists else None),
    )


def _node(doc: Doc, i: int, item: dict[str, Any]) -> Doc:
    group = item.get("group")
    extra = sorted(set(item) - set(NODE_KEYS))
    node_id = str(item.get("id") or "").strip()
    label = f"{GROUP_WORDS[group]} {node_id}" if group in GROUP_WORDS and node_id else f"第 {i + 1} 条规则"
    if extra:
        raise pa.EditError(f"nodes[{i}]", f"{label}：不认识的字段 {', '.join(extra)}")
    if group not in NODE_GROUPS:
        raise pa.EditError(f"nodes[{i}].group", f"{label}：规则组应为容错条件、容错情形、不予容错情形或从轻减轻情形")
    node = {k: item[k] for k in NODE_KEYS[1:] if k in item and item[k] is not None}
    return _named("nodes", i, label, lambda: pa.put_node(doc, group, node))


def _step(doc: Doc, i: int, item: dict[str, Any]) -> Doc:
    label = f"程序步骤「{item.get('name') or ''}」" + (f"（{item['ref']}）" if item.get("ref") else "")
    return _named("steps", i, label, lambda: pa.put_procedure_step(doc, item))


def _deadline(doc: Doc, i: int, item: dict[str, Any]) -> Doc:
    existing = list((last_version(doc).get("procedure") or {}).get("deadlines") or [])
    unit = "个工作日" if item.get("unit") == "working_days" else "日"
    label = f"期限（{item.get('ref') or ''}，{item.get('within')} {unit}）"
    return _named("deadlines", i, label, lambda: pa.set_procedure_part(doc, "deadlines", [*existing, item]))


def _part(kind: str) -> Callable[[Doc, int, dict[str, Any]], Doc]:
    def put(doc: Doc, i: int, item: dict[str, Any]) -> Doc:
        return _named(kind, i, KIND_WORDS[kind], lambda: pa.set_procedure_part(doc, kind, item))

    return put


def _result_use(doc: Doc, i: int, item: dict[str, Any]) -> Doc:
    rid = str(item.get("id") or "").strip()
    label = f"结果运用 {rid}" if rid else f"第 {i + 1} 条结果运用"
    return _named("result_use", i, label, lambda: pa.put_result_use(doc, item))


APPLY: dict[str, Callable[[Doc, int, dict[str, Any]], Doc]] = {
    "articles": _article,  # first: the rules below cite them
    "nodes": _node,
    "steps": _step,
    "deadlines": _deadline,
    "appeal": _part("appeal"),
    "deciding_body": _part("deciding_body"),
    "result_use": _result_use,
}


def applied_items(doc: Doc, data: Any) -> tuple[Doc, dict[str, Any]]:
    """The document with every item of `data` applied in KINDS order, and what was applied (for the audit)."""
    if not isinstance(data, dict):
        raise pa.EditError("items", "采用的内容：应为映射")
    unknown = sorted(set(data) - set(KINDS))
    if unknown:
        raise pa.EditError(unknown[0], f"采用的内容：不认识的部分 {'、'.join(map(str, unknown))}")
    lists = {kind: _items(data, kind) for kind in KINDS}
    refs = [str(a.get("ref") or "").strip() for a in lists["articles"]]
    twice = next((i for i, r in enumerate(refs) if r and r in refs[:i]), None)
    if twice is not None:
        ref = refs[twice]
        message = f"条文 {ref}：所采用的条文中有两条出处都是 {ref}，只能采用其中一条"
        raise pa.EditError(f"articles[{twice}].ref", message)
    total = sum(len(v) for v in lists.values())
    if total == 0:
        raise pa.EditError("items", "未勾选任何要采用的内容，草稿未作修改")
    if total > MAX_ITEMS:
        raise pa.EditError("items", f"采用的内容过多（{total} 项，一次最多 {MAX_ITEMS} 项），请分批采用")
    for kind in KINDS:
        for i, item in enumerate(lists[kind]):
            doc = APPLY[kind](doc, i, item)
    summary = {k: len(v) for k, v in lists.items() if v}
    summary["node_ids"] = [f"{n.get('group')}:{n.get('id')}" for n in lists["nodes"]]
    return doc, summary


def apply_proposal(user: User, draft_id: Any, revision: Any, data: dict[str, Any], *, ip: str = "") -> PolicyDraft:
    """Apply the ticked items ({articles: [{ref, text, verified}], nodes: [{group, id, ref, text, when}], steps,
    deadlines, appeal, deciding_body, result_use}) to the draft in one save: one revision, one audit record."""
    summary: dict[str, Any] = {}

    def fn(doc: Doc, tests: Doc) -> tuple[Doc, Doc]:
        new, applied = applied_items(doc, data)
        summary.update(applied)
        return new, tests

    return _edit(user, draft_id, revision, "drafting.assist_apply", fn, ip, applied=summary)
