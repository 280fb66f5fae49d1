"""结果运用 and 程序 (policy-format §5): validated with the rule-file schema, refused in Chinese."""

from __future__ import annotations

import copy
from typing import Any

import pydantic

from .. import schema
from ..catalog import catalog
from .common import EditError, edited, fail, ident, last_version
from .common import text as _text

# pydantic's error types these small models can produce, in Chinese
MESSAGES = {
    "missing": "必填",
    "extra_forbidden": "不认识的字段",
    "literal_error": "取值不在允许范围内",
    "string_type": "应为文字",
    "string_too_short": "不能为空",
    "string_pattern_mismatch": "格式不正确",
    "bool_type": "应为是或否",
    "bool_parsing": "应为是或否",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "greater_than": "应为正数",
    "greater_than_equal": "不能为负数",
    "list_type": "应为列表",
    "dict_type": "应为映射",
    "model_type": "应为映射",
}
WORDS = {
    "id": "编号", "applies_to": "适用的结论", "ref": "条款出处", "text": "条文", "unaffected": "不受影响的方面",
    "no_negative_evaluation": "不作负面评价", "influence_period": "影响期", "months": "月数", "note": "说明",
    "after_period_unaffected": "影响期满后不受影响的方面", "stage": "程序环节", "name": "名称",
    "required": "是否必须主动考虑容错", "allowed": "是否允许申请", "opens": "申请起始", "closes": "申请截止",
    "via_unit_committee": "是否经单位党组（党委）", "within": "期限", "unit": "期限单位", "from": "起算事件",
    "default": "是否系统默认值", "decided_within": "申诉办理期限", "suspends_execution": "申诉是否停止执行",
}
PARTS = {
    "proactive": (schema.Proactive, "主动容错"),
    "application": (schema.ApplicationRule, "依申请容错"),
    "deciding_body": (schema.DecidingBody, "认定机关"),
    "appeal": (schema.Appeal, "申诉"),
    "deadlines": (schema.Deadline, "期限"),
}
TEXT_KEYS = ("ref", "text", "note", "name", "from")


def _of(name: str) -> str:
    """「结果运用 r_x 的」, 「第 1 个期限的」: a space after an id, as in every message of the workbench."""
    return name + (" 的" if name[-1:].isascii() else "的")


def _validate(model: type[pydantic.BaseModel], value: Any, field: str, name: str) -> dict:
    """The item as the file holds it, validated by the schema model; the first problem named in Chinese."""
    if not isinstance(value, dict):
        raise EditError(field, f"{name}：应为映射")
    for key in TEXT_KEYS:
        if key in value and value[key] is not None:
            value = {**value, key: _text(value[key], f"{field}.{key}", f"{_of(name)}{WORDS[key]}",
                                          required=False, multiline=key in ("text", "note"))}
    try:
        model.model_validate(value)
    except pydantic.ValidationError as exc:
        err = exc.errors()[0]
        loc = [str(x) for x in err["loc"] if not isinstance(x, int)]
        where = ".".join(loc)
        what = "的".join(WORDS.get(x, x) for x in loc)
        raise EditError(f"{field}.{where}" if where else field,
                        f"{_of(name) + what if what else name}：{MESSAGES.get(err['type'], '取值无效')}") from None
    return copy.deepcopy(value)


def _areas(rule: dict, field: str, name: str) -> None:
    areas = catalog().areas
    for key in ("unaffected", "after_period_unaffected"):
        for area in rule.get(key) or []:
            if area not in areas:
                raise fail(f"{field}.{key}", f"{_of(name)}{WORDS[key]}",
                           f"未知的方面「{area}」；应为 {'、'.join(f'{k}（{w}）' for k, w in areas.items())} 之一")


def _position(at: Any, size: int, field: str, name: str) -> int:
    if not isinstance(at, int) or isinstance(at, bool) or not 0 <= at <= size:
        raise fail(field, name, f"应为 0 至 {size}")
    return at


def put_result_use(doc: dict, rule: dict, *, old_id: str | None = None, position: int | None = None) -> dict:
    """Add a 结果运用 rule ({id, applies_to, ref, text, unaffected, no_negative_evaluation, influence_period,
    after_period_unaffected}) or replace the one with id `old_id`."""
    version = last_version(doc)
    rules = [r for r in version.get("result_use") or [] if isinstance(r, dict)]
    ids = [r.get("id") for r in rules]
    if old_id is not None and old_id not in ids:
        raise EditError(f"result_use[{old_id}]", f"结果运用 {old_id}：没有这条规则")
    rid = ident(rule.get("id") if isinstance(rule, dict) else None, "result_use.id", "结果运用的编号")
    field, name = f"result_use[{rid}]", f"结果运用 {rid}"
    if rid != old_id and rid in ids:
        raise fail(f"{field}.id", f"{_of(name)}编号", "已有同一编号的结果运用规则")
    item = _validate(schema.ResultUseRule, {**rule, "id": rid}, field, name)
    _areas(item, field, name)
    new, v = edited(doc)
    items = list(v.get("result_use") or [])
    index = ids.index(old_id) if old_id is not None else len(items)
    if old_id is not None:
        items.pop(index)
    items.insert(_position(index if position is None else position, len(items), f"{field}.position",
                           f"{_of(name)}位置"), item)
    v["result_use"] = items
    return new


def remove_result_use(doc: dict, rule_id: str) -> dict:
    version = last_version(doc)
    if rule_id not in [r.get("id") for r in version.get("result_use") or [] if isinstance(r, dict)]:
        raise EditError(f"result_use[{rule_id}]", f"结果运用 {rule_id}：没有这条规则")
    new, v = edited(doc)
    v["result_use"] = [r for r in v["result_use"] if not (isinstance(r, dict) and r.get("id") == rule_id)]
    return new


def _number(index: Any) -> Any:
    """An index as the user counts it (from 1)."""
    return index + 1 if isinstance(index, int) else index


def _procedure(v: dict) -> dict:
    procedure = v.get("procedure")
    if not isinstance(procedure, dict):
        procedure = v["procedure"] = {}
    return procedure


def put_procedure_step(doc: dict, step: dict, *, index: int | None = None, position: int | None = None) -> dict:
    """Add a procedure step ({stage, name, ref, text}: the measure's own word for a catalogue stage), or replace
    the step at `index` (0-based); `position` moves it."""
    version = last_version(doc)
    steps = list((version.get("procedure") or {}).get("steps") or [])
    if index is not None and (not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(steps)):
        raise EditError(f"procedure.steps[{index}]", f"程序步骤：没有第 {_number(index)} 步")
    number = (len(steps) if index is None else index)
    field, name = f"procedure.steps[{number}]", f"第 {number + 1} 个程序步骤"
    item = _validate(schema.Step, step, field, name)
    stages = catalog().stages
    if item["stage"] not in stages:
        raise fail(f"{field}.stage", f"{_of(name)}程序环节",
                   f"未知的环节「{item['stage']}」；应为 {'、'.join(f'{k}（{w}）' for k, w in stages.items())} 之一")
    new, v = edited(doc)
    items = list(_procedure(v).get("steps") or [])
    if index is not None:
        items.pop(index)
    at = number if position is None else position
    items.insert(_position(at, len(items), f"{field}.position", f"{_of(name)}位置"), item)
    _procedure(v)["steps"] = items
    return new


def remove_procedure_step(doc: dict, index: int) -> dict:
    version = last_version(doc)
    steps = (version.get("procedure") or {}).get("steps") or []
    if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(steps):
        raise EditError(f"procedure.steps[{index}]", f"程序步骤：没有第 {_number(index)} 步")
    new, v = edited(doc)
    _procedure(v)["steps"] = [s for i, s in enumerate(_procedure(v)["steps"]) if i != index]
    return new


def set_procedure_part(doc: dict, part: str, value: dict | list | None) -> dict:
    """Set one block of the procedure besides the steps: proactive, application, deciding_body, appeal (a
    mapping) or deadlines (a list); None removes it. A value the text does not support is better left out."""
    last_version(doc)
    if part not in PARTS:
        raise EditError("procedure", f"程序：未知的部分「{part}」；应为 {'、'.join(PARTS)} 之一")
    model, name = PARTS[part]
    if value is None:
        new, v = edited(doc)
        _procedure(v).pop(part, None)
        return new
    if part == "deadlines":
        if not isinstance(value, list):
            raise EditError("procedure.deadlines", "期限：应为列表")
        stages = catalog().stages
        checked = []
        for i, d in enumerate(value):
            item = _validate(model, d, f"procedure.deadlines[{i}]", f"第 {i + 1} 个期限")
            if item["stage"] not in stages:
                raise fail(f"procedure.deadlines[{i}].stage", f"第 {i + 1} 个期限的程序环节",
                           f"未知的环节「{item['stage']}」")
            checked.append(item)
        result: Any = checked
    else:
        result = _validate(model, value, f"procedure.{part}", name)
    new, v = edited(doc)
    _procedure(v)[part] = result
    return new

