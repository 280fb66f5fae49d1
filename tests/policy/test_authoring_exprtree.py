"""The condition picker's tree (且/或/非 over facts, two levels), its Chinese sentence and the fact choices."""

from __future__ import annotations

import ast

import pytest

from rongcuo.policy import authoring as A
from rongcuo.policy.authoring import EditError
from rongcuo.policy.catalog import catalog
from rongcuo.policy.expr import parse
from rongcuo.policy.loader import policies_dir
from rongcuo.policy.model import GROUP_NAMES


def _whens() -> list[tuple[str, str, str, dict]]:
    """(file, group, when, document holding that version) for every rule of every shipped measure."""
    out = []
    for path in sorted(policies_dir().glob("*.yaml")):
        if path.name.endswith(".test.yaml"):
            continue
        doc = A.from_yaml(path.read_text(encoding="utf-8"))
        for v in doc["versions"]:
            single = {**doc, "versions": [v]}
            out += [(path.stem, g, n["when"], single) for g in A.GROUPS for n in v.get(g) or []]
    return out


WHENS = _whens()


def _pickable(when: str, facts: set[str]) -> bool:
    """An independent reading of what the picker can show, on Python's own syntax tree: a fact, `not` fact, or
    and/or of those, or and/or whose items are those or an and/or of plain (possibly negated) facts."""
    def fact(n: ast.AST) -> bool:
        if isinstance(n, ast.UnaryOp) and isinstance(n.op, ast.Not):
            n = n.operand
        if isinstance(n, ast.Compare) and len(n.ops) == 1 and isinstance(n.comparators[0], ast.Constant):
            return False  # `x == false`: shown in the text box, although it means `not x`
        return isinstance(n, ast.Name) and n.id in facts and n.id not in GROUP_NAMES

    def group(n: ast.AST, depth: int) -> bool:
        return isinstance(n, ast.BoolOp) and all(fact(x) or (depth == 1 and group(x, 2)) for x in n.values)

    node = ast.parse(when.strip(), mode="eval").body
    return fact(node) or group(node, 1)


def test_every_shipped_rule_is_looked_at() -> None:
    assert len(WHENS) > 100
    assert sum(1 for _, _, when, doc in WHENS if A.expr_to_tree(when, doc) is not None) > 80


@pytest.mark.parametrize(("stem", "group", "when", "doc"), WHENS, ids=[f"{w[0]}:{i}" for i, w in enumerate(WHENS)])
def test_tree_round_trips_or_says_none(stem: str, group: str, when: str, doc: dict) -> None:
    facts = set(catalog().facts) | set(doc["versions"][0].get("facts") or {})
    tree = A.expr_to_tree(when, doc)
    uses_x_eq = "==" in when or "!=" in when
    if tree is None:
        assert not _pickable(when, facts)
        return
    assert _pickable(when, facts) or uses_x_eq
    text = A.tree_to_expr(tree, doc)
    assert parse(text).source() == parse(when).source()  # the same expression, not only an equivalent one
    assert A.expr_to_tree(text, doc) == tree


def test_shapes() -> None:
    f = {"fact": "exploratory_reform", "negated": False}
    assert A.expr_to_tree("exploratory_reform") == {"op": "and", "items": [f]}
    assert A.expr_to_tree("not private_gain") == {"op": "and", "items": [{"fact": "private_gain", "negated": True}]}
    assert A.expr_to_tree("exploratory_reform or (lacks_precedent and not private_gain)") == {
        "op": "or", "items": [f, {"op": "and", "items": [{"fact": "lacks_precedent", "negated": False},
                                                           {"fact": "private_gain", "negated": True}]}]}
    for shape in ("a and (b or (c and d))", "not (a or b)", "at_least(2, a, b, c)", "a == b", "true", "tolerable",
                  "a and (", "mitigated and not excluded"):
        assert A.expr_to_tree(shape) is None, shape
    assert A.tree_to_expr({"op": "or", "items": [{"op": "and", "items": [f]}, f]}) == \
        "exploratory_reform or exploratory_reform"


def test_tree_checks_facts_against_the_document() -> None:
    doc = A.put_fact(A.blank_document("d-x", "题", "530524", "县", "1", "2024-01-01"), "park", "园区", "是否园区？")
    assert A.expr_to_tree("park and diligent", doc) is not None
    assert A.expr_to_tree("zone and diligent", doc) is None
    assert A.tree_to_expr({"op": "and", "items": [{"fact": "park", "negated": True}]}, doc) == "not park"
    bad = [
        ({"op": "xor", "items": [{"fact": "park"}]}, "连接词"),
        ({"op": "and", "items": []}, "至少选一项"),
        ({"op": "and", "items": [{"fact": "zone"}]}, "zone"),
        ({"op": "and", "items": [{"fact": "Park"}]}, "不合格式"),
        ({"op": "and", "items": [{"fact": "park", "negated": "yes"}]}, "是或否"),
        ({"op": "and", "items": [{"op": "or", "items": [{"op": "and", "items": [{"fact": "park"}]}]}]}, "两层"),
        ({"op": "and", "items": [{"op": "or", "items": []}]}, "至少选一项"),
        ("park", "应为一组"),
    ]
    for tree, words in bad:
        with pytest.raises(EditError) as info:
            A.tree_to_expr(tree, doc)  # type: ignore[arg-type]
        assert info.value.field == "when" and words in info.value.message


def test_sentence_reads_labels() -> None:
    doc = A.from_yaml((policies_dir() / "jiangsu-2017.yaml").read_text(encoding="utf-8"))
    doc = A.put_fact(doc, "park", "园区试点", "是否园区试点？")
    assert A.expr_sentence("exploratory_reform and (not private_gain or park)", doc) == \
        "先行先试 且 （非谋取私利 或 园区试点）"
    assert A.expr_sentence("tolerable and not c_public_spirited", doc) == "可以容错 且 非条件「c_public_spirited」"
    assert A.expr_sentence("at_least(2, diligent, remedied, cooperated)", doc) == \
        "以下至少 2 项成立：勤勉尽责、积极补救、配合调查"
    assert A.expr_sentence("diligent and (", doc) == "diligent and ("


def test_fact_choices() -> None:
    blank = A.blank_document("d-x", "题", "530524", "县", "1", "2024-01-01")
    groups = A.fact_choices(blank)
    assert [g for g, _ in groups] == ["红线（不予容错情形）", "容错条件", "容错情形", "后果"]
    assert sum(len(items) for _, items in groups) == len(catalog().facts)
    assert ("private_gain", "谋取私利") in groups[0][1]
    local = A.fact_choices(A.put_fact(blank, "park", "园区试点", "是否园区试点？"))
    assert local[-1] == ("本地办法特有事实", [("park", "园区试点")])

