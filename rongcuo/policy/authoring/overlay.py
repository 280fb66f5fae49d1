"""A derived draft as its changes against the parent version (the overlay), so that when the parent measure
gets a new version the drafter sees, item by item, what the parent changed, which of those the draft
overrides (a conflict to decide) and which it simply inherits, and can move the draft onto the new version.

Items are matched by their ids: articles by `ref`, rule nodes by group and `id`, local facts, 结果运用 rules
by `id`, the procedure by block; the readings are one list. Every change is {"op": "add" | "replace" |
"remove", "value": …}. `layout` records, only where applying the changes would not give it back, the order of
a list (or that the draft has no such field at all), so that apply_overlay(p, overlay(p, d), head_of(d)) == d.
"""

from __future__ import annotations

import copy
from typing import Any

from .common import GROUP_LABELS, GROUPS, last_version
from .yamlio import VERSION_ORDER

LISTS = {"articles": "ref", "result_use": "id", **{g: "id" for g in GROUPS}}
MAPS = ("facts", "procedure")
CONTAINERS = (*LISTS, *MAPS, "readings")
# Parent fields a review shows: the content of the measure, not the parent document's own name and dates.
CONTENT_META = ("completeness", "completeness_note", "applies_by", "base", "open_situations", "otherwise")
OP_WORDS = {"add": "新增", "replace": "修改", "remove": "删除"}
META_WORDS = {
    "version": "版本名", "title": "版本标题", "effective": "有效期", "issued": "印发日期",
    "document_number": "发文字号",
    "source": "来源", "completeness": "完整性", "completeness_note": "完整性说明", "applies_by": "新旧版本适用",
    "base": "共同红线", "open_situations": "未尽情形", "otherwise": "兜底结论",
}
PROCEDURE_WORDS = {"steps": "程序步骤", "proactive": "主动容错", "application": "依申请容错",
                   "deciding_body": "认定机关", "deadlines": "期限", "appeal": "申诉"}


def _keyed(items: Any, key: str) -> dict[str, Any]:
    """A list as key → item, in order; an item without the key (or a repeated key) gets a positional key."""
    out: dict[str, Any] = {}
    for i, item in enumerate(items if isinstance(items, list) else []):
        k = item.get(key) if isinstance(item, dict) else None
        k = k if isinstance(k, str) and k and not k.startswith("#") else f"#{i}"
        while k in out:
            k = f"{k}#{i}"
        out[k] = item
    return out


def _changes(old: dict[str, Any], new: dict[str, Any]) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for k, value in new.items():
        if k not in old:
            out[k] = {"op": "add", "value": copy.deepcopy(value)}
        elif old[k] != value:
            out[k] = {"op": "replace", "value": copy.deepcopy(value)}
    for k in old:
        if k not in new:
            out[k] = {"op": "remove"}
    return out


def _apply(old: dict[str, Any], changes: dict[str, dict]) -> dict[str, Any]:
    out = copy.deepcopy(old)
    for k, change in changes.items():
        if change.get("op") == "remove":
            out.pop(k, None)
        else:
            out[k] = copy.deepcopy(change.get("value"))
    return out


def _order(current: dict[str, Any], layout: list[str]) -> dict[str, Any]:
    """`current` in the recorded order; items the record does not know (the parent's new ones, after a rebase)
    stay after the item they followed."""
    keys = [k for k in layout if k in current]
    placed = set(keys)
    previous: str | None = None
    for k in current:
        if k not in placed:
            keys.insert(keys.index(previous) + 1 if previous is not None else 0, k)
            placed.add(k)
        previous = k
    return {k: current[k] for k in keys}


def _meta(version: dict) -> dict[str, Any]:
    return {k: v for k, v in version.items() if k not in CONTAINERS}


def _container(version: dict, name: str) -> dict[str, Any]:
    if name in LISTS:
        return _keyed(version.get(name), LISTS[name])
    value = version.get(name)
    return value if isinstance(value, dict) else {}


def _changes_of(parent: dict, version: dict) -> dict[str, Any]:
    ov: dict[str, Any] = {
        "meta": _changes(_meta(parent), _meta(version)),
        "articles": _changes(_container(parent, "articles"), _container(version, "articles")),
        "nodes": {},
        "facts": _changes(_container(parent, "facts"), _container(version, "facts")),
        "readings": None,
        "result_use": _changes(_container(parent, "result_use"), _container(version, "result_use")),
        "procedure": _changes(_container(parent, "procedure"), _container(version, "procedure")),
        "layout": {},
    }
    for g in GROUPS:
        for k, change in _changes(_container(parent, g), _container(version, g)).items():
            ov["nodes"][f"{g}:{k}"] = change
    if ("readings" in parent, parent.get("readings")) != ("readings" in version, version.get("readings")):
        ov["readings"] = copy.deepcopy(version.get("readings") or [])
    return ov


def overlay(parent_version: dict, doc: dict) -> dict:
    """What the document's last version changes against the parent version (see the module docstring)."""
    version = last_version(doc)
    ov = _changes_of(parent_version, version)
    natural = _apply_version(parent_version, ov)
    for name in CONTAINERS:
        if name not in version:
            if name in natural:
                ov["layout"][name] = None
            continue
        have = list(_container(natural, name)) if name != "readings" else None
        want = list(_container(version, name)) if name != "readings" else None
        if name not in natural or have != want:
            ov["layout"][name] = want if want is not None else []
    return ov


def _apply_version(parent: dict, ov: dict) -> dict:
    v = _apply(_meta(parent), ov.get("meta") or {})
    layout = ov.get("layout") or {}
    for name in CONTAINERS:
        if name in layout and layout[name] is None:
            continue  # the draft has no such field
        if name == "readings":
            if ov.get("readings") is not None:
                v["readings"] = copy.deepcopy(ov["readings"])
            elif "readings" in parent:
                v["readings"] = copy.deepcopy(parent["readings"])
            continue
        if name in GROUPS:
            prefix = f"{name}:"
            changes = {k[len(prefix):]: c for k, c in (ov.get("nodes") or {}).items() if k.startswith(prefix)}
        else:
            changes = ov.get(name) or {}
        if name not in parent and not changes and name not in layout:
            continue
        items = _apply(_container(parent, name), changes)
        if layout.get(name) is not None:
            items = _order(items, layout[name])
        v[name] = list(items.values()) if name in LISTS else items
    ordered = {k: v[k] for k in VERSION_ORDER if k in v}
    ordered.update((k, x) for k, x in v.items() if k not in ordered)
    return ordered


def apply_overlay(parent_version: dict, ov: dict, head: dict) -> dict:
    """The document: `head` (head_of) with the parent version changed by the overlay as its last version."""
    doc = {k: copy.deepcopy(v) for k, v in head.items() if k != "versions"}
    doc["versions"] = [*copy.deepcopy(head.get("versions") or []), _apply_version(parent_version, ov)]
    return doc


def rebase(new_parent: dict, ov: dict, head: dict) -> dict:
    """The draft moved onto a new parent version: its own changes over the new parent's content (where both
    changed an item, the draft's wins: review_parent_change lists those first)."""
    return apply_overlay(new_parent, ov, head)


# --- what changed, in Chinese --------------------------------------------------------------------------------


def _what(kind: str, key: str, value: Any = None) -> str:
    if kind == "node":
        group, _, nid = key.partition(":")
        ref = value.get("ref") if isinstance(value, dict) else None
        return f"{GROUP_LABELS.get(group, group)} {nid}" + (f"（{ref}）" if ref else "")
    if kind == "article":
        return f"条文 {key}"
    if kind == "fact":
        label = value.get("label") if isinstance(value, dict) else None
        return f"本地事实 {key}" + (f"（{label}）" if label else "")
    if kind == "result_use":
        return f"结果运用 {key}"
    if kind == "procedure":
        return f"程序·{PROCEDURE_WORDS.get(key, key)}"
    if kind == "readings":
        return "解读说明"
    return META_WORDS.get(key, key)


def _rows(ov: dict) -> list[tuple[str, str, str, dict]]:
    """(kind, category in the overlay, key, change) for every change of an overlay."""
    out: list[tuple[str, str, str, dict]] = []
    for kind, cat in (("meta", "meta"), ("article", "articles"), ("node", "nodes"), ("fact", "facts"),
                      ("result_use", "result_use"), ("procedure", "procedure")):
        out += [(kind, cat, k, c) for k, c in (ov.get(cat) or {}).items()]
    if ov.get("readings") is not None:
        out.append(("readings", "readings", "readings", {"op": "replace", "value": ov["readings"]}))
    return out


def describe_overlay(ov: dict) -> list[dict]:
    """Each change the draft makes to its parent: {kind, key, op, summary 「本草案修改了容错情形 s_x（第六条）」}."""
    return [{"kind": kind, "key": key, "op": c.get("op"),
             "summary": f"本草案{OP_WORDS.get(c.get('op'), '修改')}了{_what(kind, key, c.get('value'))}"}
            for kind, _, key, c in _rows(ov)]


def _value(version: dict, cat: str, key: str) -> Any:
    if cat == "meta":
        return version.get(key)
    if cat == "readings":
        return version.get("readings")
    if cat == "nodes":
        group, _, nid = key.partition(":")
        return _container(version, group).get(nid)
    return _container(version, cat).get(key)


def review_parent_change(old_parent: dict, new_parent: dict, ov: dict) -> list[dict]:
    """Each change of the parent between two of its versions, and whether the draft overrides the same item:
    {kind, key, op, conflict, same (the draft made the same change), parent_old, parent_new, draft, summary}.
    Conflicts come first. The parent's own name, dates and source are not listed (the draft has its own)."""
    changes = _changes_of(old_parent, new_parent)
    rows = []
    for kind, cat, key, change in _rows(changes):
        if kind == "meta" and key not in CONTENT_META:
            continue
        if cat == "readings":
            mine = {"op": "replace", "value": ov["readings"]} if ov.get("readings") is not None else None
        else:
            mine = (ov.get(cat) or {}).get(key)
        new_value = _value(new_parent, cat, key)
        same = mine is not None and ((mine.get("op") == "remove" and change["op"] == "remove")
                                     or (mine.get("op") != "remove" and mine.get("value") == new_value))
        conflict = mine is not None and not same
        what = _what(kind, key, new_value if change["op"] != "remove" else _value(old_parent, cat, key))
        head = f"上级办法{OP_WORDS[change['op']]}了{what}"
        if conflict:
            tail = (f"本草案也{OP_WORDS.get(mine.get('op'), '修改')}了此项："
                    "须决定保留本草案的规定，还是采用上级办法的新规定")
        elif same:
            tail = "本草案已作同样的改动"
        else:
            tail = "本草案未改动此项，将随上级办法一并更新"
        rows.append({
            "kind": kind, "key": key, "op": change["op"], "conflict": conflict, "same": same,
            "parent_old": copy.deepcopy(_value(old_parent, cat, key)), "parent_new": copy.deepcopy(new_value),
            "draft": copy.deepcopy(mine.get("value")) if mine is not None else None, "summary": f"{head}；{tail}",
        })
    rows.sort(key=lambda r: not r["conflict"])
    return rows
