"""Adding, changing and removing rule nodes and outcome rules, checked as the loader checks them."""

from __future__ import annotations

from typing import Any

from ..catalog import OUTCOME_LABELS, catalog
from ..errors import PolicyError
from ..expr import parse
from ..model import GROUP_NAMES
from .common import (
    GROUP_LABELS,
    GROUP_WORDS,
    GROUPS,
    NODE_GROUPS,
    EditError,
    all_node_ids,
    base_node_ids,
    edited,
    fail,
    group_nodes,
    ident,
    inherited_ids,
    known_facts,
    last_version,
    names_in,
    node_field,
    optional_text,
    rename_name,
    reserved_ids,
    text,
)

NODE_KEYS = ("id", "ref", "text", "when", "label")
OUTCOME_KEYS = ("id", "ref", "text", "when", "outcome", "dispositions")
MAX_WHEN = 2_000


def _group(group: Any) -> str:
    if group not in GROUPS:
        raise EditError("group", f"规则组：未知的组「{group}」；应为 {'、'.join(GROUP_LABELS.values())} 之一")
    return group


def _index(version: dict, group: str, node_id: str) -> int:
    for i, n in enumerate(version.get(group) or []):
        if isinstance(n, dict) and n.get("id") == node_id:
            return i
    raise EditError(f"{group}[{node_id}]", f"{GROUP_WORDS[group]} {node_id}：没有这条规则")


def _check_when(version: dict, group: str, node_id: str, when: Any, own_ids: set[str]) -> str:
    field, name = node_field(group, node_id, "when")
    when = text(when, field, name, limit=MAX_WHEN)
    try:
        expr = parse(when)
    except PolicyError as exc:
        raise fail(field, name, exc.message) from None
    names = set(expr.names())
    if group == "outcomes":
        allowed = set(GROUP_NAMES) | own_ids | set(inherited_ids(version))
        unknown = sorted(names - allowed)
        if unknown:
            raise fail(field, name, f"只能引用组名（{', '.join(GROUP_NAMES)}）或本版本的规则编号，"
                                    f"不认识 {', '.join(unknown)}")
        return when
    facts = known_facts(version)
    rules = sorted((names - facts) & (own_ids | set(GROUP_NAMES)))
    if rules:
        raise fail(field, name, f"规则只能引用事实，不能引用规则编号或组名 {', '.join(rules)}")
    unknown = sorted(names - facts)
    if unknown:
        raise fail(field, name, f"未知事实 {', '.join(unknown)}：应为要件库中的事实或本办法声明的本地事实")
    return when


def _check_dispositions(node_id: str, outcome: Any, dispositions: Any) -> tuple[str, list[str]]:
    field, name = node_field("outcomes", node_id, "outcome")
    if outcome not in ("exempt", "mitigate", "not_tolerated"):
        choices = "、".join(f"{OUTCOME_LABELS[o]}（{o}）" for o in ("exempt", "mitigate", "not_tolerated"))
        raise fail(field, name, f"应为 {choices} 之一")
    field, name = node_field("outcomes", node_id, "dispositions")
    if not isinstance(dispositions, list | tuple) or not dispositions:
        raise fail(field, name, "至少选一种")
    known = catalog().dispositions
    out: list[str] = []
    for d in dispositions:
        if d not in known:
            raise fail(field, name, f"未知的处理方式「{d}」；应为 {'、'.join(known)} 之一")
        if d in out:
            raise fail(field, name, f"「{d}」重复")
        out.append(d)
    kinds = {known[d] for d in out}
    if outcome not in kinds:
        raise fail(field, name, f"{'、'.join(out)} 中没有一项属于结论「{OUTCOME_LABELS[outcome]}」")
    if outcome == "mitigate" and "exempt" in kinds:
        raise fail(field, name, "从轻减轻的结论不能包含免予问责类处理方式")
    return outcome, out


def _check_id(version: dict, group: str, node_id: Any, old_id: str | None) -> str:
    node_id = ident(node_id, f"{group}[{node_id}].id", f"{GROUP_WORDS[group]}的编号")
    field, name = node_field(group, node_id, "id")
    taken = all_node_ids(version)
    if node_id != old_id and node_id in taken:
        raise fail(field, name, f"已被{GROUP_LABELS[taken[node_id]]}中的规则使用，编号在本版本内须唯一")
    if node_id in known_facts(version):
        raise fail(field, name, "与事实名相同，请换一个编号")
    if node_id in reserved_ids():
        raise fail(field, name, "是组名或系统保留编号，请换一个编号")
    if node_id in base_node_ids(version):
        raise fail(field, name, "与共同红线的规则编号相同，请换一个编号")
    return node_id


def put_node(doc: dict, group: str, node: dict, *, old_id: str | None = None, position: int | None = None) -> dict:
    """Add a rule node (or outcome rule) to a group, or replace the one with id `old_id` (a renamed id is
    followed by the outcome rules and readings naming it). `position` places it in the group's list; without
    it a replaced node keeps its place and a new one goes last. Outcome rules are tried in list order."""
    group = _group(group)
    version = last_version(doc)
    if not isinstance(node, dict):
        raise EditError(f"{group}", f"{GROUP_LABELS[group]}：规则应为映射（id、ref、text、when …）")
    allowed = OUTCOME_KEYS if group == "outcomes" else NODE_KEYS
    extra = sorted(set(node) - set(allowed))
    if extra:
        raise EditError(f"{group}[{node.get('id')}]",
                        f"{GROUP_WORDS[group]} {node.get('id')}：不认识的字段 {', '.join(map(str, extra))}")
    if old_id is not None:
        old_index = _index(version, group, old_id)
    node_id = _check_id(version, group, node.get("id"), old_id)
    # what a condition may name: an outcome rule reads the groups' nodes; a node reads facts only (a rule id
    # there is reported as such, not as an unknown fact)
    if group == "outcomes":
        own = {i for i, g in all_node_ids(version).items() if g in NODE_GROUPS}
    else:
        own = (set(all_node_ids(version)) - {old_id}) | {node_id}
    field, name = node_field(group, node_id, "ref")
    ref = text(node.get("ref"), field, name)
    field, name = node_field(group, node_id, "text")
    body = text(node.get("text"), field, name, required=group != "outcomes", multiline=True)
    new_node: dict[str, Any] = {"id": node_id, "ref": ref, "text": body}
    if group != "outcomes" and node.get("label") not in (None, ""):
        field, name = node_field(group, node_id, "label")
        new_node["label"] = optional_text(node.get("label"), field, name)
    new_node["when"] = _check_when(version, group, node_id, node.get("when"), own)
    if group == "outcomes":
        new_node["outcome"], new_node["dispositions"] = _check_dispositions(
            node_id, node.get("outcome"), node.get("dispositions")
        )
    new, v = edited(doc)
    items = list(v.get(group) or [])
    if old_id is not None:
        items.pop(old_index)
        at = old_index if position is None else position
    else:
        at = len(items) if position is None else position
    if not isinstance(at, int) or isinstance(at, bool) or not 0 <= at <= len(items):
        raise EditError(f"{group}[{node_id}].position",
                        f"{GROUP_WORDS[group]} {node_id} 的位置：应为 0 至 {len(items)}")
    items.insert(at, new_node)
    v[group] = items
    if old_id is not None and old_id != node_id:
        _rename_references(v, old_id, node_id)
    return new


def _rename_references(v: dict, old: str, new: str) -> None:
    for rule in group_nodes(v, "outcomes"):
        if isinstance(rule.get("when"), str):
            rule["when"] = rename_name(rule["when"], old, new)
    for reading in v.get("readings") or []:
        if isinstance(reading, dict) and reading.get("node") == old:
            reading["node"] = new


def remove_node(doc: dict, group: str, node_id: str) -> dict:
    """Remove a rule; refused while an outcome rule's condition or a reading names it (say what to change
    first), and for the last outcome rule (a measure needs one)."""
    group = _group(group)
    version = last_version(doc)
    index = _index(version, group, node_id)
    field = f"{group}[{node_id}]"
    label = f"{GROUP_WORDS[group]} {node_id}"
    readers = [r.get("id") for r in group_nodes(version, "outcomes") if r.get("id") != node_id
               and node_id in names_in(r.get("when"))]
    if readers:
        raise EditError(field, f"{label}：结论规则 {'、'.join(map(str, readers))} 的成立条件引用了它，"
                               "请先修改这些结论规则")
    readings = [str(i + 1) for i, r in enumerate(version.get("readings") or [])
                if isinstance(r, dict) and r.get("node") == node_id]
    if readings:
        raise EditError(field, f"{label}：第 {'、'.join(readings)} 条解读说明解释的是这条规则，"
                               "请先修改或删除这些解读说明")
    if group == "outcomes" and len(group_nodes(version, "outcomes")) <= 1:
        raise EditError(field, f"{label}：办法至少要有一条结论规则")
    new, v = edited(doc)
    items = list(v[group])
    items.pop(index)
    v[group] = items
    return new
