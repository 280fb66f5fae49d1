"""Rule and tests documents to and from YAML, in the shipped files' conventions.

Output is deterministic (keys in the format's order, no line folding) and reads back with the project's
YAML 1.2 loader (yamlsource.py) to the same dict: every string that a YAML 1.1 reader could take for
something else ("2016", "530524", "on", "yes", "null", a date) is double-quoted, multi-line text is a
literal block, short lists of words are flow lists as in the hand-written files.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pydantic
import yaml

from .. import schema
from ..errors import PolicyError, PolicyErrors
from ..loader import MAX_FILE_BYTES, validation_errors
from ..yamlsource import line_of, load_yaml

# The order fields are written in: the order of docs/policy-format.md §2 (and of the shipped files).
TOP_ORDER = ("format", "kind", "id", "title", "jurisdiction", "issued_by", "versions")
VERSION_ORDER = (
    "version", "title", "effective", "issued", "document_number", "source", "completeness", "completeness_note",
    "applies_by", "base", "open_situations", "readings", "facts", "articles", "conditions", "situations",
    "exclusions", "mitigations", "outcomes", "otherwise", "red_line", "result_use", "procedure",
)
NESTED_ORDER = {
    "jurisdiction": ("code", "name"),
    "effective": ("from", "to", "note"),
    "source": ("url", "note"),
    "base": ("id", "cite", "opt_out"),
    "open_situations": ("ref", "text", "note"),
    "otherwise": ("ref", "text", "outcome", "dispositions"),
    "procedure": ("steps", "proactive", "application", "deciding_body", "deadlines", "appeal"),
}
ITEM_ORDER = {
    "readings": ("ref", "node", "note"),
    "articles": ("ref", "verified", "kind", "text"),
    "conditions": ("id", "ref", "text", "label", "when"),
    "outcomes": ("id", "ref", "text", "when", "outcome", "dispositions"),
    "result_use": ("id", "applies_to", "ref", "text", "unaffected", "no_negative_evaluation", "influence_period",
                   "after_period_unaffected"),
    "cite": ("node", "ref", "text"),
    "steps": ("stage", "name", "ref", "text"),
    "deadlines": ("stage", "within", "unit", "from", "ref", "default", "note"),
    "cases": ("name", "on", "facts", "expect"),
}
for _g in ("situations", "exclusions", "mitigations"):
    ITEM_ORDER[_g] = ITEM_ORDER["conditions"]
TESTS_ORDER = ("policy", "cases")
EXPECT_ORDER = ("outcome", "decisive_facts", "citations", "dispositions")
FLOW_MAPPINGS = ("jurisdiction",)


class _Flow(dict):
    """A mapping written on one line: `jurisdiction: {code: "320000", name: 江苏省}`."""


class _Dumper(yaml.SafeDumper):
    def choose_scalar_style(self) -> str:  # type: ignore[override]
        # double quotes where PyYAML would single-quote: the shipped files' style, and able to hold anything
        style = super().choose_scalar_style()
        return '"' if style == "'" else style

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)  # list items indented under their key, as in the shipped files

    def ignore_aliases(self, data: Any) -> bool:
        return True  # a repeated list is written out again, never as an anchor and alias


def _str(dumper: _Dumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value.strip("\n") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _short_scalar(x: Any) -> bool:
    """A list of such items is written as a flow list: `dispositions: [免除相关责任, 从轻处理]`."""
    if isinstance(x, str):
        return "\n" not in x and len(x) <= 40
    return isinstance(x, int | float | bool | dt.date) or x is None


def _list(dumper: _Dumper, value: list) -> yaml.SequenceNode:
    flow = bool(value) and all(_short_scalar(x) for x in value)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)


def _flow(dumper: _Dumper, value: _Flow) -> yaml.MappingNode:
    return dumper.represent_mapping("tag:yaml.org,2002:map", value.items(), flow_style=True)


def _block(dumper: _Dumper, value: dict) -> yaml.MappingNode:
    return dumper.represent_mapping("tag:yaml.org,2002:map", value.items(), flow_style=False)


_Dumper.add_representer(str, _str)
_Dumper.add_representer(list, _list)
_Dumper.add_representer(_Flow, _flow)
_Dumper.add_representer(dict, _block)


def _ordered(value: dict, order: tuple[str, ...]) -> dict:
    """The mapping with the known keys first, in `order`, then any others as they came."""
    out = {k: value[k] for k in order if k in value}
    out.update((k, v) for k, v in value.items() if k not in out)
    return out


def _arrange(value: Any, key: str | None = None) -> Any:
    """A copy laid out for writing: keys in the format's order, the nested mappings by their own order."""
    if isinstance(value, list):
        order = ITEM_ORDER.get(key or "")
        return [_arrange(_ordered(x, order) if order and isinstance(x, dict) else x, None) for x in value]
    if not isinstance(value, dict):
        return value
    if key in NESTED_ORDER:
        value = _ordered(value, NESTED_ORDER[key])
    out = {k: _arrange(v, k if not isinstance(k, int) else None) for k, v in value.items()}
    if key == "expect":
        out = _ordered(out, EXPECT_ORDER)
    return _Flow(out) if key in FLOW_MAPPINGS else out


def _dump(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1_000_000, indent=2)


def to_yaml(doc: dict) -> str:
    """The rule document as rule-file YAML (loads with loader.load_policy_text to the same policy)."""
    top = _ordered(doc, TOP_ORDER)
    out = dict(top)
    if isinstance(top.get("versions"), list):
        out["versions"] = [_ordered(v, VERSION_ORDER) if isinstance(v, dict) else v for v in top["versions"]]
    return _dump(_arrange(out))


def tests_to_yaml(tests: dict) -> str:
    return _dump(_arrange(_ordered(tests, TESTS_ORDER)))


def _parse(text: str, name: str) -> tuple[dict, dict]:
    if not isinstance(text, str):
        raise PolicyError("应为 YAML 文本", file=name)
    if len(text.encode("utf-8")) > MAX_FILE_BYTES:
        raise PolicyError(f"文件过大（超过 {MAX_FILE_BYTES} 字节）", file=name)
    data, lines = load_yaml(text, name)
    if not isinstance(data, dict):
        raise PolicyError("顶层应为 YAML 映射", file=name, line=1)
    return data, lines


def from_yaml(text: str, name: str = "draft.yaml", *, strict: bool = False) -> dict:
    """The rule document of a YAML text. Bad YAML, or a document without a list of versions to edit, raises
    PolicyError with line and field; with `strict`, so does anything the rule-file schema refuses (what an
    upload should be held to). Content problems are otherwise left to `analyse` to report."""
    data, lines = _parse(text, name)
    versions = data.get("versions")
    if not isinstance(versions, list) or not versions:
        raise PolicyError("缺少 versions（至少一个版本）", file=name, line=line_of(lines, ("versions",)),
                          field="versions")
    for i, v in enumerate(versions):
        if not isinstance(v, dict):
            raise PolicyError("每个版本应为映射（version、effective …）", file=name,
                              line=line_of(lines, ("versions", i)), field=f"versions[{i}]")
    if strict:
        model = schema.BaseFile if data.get("kind") == "base" else schema.PolicyFile
        try:
            model.model_validate(data)
        except pydantic.ValidationError as exc:
            raise PolicyErrors(validation_errors(exc, lines, name)) from None
    return data


def tests_from_yaml(text: str, name: str = "draft.test.yaml") -> dict:
    """The tests document of a `<id>.test.yaml` text; an empty `cases` list is allowed while drafting."""
    data, lines = _parse(text, name)
    cases = data.get("cases")
    if cases is None:
        data["cases"] = []
    elif not isinstance(cases, list) or not all(isinstance(c, dict) for c in cases):
        raise PolicyError("cases 应为用例列表", file=name, line=line_of(lines, ("cases",)), field="cases")
    if data["cases"]:
        try:
            schema.TestFile.model_validate(data)
        except pydantic.ValidationError as exc:
            raise PolicyErrors(validation_errors(exc, lines, name)) from None
    return data

