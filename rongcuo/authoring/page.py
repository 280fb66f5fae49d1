"""What the drafting editor shows and reads back: the view model of each form (the current values, or the
user's own input again when that form was refused), the condition picker's rows, and the POST of each form
turned into the arguments of a rongcuo.authoring.actions verb. Used by rongcuo/web/views/drafting.py."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from rongcuo.policy import authoring as pa
from rongcuo.policy.authoring.common import names_in
from rongcuo.policy.authoring.edit import cited_article
from rongcuo.policy.catalog import OUTCOME_LABELS, catalog

PICKER_BLANK_ROWS = 2
SUB_ROWS = 4
TRUTH = {"": None, "true": True, "false": False}


def picker_rows(tree: dict | None) -> dict[str, Any]:
    """The picker's rows for a tree (plus blank rows to add to): fact rows and one level of nested groups."""
    op = (tree or {}).get("op", "and")
    rows: list[dict[str, Any]] = []
    for item in (tree or {}).get("items") or []:
        if "fact" in item:
            rows.append({"type": "fact", "fact": item["fact"], "negated": item.get("negated", False)})
        else:
            subs = [{"fact": x.get("fact", ""), "negated": x.get("negated", False)} for x in item.get("items") or []]
            subs += [{"fact": "", "negated": False}] * max(0, SUB_ROWS - len(subs))
            rows.append({"type": "group", "op": item.get("op", "or"), "subs": subs})
    rows += [{"type": "fact", "fact": "", "negated": False} for _ in range(PICKER_BLANK_ROWS)]
    rows.append({"type": "group", "op": "or", "subs": [{"fact": "", "negated": False}] * SUB_ROWS})
    for i, r in enumerate(rows):
        r["i"] = i
        for j, s in enumerate(r.get("subs", [])):
            r["subs"][j] = {**s, "j": j}
    return {"op": op, "rows": rows}


def tree_from_post(post: Any) -> dict[str, Any]:
    items: list[dict[str, Any]] = []
    n = int(post.get("rows") or 0) if str(post.get("rows") or "").isdigit() else 0
    for i in range(min(n, 40)):
        if post.get(f"r{i}_type") == "group":
            subs = [
                {"fact": post.get(f"r{i}_{j}_fact"), "negated": post.get(f"r{i}_{j}_neg") == "on"}
                for j in range(SUB_ROWS)
                if post.get(f"r{i}_{j}_fact")
            ]
            if subs:
                items.append({"op": post.get(f"r{i}_op") or "or", "items": subs})
        elif post.get(f"r{i}_fact"):
            items.append({"fact": post.get(f"r{i}_fact"), "negated": post.get(f"r{i}_neg") == "on"})
    return {"op": post.get("op") or "and", "items": items}


def split_list(value: str | None) -> list[str]:
    return [x.strip() for x in (value or "").replace("，", "、").replace(",", "、").split("、") if x.strip()]


def node_data(post: Any, group: str) -> dict[str, Any]:
    data: dict[str, Any] = {k: (post.get(k) or "").strip() for k in ("id", "ref", "text", "label")}
    if not data["label"]:
        del data["label"]
    data["old_id"] = post.get("old_id") or None
    if post.get("mode") == "picker":
        data["tree"] = tree_from_post(post)
    else:
        data["when"] = (post.get("when") or "").strip()
    if group == "outcomes":
        data["outcome"] = post.get("outcome") or ""
        data["dispositions"] = post.getlist("dispositions")
    return data


def case_row(post: Any, facts: list[str], kept: dict[str, Any]) -> dict[str, Any]:
    values = {f: TRUTH[post.get(f"f_{f}", "")] for f in facts if post.get(f"f_{f}", "") in ("true", "false")}
    expect: dict[str, Any] = {"outcome": post.get("outcome") or ""}
    if split_list(post.get("dispositions")):
        expect["dispositions"] = split_list(post.get("dispositions"))
    if split_list(post.get("citations")):
        expect["citations"] = split_list(post.get("citations"))
    if kept.get("decisive_facts") is not None:
        expect["decisive_facts"] = kept["decisive_facts"]
    return {
        "name": (post.get("name") or "").strip(),
        "on": (post.get("on") or "").strip() or None,
        "facts": values,
        "expect": expect,
    }


def result_use(post: Any) -> dict[str, Any]:
    rule: dict[str, Any] = {k: post.get(k, "").strip() for k in ("id", "applies_to", "ref", "text")}
    rule["unaffected"] = post.getlist("unaffected")
    rule["no_negative_evaluation"] = post.get("no_negative_evaluation") == "on"
    months, note = post.get("months", "").strip(), post.get("period_note", "").strip()
    if months or note:
        rule["influence_period"] = {"months": int(months) if months.isdigit() else months or None, "note": note or None}
    if post.getlist("after_period_unaffected"):
        rule["after_period_unaffected"] = post.getlist("after_period_unaffected")
    return rule


def form_values(failed: dict | None, key: str, current: dict[str, Any]) -> dict[str, Any]:
    """The values a form shows: the user's own input when this form was refused, else the current ones."""
    if failed and failed["form"] == key:
        post = failed["post"]
        out = {k: post.get(k, "" if not isinstance(v, bool) else False) for k, v in current.items()}
        for k, v in current.items():
            if isinstance(v, bool):
                out[k] = post.get(k) == "on"
        tail = field_tail(failed["field"])
        return {**out, "err_message": failed["message"], "err_field": tail, "err_top": tail not in current}
    return current


def field_tail(field: str) -> str:
    """The form field a library field path names: "situations[s_x].when" → "when", "cases[2].expect.outcome" →
    "outcome", "effective_from" → "effective_from"."""
    tail = (field or "").rsplit(".", 1)[-1]
    tail = tail.split("[", 1)[0] if "[" in tail else tail
    return {"from": "effective_from", "to": "effective_to", "url": "source_url"}.get(tail, tail)


def node_view(doc: dict, group: str, node: dict, failed: dict | None, readings: list[dict]) -> dict[str, Any]:
    key = f"node:{group}:{node.get('id')}"
    when = str(node.get("when") or "")
    current = {
        "id": node.get("id", ""),
        "ref": node.get("ref", ""),
        "text": node.get("text", ""),
        "label": node.get("label", ""),
        "when": when,
    }
    tree = pa.expr_to_tree(when, doc) if when else {"op": "and", "items": []}
    mode = "picker" if tree is not None else "text"
    if failed and failed["form"] == key:
        post = failed["post"]
        mode = post.get("mode") or mode
        tree = tree_from_post(PostView(post)) if mode == "picker" else tree
    shown = form_values(failed, key, current)
    dispositions = node.get("dispositions") or []
    if failed and failed["form"] == key and group == "outcomes":
        d = failed["post"].get("dispositions") or []
        dispositions = d if isinstance(d, list) else [d]
    return {
        "group": group,
        "group_label": pa.GROUP_LABELS[group],
        "key": key,
        "node": node,
        "v": shown,
        "sentence": pa.expr_sentence(when, doc) if when else "（尚未写成立条件）",
        "mode": mode,
        "picker": picker_rows(tree),
        "outcome": node.get("outcome", ""),
        "outcome_label": OUTCOME_LABELS.get(str(node.get("outcome") or ""), ""),
        "dispositions": dispositions,
        "readings": [r for r in readings if r.get("node") == node.get("id")],
    }


class PostView:
    """A stored POST dict read as request.POST is (get, getlist)."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def get(self, key: str, default: Any = None) -> Any:
        value = self.data.get(key, default)
        return value[-1] if isinstance(value, list) else value

    def getlist(self, key: str) -> list[Any]:
        value = self.data.get(key)
        return value if isinstance(value, list) else ([] if value is None else [value])


def blank_node(group: str) -> dict[str, Any]:
    node: dict[str, Any] = {"id": "", "ref": "", "text": "", "when": ""}
    if group == "outcomes":
        node.update(outcome="exempt", dispositions=[])
    return node


def fact_columns(analysis: pa.Analysis, doc: dict) -> list[tuple[str, str]]:
    """The facts the tests table asks for: every fact the measure reads (inherited red lines included)."""
    facts = {f.id: f.label for f in catalog().facts.values()}
    version = doc["versions"][-1]
    for fid, f in (version.get("facts") or {}).items():
        facts[fid] = str((f or {}).get("label") or fid)
    if analysis.policy is not None:
        used = analysis.policy.versions[-1].facts_used()
    else:
        used = tuple(
            sorted(
                {n for g in pa.GROUPS for node in version.get(g) or [] for n in names(node.get("when")) if n in facts}
            )
        )
    return [(f, facts.get(f, f)) for f in used]


def names(expr: Any) -> set[str]:
    return names_in(expr)


def case_views(
    tests: dict, columns: list[tuple[str, str]], analysis: pa.Analysis, failed: dict | None
) -> list[dict[str, Any]]:
    rows = []
    results = analysis.tests
    cases = list(tests.get("cases") or [])
    for i, case in enumerate([*cases, None]):
        key = f"test:{i}" if case is not None else "test:new"
        case = case or {"name": "", "on": None, "facts": {}, "expect": {"outcome": "exempt"}}
        expect = case.get("expect") or {}
        facts = case.get("facts") or {}
        values = {f: ("" if facts.get(f) is None else "true" if facts.get(f) else "false") for f, _ in columns}
        shown = {
            "name": case.get("name", ""),
            "on": str(case.get("on") or ""),
            "outcome": expect.get("outcome", ""),
            "dispositions": "、".join(expect.get("dispositions") or []),
            "citations": "、".join(expect.get("citations") or []),
        }
        if failed and failed["form"] == key:
            post = failed["post"]
            shown = {k: post.get(k, "") for k in shown}
            values = {f: post.get(f"f_{f}", "") for f, _ in columns}
        result = results[i] if key != "test:new" and i < len(results) else None
        rows.append(
            {
                "i": i,
                "key": key,
                "new": key == "test:new",
                "v": shown,
                "result": result,
                "cells": [{"id": f, "label": label, "value": values[f]} for f, label in columns],
                "error": failed["message"] if failed and failed["form"] == key else "",
            }
        )
    return rows


def articles(doc: dict, failed: dict | None, readings: list[dict]) -> tuple[list[dict], list[dict]]:
    version = doc["versions"][-1]
    refs = [str(a.get("ref")) for a in version.get("articles") or []]
    by_article: dict[str, list[dict]] = {r: [] for r in refs}
    loose: list[dict] = []
    for g in pa.GROUPS:
        for node in version.get(g) or []:
            view = node_view(doc, g, node, failed, readings)
            target = cited_article(node.get("ref"), refs)
            by_article.get(target, loose).append(view)
    articles = []
    for a in version.get("articles") or []:
        ref = str(a.get("ref"))
        current = {
            "ref": ref,
            "text": a.get("text", ""),
            "verified": a.get("verified") is True,
            "kind": a.get("kind", "text"),
        }
        nodes = by_article[ref]
        articles.append(
            {
                "a": a,
                "key": f"article:{ref}",
                "v": form_values(failed, f"article:{ref}", current),
                "nodes": nodes,
                "anchor": quote(ref),
                "readings": [r for r in readings if not r.get("node") and r.get("ref") == ref],
            }
        )
    return articles, loose


def meta(doc: dict, failed: dict | None) -> dict[str, Any]:
    v = doc["versions"][-1]
    eff, src = v.get("effective") or {}, v.get("source") or {}
    current = {
        "title": doc.get("title", ""),
        "issued_by": doc.get("issued_by", ""),
        "version": v.get("version", ""),
        "version_title": v.get("title", ""),
        "document_number": v.get("document_number", ""),
        "issued": str(v.get("issued") or ""),
        "effective_from": str(eff.get("from") or ""),
        "effective_to": str(eff.get("to") or ""),
        "effective_note": eff.get("note", ""),
        "source_url": src.get("url", ""),
        "source_note": src.get("note", ""),
        "completeness": v.get("completeness", "partial"),
        "completeness_note": v.get("completeness_note", ""),
        "applies_by": v.get("applies_by", "conduct_date"),
    }
    return form_values(failed, "meta", current)


def extras(version: dict, failed: dict | None) -> dict[str, Any]:
    """结果运用 rules and procedure steps with their forms (the user's input again where one was refused)."""
    rules = []
    for r in [*(version.get("result_use") or []), None]:
        key = f"result_use:{r['id']}" if r else "result_use:new"
        r = r or {"id": "", "applies_to": "exempt", "ref": "", "text": "", "unaffected": []}
        period = r.get("influence_period") or {}
        current = {
            "id": r.get("id", ""),
            "applies_to": r.get("applies_to", ""),
            "ref": r.get("ref", ""),
            "text": r.get("text", ""),
            "months": str(period.get("months") or ""),
            "period_note": period.get("note") or "",
            "no_negative_evaluation": bool(r.get("no_negative_evaluation")),
        }
        v = form_values(failed, key, current)
        unaffected = r.get("unaffected") or []
        if failed and failed["form"] == key:
            got = failed["post"].get("unaffected") or []
            unaffected = got if isinstance(got, list) else [got]
        rules.append(
            {
                "key": key,
                "r": r,
                "v": v,
                "unaffected": unaffected,
                "new": key.endswith(":new"),
                "applies_label": OUTCOME_LABELS.get(str(r.get("applies_to")), ""),
            }
        )
    steps = []
    for i, st in enumerate([*((version.get("procedure") or {}).get("steps") or []), None]):
        key = f"step:{i}" if st else "step:new"
        st = st or {"stage": "", "name": "", "ref": "", "text": ""}
        current = {k: st.get(k, "") for k in ("stage", "name", "ref", "text")}
        steps.append({"key": key, "i": i, "v": form_values(failed, key, current), "new": key == "step:new"})
    return {
        "result_rules": rules,
        "steps": steps,
        "areas": list(catalog().areas.items()),
        "stages": list(catalog().stages.items()),
    }
