"""「从原文起草」: paste a measure's text or upload a .docx/.txt, see the assistant's proposal article by article,
tick what to adopt (editing a rule's group, id, ref, text and condition), and apply it in one save.

The proposal is never kept in the session nor posted back as hidden items: the page carries the analysed text
(a hidden field) and the apply request re-computes the proposal from it (the assistant is deterministic), then
takes only the ticked items with the drafter's edits. Errors show beside the item they name; nothing is saved.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from rongcuo.authoring import actions, source
from rongcuo.authoring import assist as verbs
from rongcuo.authoring.models import PolicyDraft
from rongcuo.core.errors import ActionError, Invalid, NotFound
from rongcuo.policy import authoring as pa
from rongcuo.policy.assistant import Proposal
from rongcuo.policy.assistant.sources import MAX_DOCX_BYTES, MAX_TXT_BYTES
from rongcuo.policy.authoring.common import NODE_GROUPS, all_node_ids, base_node_ids, rename_name
from rongcuo.policy.catalog import OUTCOME_LABELS, catalog

from .auth import client_ip
from .drafting import MISSING, _draft_or_404, _require_drafter

UPLOAD_LIMIT = max(MAX_TXT_BYTES, MAX_DOCX_BYTES)
FIELD = re.compile(r"^(\w+)\[(\d+)\](?:\.(\w+))?$")
GROUP_CHOICES = [(g, pa.GROUP_LABELS[g]) for g in NODE_GROUPS]
JOINER = {"conditions": "and", "situations": "and", "exclusions": "or", "mitigations": "or"}
# The assistant's own messages name the expression field by its format name; the page calls it 成立条件.
PLAIN = (("填写 when", "填写成立条件"), ("when", "成立条件"))


def _plain(message: str) -> str:
    for word, plain in PLAIN:
        message = message.replace(word, plain)
    return message


def _percent(confidence: float) -> str:
    return f"{round(confidence * 100)}%"


def _part(proposal: Proposal, ref: str) -> dict[str, Any] | None:
    part = proposal.parts.get(ref)
    if part is None:
        return None
    return {"label": part.label, "cues": part.cues, "confidence": _percent(part.confidence)}


def _unit(unit: str | None) -> str:
    return "个工作日" if unit == "working_days" else "日"


class Posted:
    """The drafter's choices: the posted form on apply, nothing (every default) on the first showing."""

    def __init__(self, post: Any = None) -> None:
        self.post = post

    def take(self, key: str) -> bool:
        return self.post is not None and self.post.get(f"{key}_take") == "on"

    def flag(self, key: str, name: str) -> bool:
        return self.post is not None and self.post.get(f"{key}_{name}") == "on"

    def value(self, key: str, name: str, default: str) -> str:
        if self.post is None:
            return default
        return str(self.post.get(f"{key}_{name}", default))


# --- the proposal as the page shows it --------------------------------------------------------------------------


def _free_id(wanted: str, taken: set[str]) -> str:
    """The proposed id, or with a suffix where the draft already uses it."""
    candidate, k = wanted, 2
    while candidate in taken:
        candidate, k = f"{wanted}_{k}", k + 1
    taken.add(candidate)
    return candidate


def _clauses(prop: Any, key: str, posted: Posted) -> list[dict[str, Any]]:
    out = []
    for j, c in enumerate(prop.clauses):
        choices = [
            {"fact": s.fact, "label": s.label, "score": f"{s.score:.1f}", "matched": "、".join(s.matched)}
            for s in c.suggestions
        ]
        proposed = c.fact or ""
        chosen = posted.value(key, f"c{j}", proposed)
        out.append(
            {
                "j": j,
                "text": c.text,
                "fact": proposed,
                "chosen": chosen,
                "choices": choices,
                "selectable": len(choices) > 1 or (not proposed and choices),
                "negated": c.negated,
            }
        )
    return out


def _node_view(doc: dict, proposal: Proposal, i: int, taken: set[str], posted: Posted) -> dict[str, Any]:
    prop = proposal.nodes[i]
    key = f"n{i}"
    node = prop.node
    when = posted.value(key, "when", node["when"]).strip()
    return {
        "key": key,
        "take": posted.take(key),
        "group": posted.value(key, "group", prop.group),
        "proposed_group": pa.GROUP_LABELS[prop.group],
        "id": posted.value(key, "id", _free_id(node["id"], taken)),
        "ref": posted.value(key, "ref", node["ref"]),
        "text": posted.value(key, "text", node["text"]),
        "when": when,
        "sentence": pa.expr_sentence(when, doc) if when else "（未能匹配要件，请填写成立条件）",
        "part": _part(proposal, node["ref"]),
        "confidence": _percent(prop.confidence),
        "clauses": _clauses(prop, key, posted),
        "whole": [
            {"label": s.label, "score": f"{s.score:.1f}", "matched": "、".join(s.matched)} for s in prop.suggestions
        ],
        "warnings": [_plain(w) for w in prop.warnings],
    }


def _procedure_views(doc: dict, proposal: Proposal, posted: Posted) -> dict[str, Any]:
    stages = catalog().stages
    proc = proposal.procedure
    have = _version(doc).get("procedure") or {}
    deadlines = []
    for i, d in enumerate(proc.get("deadlines") or []):
        m = re.search(r"时限原文「([^」]+)」", d.get("note") or "")
        deadlines.append(
            {
                "key": f"d{i}",
                "take": posted.take(f"d{i}"),
                "d": d,
                "stage": d["stage"],
                "stage_label": stages.get(d["stage"], ""),
                "period": f"{d['within']} {_unit(d.get('unit'))}",
                "as_written": m.group(1) if m else "",
            }
        )
    # each time limit beside the step it times: the step of its stage in the same article, else of its stage
    home: dict[str, int] = {}
    listed = list(enumerate(proc.get("steps") or []))
    for x in deadlines:
        same = [i for i, s in listed if s["stage"] == x["stage"]]
        near = [i for i in same if listed[i][1].get("ref") == x["d"].get("ref")]
        if same:
            home[x["key"]] = (near or same)[0]
    steps = [
        {
            "key": f"s{i}",
            "take": posted.take(f"s{i}"),
            "s": s,
            "stage_label": stages.get(s["stage"], ""),
            "deadlines": [x for x in deadlines if home.get(x["key"]) == i],
        }
        for i, s in listed
    ]
    placed = set(home)
    out: dict[str, Any] = {
        "steps": steps,
        "loose_deadlines": [x for x in deadlines if x["key"] not in placed],
        "steps_in_draft": len(have.get("steps") or []),
    }
    if proc.get("appeal"):
        a = proc["appeal"]
        unit = _unit(a.get("unit"))
        out["appeal"] = {
            "key": "appeal",
            "take": posted.take("appeal"),
            "ref": a.get("ref", ""),
            "within": f"{a['within']} {unit}" if "within" in a else "",
            "within_default": f"原文未规定，系统默认 {verbs.APPEAL_WITHIN} {unit}",
            "decided": f"{a['decided_within']} {unit}" if "decided_within" in a else "",
            "decided_default": f"原文未规定，系统默认 {verbs.APPEAL_DECIDED_WITHIN} {unit}",
            "not_suspended": a.get("suspends_execution") is False,
            "text": _piece_text(proposal, a.get("ref", "")),
            "replaces": bool(have.get("appeal")),
        }
    if proc.get("deciding_body"):
        out["body"] = {
            "key": "body",
            "take": posted.take("body"),
            "b": proc["deciding_body"],
            "replaces": bool(have.get("deciding_body")),
        }
    return out


def _version(doc: dict) -> dict:
    """The version a draft edits (the last one)."""
    return doc["versions"][-1]


def _piece_text(proposal: Proposal, ref: str) -> str:
    return next((p.text for p in proposal.document.pieces() if p.ref == ref), "")


def _result_views(doc: dict, proposal: Proposal, posted: Posted) -> list[dict[str, Any]]:
    areas = catalog().areas
    taken = {str(r.get("id")) for r in _version(doc).get("result_use") or [] if isinstance(r, dict)}
    out = []
    for i, r in enumerate(proposal.result_use):
        key = f"r{i}"
        period = r.get("influence_period")
        out.append(
            {
                "key": key,
                "take": posted.take(key),
                "r": r,
                "id": posted.value(key, "id", _free_id(r["id"], taken)),
                "applies_to": OUTCOME_LABELS.get(r["applies_to"], ""),
                "unaffected": [areas.get(a, a) for a in r.get("unaffected") or []],
                "after": [areas.get(a, a) for a in r.get("after_period_unaffected") or []],
                "period": None if period is None else (f"{period['months']} 个月" if period.get("months") else ""),
            }
        )
    return out


def _views(doc: dict, proposal: Proposal, posted: Posted) -> dict[str, Any]:
    version = _version(doc)
    taken = set(all_node_ids(version)) | set(base_node_ids(version))
    have_refs = {a.get("ref") for a in version.get("articles") or [] if isinstance(a, dict)}
    nodes = [_node_view(doc, proposal, i, taken, posted) for i in range(len(proposal.nodes))]
    by_ref = {n.node["ref"]: [] for n in proposal.nodes}
    for i, n in enumerate(proposal.nodes):
        by_ref[n.node["ref"]].append(nodes[i])
    articles, placed = [], set()
    for i, art in enumerate(proposal.articles):
        refs = [p.ref for p in art.walk()]
        mine = [v for r in dict.fromkeys(refs) for v in by_ref.get(r, [])]
        placed |= {v["key"] for v in mine}
        key = f"a{i}"
        articles.append(
            {
                "key": key,
                "take": posted.take(key),
                "verified": posted.flag(key, "verified"),
                "ref": art.ref,
                "heading": art.heading,
                "chapter": art.chapter,
                "text": art.text,
                "part": _part(proposal, art.ref),
                "exists": art.ref in have_refs,
                "nodes": mine,
            }
        )
    return {
        "articles": articles,
        "loose": [v for v in nodes if v["key"] not in placed],
        "procedure": _procedure_views(doc, proposal, posted),
        "results": _result_views(doc, proposal, posted),
        "nodes_count": len(nodes),
    }


def _field_count(proposal: Proposal) -> int:
    """At most how many fields the proposal form posts with everything ticked: per rule its five fields, its
    fact lists and its box; per article two boxes; per other item its box (and a result-use rule its id)."""
    clauses = sum(len(n.clauses) for n in proposal.nodes)
    proc = proposal.procedure
    others = len(proc.get("steps") or []) + len(proc.get("deadlines") or []) + 2 * len(proposal.result_use) + 2
    return 6 * len(proposal.nodes) + clauses + 2 * len(proposal.articles) + others + 3


# --- what the drafter ticked -------------------------------------------------------------------------------------


def _when(view: dict[str, Any]) -> str:
    """The condition as written in the field, with each clause's fact swapped for the one chosen in its list."""
    when = view["when"]
    for c in view["clauses"]:
        chosen, proposed = c["chosen"], c["fact"]
        if not chosen or chosen == proposed or chosen not in {x["fact"] for x in c["choices"]}:
            continue
        if proposed:
            when = rename_name(when, proposed, chosen)
        else:
            joiner = JOINER.get(view["group"], "and")
            when = f"({when}) {joiner} {chosen}" if when else chosen
    return when


def ticked(views: dict[str, Any], proposal: Proposal) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """apply_proposal's data from the ticked items only, and for each kind the page key of each of its items."""
    data: dict[str, Any] = {k: [] for k in ("articles", "nodes", "steps", "deadlines", "result_use")}
    keys: dict[str, list[str]] = {k: [] for k in verbs.KINDS}

    def add(kind: str, key: str, item: dict[str, Any]) -> None:
        if kind in ("appeal", "deciding_body"):
            data[kind] = item
        else:
            data[kind].append(item)
        keys[kind].append(key)

    for a in views["articles"]:
        if a["take"]:
            add("articles", a["key"], {"ref": a["ref"], "text": a["text"], "verified": a["verified"]})
    for n in [v for a in views["articles"] for v in a["nodes"]] + views["loose"]:
        if n["take"]:
            item = {k: n[k].strip() for k in ("group", "id", "ref", "text")}
            add("nodes", n["key"], {**item, "when": _when(n)})
    proc = views["procedure"]
    for s in proc["steps"]:
        if s["take"]:
            add("steps", s["key"], dict(s["s"]))
    deadlines = [d for s in proc["steps"] for d in s["deadlines"]] + proc["loose_deadlines"]
    for d in sorted(deadlines, key=lambda x: int(x["key"][1:])):
        if d["take"]:
            add("deadlines", d["key"], {k: v for k, v in d["d"].items()})
    if proc.get("appeal") and proc["appeal"]["take"]:
        add("appeal", "appeal", verbs.appeal_with_defaults(proposal.procedure["appeal"])[0])
    if proc.get("body") and proc["body"]["take"]:
        add("deciding_body", "body", dict(proc["body"]["b"]))
    for r in views["results"]:
        if r["take"]:
            add("result_use", r["key"], {**r["r"], "id": r["id"].strip()})
    return data, keys


def _summary(data: dict[str, Any]) -> str:
    words = (
        ("articles", "条文", "条"),
        ("nodes", "规则", "条"),
        ("steps", "程序步骤", "个"),
        ("deadlines", "期限", "个"),
        ("result_use", "结果运用规则", "条"),
    )
    parts = [f"{name} {len(data[k])} {unit}" for k, name, unit in words if data.get(k)]
    parts += [name for k, name in (("appeal", "申诉规定"), ("deciding_body", "认定机关")) if data.get(k)]
    return "、".join(parts)


# --- pages ------------------------------------------------------------------------------------------------------


def _post(request: HttpRequest) -> Any:
    """request.POST, or a Chinese refusal when the form is too large for the server's limits."""
    try:
        return request.POST
    except TooManyFieldsSent:
        raise Invalid("提交的条目过多，超出系统一次可接收的上限，请分段粘贴原文后再采用", field="text") from None
    except RequestDataTooBig:
        raise Invalid("提交的内容过大，超出系统一次可接收的上限，请分段粘贴原文", field="text") from None


def _upload(request: HttpRequest) -> tuple[bytes, str] | None:
    f = request.FILES.get("file")
    if f is None or not f.name:
        return None
    return f.read(UPLOAD_LIMIT + 1), f.name  # at most one byte past the limit: read_source refuses it as too large


def _form(request: HttpRequest, draft: PolicyDraft, text: str = "", error: str = "", status: int = 200):
    ctx = {"draft": draft, "text": text, "error": error, "max_chars": f"{verbs.MAX_TEXT_CHARS:,}"}
    return render(request, "web/drafting/assist.html", ctx, status=status)


def _proposal_page(
    request: HttpRequest,
    draft: PolicyDraft,
    text: str,
    proposal: Proposal,
    posted: Posted,
    failure: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    doc = source.materialise(draft)
    views = _views(doc, proposal, posted)
    failure = failure or {}
    where = failure.get("key")
    for item in _all_items(views):
        if item["key"] == where:
            item["error"], item["error_field"] = failure["message"], failure.get("field", "")
    ctx = {
        "draft": draft,
        "text": text,
        "proposal": proposal,
        "title": proposal.document.title,
        "warnings": [_plain(w) for w in proposal.warnings],
        "groups": GROUP_CHOICES,
        "failure": failure,
        "too_many": _field_count(proposal) > (settings.DATA_UPLOAD_MAX_NUMBER_FIELDS or 10**9),
        **views,
    }
    return render(request, "web/drafting/assist_proposal.html", ctx, status=status)


def _all_items(views: dict[str, Any]) -> list[dict[str, Any]]:
    proc = views["procedure"]
    items = [*views["articles"], *[n for a in views["articles"] for n in a["nodes"]], *views["loose"]]
    items += [*proc["steps"], *[d for s in proc["steps"] for d in s["deadlines"]], *proc["loose_deadlines"]]
    items += [x for x in (proc.get("appeal"), proc.get("body")) if x]
    return items + views["results"]


@login_required
@require_http_methods(["GET", "POST"])
def assist(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: paste or upload. POST: read it and show the proposal."""
    _require_drafter(request)
    if request.method == "GET":
        return _form(request, _draft_or_404(request, pk))
    text = ""
    try:
        post = _post(request)
        text = str(post.get("text") or "")
        reading = verbs.propose(request.user, pk, text=text, upload=_upload(request), ip=client_ip(request))
    except NotFound:
        raise Http404(MISSING) from None
    except ActionError as exc:  # the verb checked the scope first: a refusal here is about the text or the file
        draft = _draft_or_404(request, pk)
        return _form(request, draft, text[: verbs.MAX_TEXT_CHARS], exc.message, status=exc.status)
    return _proposal_page(request, reading.draft, reading.text, reading.proposal, Posted())


@login_required
@require_POST
def apply(request: HttpRequest, pk: int) -> HttpResponse:
    """Re-read the posted text, take the ticked items with the drafter's edits, and apply them in one save."""
    _require_drafter(request)
    draft = _draft_or_404(request, pk)
    try:
        post = _post(request)
        text, proposal = verbs.proposal_of(post.get("source"))
    except ActionError as exc:
        return _form(request, draft, "", exc.message, status=exc.status)
    posted = Posted(post)
    views = _views(source.materialise(draft), proposal, posted)
    data, keys = ticked(views, proposal)
    try:
        saved = verbs.apply_proposal(request.user, pk, post.get("revision"), data, ip=client_ip(request))
    except NotFound:
        raise Http404(MISSING) from None
    except ActionError as exc:
        failure = {"message": exc.message, "conflict": isinstance(exc, actions.StaleRevision)}
        m = FIELD.match(exc.field or "")
        if m and m.group(1) in keys and int(m.group(2)) < len(keys[m.group(1)]):
            failure.update(key=keys[m.group(1)][int(m.group(2))], field=m.group(3) or "")
        current = _draft_or_404(request, pk)  # the revision now stored: the form is re-posted on it
        return _proposal_page(request, current, text, proposal, posted, failure, status=exc.status)
    messages.success(request, f"操作已完成：已采用{_summary(data)}，保存为第 {saved.revision} 稿")
    return redirect("web:drafting_editor", saved.pk)
