"""What every authoring module shares: the error type, the group names, field wording and input checks."""

from __future__ import annotations

import copy
import datetime as dt
import re
from typing import Any

from ..catalog import catalog
from ..errors import PolicyError
from ..expr import parse
from ..loader import RESERVED_IDS, resolve_base
from ..model import GROUP_NAMES

GROUPS = ("conditions", "situations", "exclusions", "mitigations", "outcomes")
NODE_GROUPS = GROUPS[:4]
GROUP_LABELS = {
    "conditions": "容错条件",
    "situations": "容错情形",
    "exclusions": "不予容错情形",
    "mitigations": "从轻减轻情形",
    "outcomes": "结论规则",
}
# How one node of a group is named in a message: 「情形 s_x 的成立条件：…」.
GROUP_WORDS = {
    "conditions": "条件",
    "situations": "情形",
    "exclusions": "不予容错情形",
    "mitigations": "从轻减轻情形",
    "outcomes": "结论规则",
}
FIELD_WORDS = {
    "id": "编号",
    "ref": "条款出处",
    "text": "条文",
    "when": "成立条件",
    "label": "简称",
    "outcome": "结论",
    "dispositions": "处理方式",
    "question": "问题",
    "note": "说明",
    "verified": "是否逐字核实",
    "kind": "条文性质",
    "node": "所解释的规则",
}
ID_PATTERN = re.compile(r"[a-z][a-z0-9_]*")
POLICY_ID_PATTERN = re.compile(r"[a-z][a-z0-9-]*")
MAX_ID = 64
MAX_LINE = 300  # refs, labels, titles: one line
MAX_TEXT = 20_000  # article text, notes
FORBIDDEN = re.compile("[\x00\u202a-\u202e\u2066-\u2069]")
CONTROL = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]")


class EditError(PolicyError):
    """An edit refused: `.field` is the path of the field ("situations[s_x].when"), `.message` names it in
    Chinese (「情形 s_x 的成立条件：未知事实 foo」)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, field=field)

    def __str__(self) -> str:
        return self.message


def node_field(group: str, node_id: str, key: str) -> tuple[str, str]:
    """(path, Chinese name) of one field of a rule node."""
    return f"{group}[{node_id}].{key}", f"{GROUP_WORDS[group]} {node_id} 的{FIELD_WORDS.get(key, key)}"


def fail(field: str, name: str, problem: str) -> EditError:
    return EditError(field, f"{name}：{problem}")


def text(value: Any, field: str, name: str, *, required: bool = True, multiline: bool = False,
         limit: int | None = None) -> str:
    """User text, stripped; refused when it is not text, is empty (if required), too long, or holds NUL, a
    bidirectional control (text that displays in another order than it is stored) or another control."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise fail(field, name, "应为文字")
    value = value.strip()
    if required and not value:
        raise fail(field, name, "不能为空")
    limit = limit or (MAX_TEXT if multiline else MAX_LINE)
    if len(value) > limit:
        raise fail(field, name, f"过长（{len(value)} 字，最多 {limit} 字）")
    bad = FORBIDDEN.search(value)
    if bad:
        what = "空字符（NUL）" if bad.group() == "\x00" else f"文字方向控制符（U+{ord(bad.group()):04X}）"
        raise fail(field, name, f"含有不允许的{what}")
    if CONTROL.search(value) or (not multiline and ("\n" in value or "\r" in value or "\t" in value)):
        raise fail(field, name, "含有换行或控制字符" if not multiline else "含有控制字符")
    return value


def optional_text(value: Any, field: str, name: str, *, multiline: bool = False) -> str | None:
    """Text that may be left out: empty → None."""
    out = text(value, field, name, required=False, multiline=multiline)
    return out or None


def ident(value: Any, field: str, name: str) -> str:
    """A rule or fact id: ASCII snake_case starting with a letter (ids are contracts, docs/policy-format.md §1)."""
    if not isinstance(value, str) or not value.strip():
        raise fail(field, name, "不能为空")
    value = value.strip()
    if len(value) > MAX_ID or not ID_PATTERN.fullmatch(value):
        raise fail(field, name, f"「{value[:MAX_ID]}」不合格式：应为小写英文字母、数字和下划线，"
                                f"以字母开头，至多 {MAX_ID} 个字符")
    return value


def day(value: Any, field: str, name: str, *, required: bool = True) -> dt.date | None:
    """A date: a datetime.date or an ISO text YYYY-MM-DD (what a form posts)."""
    if value is None or value == "":
        if required:
            raise fail(field, name, "不能为空")
        return None
    if isinstance(value, dt.datetime):
        raise fail(field, name, "应为日期（年-月-日），不含时间")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
                return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
        raise fail(field, name, f"「{value.strip()[:20]}」不是有效日期，应为 年-月-日，如 2024-06-01")
    raise fail(field, name, "应为日期（年-月-日）")


def last_version(doc: dict) -> dict:
    """The version a draft edits: the last one in `versions`."""
    versions = doc.get("versions") if isinstance(doc, dict) else None
    if not isinstance(versions, list) or not versions or not isinstance(versions[-1], dict):
        raise EditError("versions", "规则文档没有可编辑的版本（versions 为空）")
    return versions[-1]


def edited(doc: dict) -> tuple[dict, dict]:
    """A deep copy of the document and its last version, to change and return: the argument stays as it was."""
    last_version(doc)
    new = copy.deepcopy(doc)
    return new, new["versions"][-1]


def local_facts(version: dict) -> dict[str, dict]:
    facts = version.get("facts") or {}
    return facts if isinstance(facts, dict) else {}


def known_facts(version: dict) -> set[str]:
    return set(catalog().facts) | set(local_facts(version))


def fact_label(version: dict, fact_id: str) -> str:
    fact = catalog().facts.get(fact_id)
    if fact is not None:
        return fact.label
    local = local_facts(version).get(fact_id)
    if isinstance(local, dict) and local.get("label"):
        return str(local["label"])
    return fact_id


def group_nodes(version: dict, group: str) -> list[dict]:
    nodes = version.get(group) or []
    return [n for n in nodes if isinstance(n, dict)] if isinstance(nodes, list) else []


def all_node_ids(version: dict) -> dict[str, str]:
    """Every own node and outcome-rule id → its group."""
    return {n.get("id"): g for g in GROUPS for n in group_nodes(version, g) if isinstance(n.get("id"), str)}


def base_node_ids(version: dict) -> list[str]:
    """The red-line node ids the base named by `base` brings (all of them, opted out or not); [] when the
    base cannot be resolved (the analysis reports that)."""
    base = version.get("base")
    spec = base.get("id") if isinstance(base, dict) else base
    if not isinstance(spec, str) or not spec:
        return []
    try:
        return [n.id for n in resolve_base(spec).nodes["exclusions"]]
    except PolicyError:
        return []


def inherited_ids(version: dict) -> list[str]:
    """The base red lines this measure inherits (not opted out): outcome rules may read them."""
    base = version.get("base")
    opted = set(base.get("opt_out") or []) if isinstance(base, dict) else set()
    return [i for i in base_node_ids(version) if i not in opted]


def reserved_ids() -> set[str]:
    return set(GROUP_NAMES) | set(RESERVED_IDS)


def rename_name(expr: str, old: str, new: str) -> str:
    """The expression with every occurrence of the name `old` renamed: names are ASCII identifiers and the
    expression language has no strings, so a whole-word replacement is exact and keeps the writer's layout."""
    return re.sub(rf"(?<![A-Za-z0-9_]){re.escape(old)}(?![A-Za-z0-9_])", new, expr)


def names_in(expr: Any) -> set[str]:
    """The names an expression reads; an expression that does not parse reads nothing we can know."""
    if not isinstance(expr, str):
        return set()
    try:
        return set(parse(expr).names())
    except PolicyError:
        return set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", expr))
