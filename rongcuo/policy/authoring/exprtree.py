"""Conditions as the picker shows them (且/或/非 over facts, at most two levels), and in readable Chinese.

The picker edits the common shapes: `a and not b`, `a or (b and c)`, `(a or b) and c`. Anything else
(at_least, ==, constants, deeper nesting, `not (…)`) is left to the text box: expr_to_tree says None.
"""

from __future__ import annotations

from typing import Any

from ..catalog import catalog
from ..errors import PolicyError
from ..expr import And, AtLeast, Const, Expr, Name, Not, Or, Same, Unknown, parse
from ..model import GROUP_NAMES
from .common import GROUP_WORDS, GROUPS, EditError, group_nodes, ident, known_facts, last_version, local_facts

OPS = {"and": And, "or": Or}
# Chinese of the group names an outcome rule reads
GROUP_NAME_WORDS = {
    "excluded": "存在不予容错情形",
    "conditions_met": "符合全部容错条件",
    "situation": "属于容错情形",
    "mitigated": "具有从轻减轻情形",
    "tolerable": "可以容错",
}
# The fact groups of the catalog, in the words the library pages use for them; local facts last.
FACT_GROUPS = (
    ("red_line", "红线（不予容错情形）"),
    ("condition", "容错条件"),
    ("situation", "容错情形"),
    ("consequence", "后果"),
)
LOCAL_GROUP = "本地办法特有事实"


def _leaf(e: Expr, facts: set[str] | None) -> dict | None:
    negated = isinstance(e, Not)
    inner = e.item if isinstance(e, Not) else e
    if not isinstance(inner, Name) or inner.name in GROUP_NAMES:
        return None
    if facts is not None and inner.name not in facts:
        return None
    return {"fact": inner.name, "negated": negated}


def _group(e: Expr, facts: set[str] | None, depth: int) -> dict | None:
    if not isinstance(e, And | Or):
        return None
    items = []
    for item in e.items:
        leaf = _leaf(item, facts)
        if leaf is None and depth == 1:
            leaf = _group(item, facts, 2)
        if leaf is None:
            return None
        items.append(leaf)
    return {"op": "and" if isinstance(e, And) else "or", "items": items}


def expr_to_tree(expr: str, doc: dict | None = None) -> dict | None:
    """{"op": "and"|"or", "items": [{"fact", "negated"} | {"op", "items": [facts]}]}; a single fact is a
    one-item "and". None when the picker cannot show it (or it does not parse). With `doc`, every name must
    be one of its facts (catalog or local); without, any name but a group name."""
    try:
        e = parse(expr)
    except PolicyError:
        return None
    facts = known_facts(last_version(doc)) if doc is not None else None
    leaf = _leaf(e, facts)
    if leaf is not None:
        return {"op": "and", "items": [leaf]}
    return _group(e, facts, 1)


def _item_text(item: Any, facts: set[str] | None, depth: int, where: str) -> tuple[str, bool]:
    """(text, is a compound needing parentheses) of one tree item."""
    if not isinstance(item, dict):
        raise EditError("when", f"成立条件：第 {where} 项应为事实或一组事实")
    if "fact" in item:
        if set(item) - {"fact", "negated"}:
            raise EditError("when", f"成立条件：第 {where} 项有不认识的字段")
        fid = ident(item.get("fact"), "when", f"成立条件第 {where} 项的事实")
        if fid in GROUP_NAMES or (facts is not None and fid not in facts):
            raise EditError("when", f"成立条件：第 {where} 项的事实 {fid} 不是本办法可用的事实")
        negated = item.get("negated", False)
        if not isinstance(negated, bool):
            raise EditError("when", f"成立条件：第 {where} 项的“非”应为是或否")
        return (f"not {fid}" if negated else fid), False
    if depth > 1:
        raise EditError("when", f"成立条件：第 {where} 项嵌套过深，选择器只支持两层；请改用文字输入")
    op, items = item.get("op"), item.get("items")
    if op not in OPS or set(item) - {"op", "items"}:
        raise EditError("when", f"成立条件：第 {where} 项的连接词应为“且”（and）或“或”（or）")
    if not isinstance(items, list) or not items:
        raise EditError("when", f"成立条件：第 {where} 组至少选一项事实")
    parts = [_item_text(x, facts, depth + 1, f"{where}.{i + 1}")[0] for i, x in enumerate(items)]
    if len(parts) == 1:
        return parts[0], False
    return f" {op} ".join(parts), True


def tree_to_expr(tree: dict, doc: dict | None = None) -> str:
    """The expression of a picker tree (the inverse of expr_to_tree on the trees it gives)."""
    if not isinstance(tree, dict) or "op" not in tree:
        raise EditError("when", "成立条件：应为一组由“且”或“或”连接的事实")
    facts = known_facts(last_version(doc)) if doc is not None else None
    op, items = tree.get("op"), tree.get("items")
    if op not in OPS or set(tree) - {"op", "items"}:
        raise EditError("when", "成立条件：连接词应为“且”（and）或“或”（or）")
    if not isinstance(items, list) or not items:
        raise EditError("when", "成立条件：至少选一项事实")
    parts = []
    for i, item in enumerate(items):
        part, compound = _item_text(item, facts, 1, str(i + 1))
        parts.append(f"({part})" if compound and len(items) > 1 else part)
    return f" {op} ".join(parts)


def _name_words(name: str, version: dict) -> str:
    if name in GROUP_NAME_WORDS:
        return GROUP_NAME_WORDS[name]
    for g in GROUPS:
        for n in group_nodes(version, g):
            if n.get("id") == name:
                return f"{GROUP_WORDS[g]}「{n.get('label') or name}」"
    fact = catalog().facts.get(name)
    if fact is not None:
        return fact.label
    local = local_facts(version).get(name)
    return str(local.get("label") or name) if isinstance(local, dict) else name


def _sentence(e: Expr, version: dict) -> str:
    def inner(x: Expr) -> str:
        s = _sentence(x, version)
        return f"（{s}）" if isinstance(x, And | Or | AtLeast | Same) else s

    if isinstance(e, Name):
        return _name_words(e.name, version)
    if isinstance(e, Not):
        return f"非{inner(e.item)}"
    if isinstance(e, And):
        return " 且 ".join(inner(i) for i in e.items)
    if isinstance(e, Or):
        return " 或 ".join(inner(i) for i in e.items)
    if isinstance(e, AtLeast):
        return f"以下至少 {e.k} 项成立：" + "、".join(inner(i) for i in e.items)
    if isinstance(e, Same):
        return f"{inner(e.left)} 与 {inner(e.right)}{'不同' if e.negate else '相同'}"
    if isinstance(e, Const):
        return "总是成立" if e.value else "不成立"
    if isinstance(e, Unknown):
        return "所列情形之外（无法逐项判断）"
    return e.source()


def expr_sentence(expr: str, doc: dict) -> str:
    """「先行先试 且 （非谋取私利 或 集体决策）」: the condition with fact labels (catalog or local), rule names
    and group words, joined by 且/或/非. An expression that does not parse is returned as written."""
    try:
        e = parse(expr)
    except PolicyError:
        return str(expr)
    return _sentence(e, last_version(doc))


def fact_choices(doc: dict) -> list[tuple[str, list[tuple[str, str]]]]:
    """The facts a rule of this document may read, grouped as the catalog groups them; local facts last."""
    facts = list(catalog().facts.values())
    out = [(label, [(f.id, f.label) for f in facts if f.group == group]) for group, label in FACT_GROUPS]
    out = [(label, items) for label, items in out if items]
    local = local_facts(last_version(doc))
    if local:
        out.append((LOCAL_GROUP, [(fid, str(f.get("label") or fid) if isinstance(f, dict) else fid)
                                  for fid, f in local.items()]))
    return out
