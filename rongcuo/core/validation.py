"""Chinese messages for pydantic's validation errors: one entry per pydantic-core error type, so no English
message ever reaches a user (tests/api/test_input_hardening.py checks the table against pydantic-core)."""

from __future__ import annotations

import re
from typing import Any

CHINESE = re.compile("[\u4e00-\u9fff]")

_DATE = "应为日期（YYYY-MM-DD）"
_TIME = "应为时间（ISO 8601）"
_OBJECT = "应为 JSON 对象"
_LIST = "应为数组"
_INVALID = "取值无效"

PYDANTIC_MESSAGES: dict[str, str] = {
    # presence and shape
    "missing": "必填",
    "missing_argument": "必填",
    "missing_keyword_only_argument": "必填",
    "missing_positional_only_argument": "必填",
    "missing_sentinel_error": "必填",
    "extra_forbidden": "不认识的字段",
    "unexpected_keyword_argument": "不认识的字段",
    "unexpected_positional_argument": "不认识的字段",
    "multiple_argument_values": "重复给出",
    "no_such_attribute": "不认识的字段",
    "get_attribute_error": _INVALID,
    "frozen_field": "不可修改",
    "frozen_instance": "不可修改",
    "invalid_key": "键无效",
    "none_required": "应为空（null）",
    "default_factory_not_called": _INVALID,
    "needs_python_object": _INVALID,
    "recursion_loop": "嵌套过深",
    "recursion_depth_exceeded": "嵌套过深",
    "arguments_type": _OBJECT,
    "model_type": _OBJECT,
    "model_attributes_type": _OBJECT,
    "dataclass_type": _OBJECT,
    "dataclass_exact_type": _OBJECT,
    "named_tuple_type": _LIST,
    "dict_type": _OBJECT,
    "frozen_dict_type": _OBJECT,
    "ordered_dict_type": _OBJECT,
    "counter_type": _OBJECT,
    "mapping_type": _OBJECT,
    "list_type": _LIST,
    "deque_type": _LIST,
    "tuple_type": _LIST,
    "set_type": _LIST,
    "frozen_set_type": _LIST,
    "set_item_not_hashable": "数组元素无效",
    "iterable_type": _LIST,
    "iteration_error": _LIST,
    "too_short": "数量不足",
    "too_long": "数量过多",
    "json_invalid": "不是合法的 JSON",
    "json_type": "应为 JSON 文本",
    "is_instance_of": _INVALID,
    "is_subclass_of": _INVALID,
    "callable_type": _INVALID,
    "union_tag_invalid": "类型标记无效",
    "union_tag_not_found": "缺少类型标记",
    "value_error": _INVALID,
    "assertion_error": _INVALID,
    "ellipsis_error": _INVALID,
    # choices
    "literal_error": "取值不在允许范围内",
    "enum": "取值不在允许范围内",
    # text
    "string_type": "应为字符串",
    "string_unicode": "不是合法的 Unicode 文本（含有孤立的代理字符）",
    "string_too_short": "不能为空",
    "string_too_long": "过长",
    "string_pattern_mismatch": "格式不正确",
    "string_not_ascii": "只能包含 ASCII 字符",
    "bytes_type": "应为字符串",
    "bytes_too_short": "过短",
    "bytes_too_long": "过长",
    "bytes_invalid_encoding": "编码无效",
    "text_control_character": "含有不允许的控制字符",
    # numbers
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "int_parsing_size": "整数过大",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "finite_number": "应为有限数字",
    "decimal_type": "应为数字",
    "decimal_parsing": "应为数字",
    "decimal_max_digits": "位数过多",
    "decimal_max_places": "小数位数过多",
    "decimal_whole_digits": "整数位数过多",
    "fraction_type": "应为数字",
    "fraction_parsing": "应为数字",
    "complex_type": "应为数字",
    "complex_str_parsing": "应为数字",
    "multiple_of": "不是允许的倍数",
    "greater_than_equal": "过小",
    "greater_than": "过小",
    "less_than_equal": "过大",
    "less_than": "过大",
    # dates and times
    "date_type": _DATE,
    "date_parsing": _DATE,
    "date_from_datetime_parsing": _DATE,
    "date_from_datetime_inexact": _DATE,
    "date_past": "应为过去的日期",
    "date_future": "应为将来的日期",
    "time_type": "应为时刻（HH:MM:SS）",
    "time_parsing": "应为时刻（HH:MM:SS）",
    "datetime_type": _TIME,
    "datetime_parsing": _TIME,
    "datetime_object_invalid": _TIME,
    "datetime_from_date_parsing": _TIME,
    "datetime_past": "应为过去的时间",
    "datetime_future": "应为将来的时间",
    "timezone_naive": "不应带时区",
    "timezone_aware": "应带时区",
    "timezone_offset": "时区不符",
    "time_delta_type": "应为时长",
    "time_delta_parsing": "应为时长",
    # identifiers
    "url_type": "应为网址",
    "url_parsing": "应为网址",
    "url_syntax_violation": "应为网址",
    "url_too_long": "网址过长",
    "url_scheme": "网址协议不允许",
    "uuid_type": "应为 UUID",
    "uuid_parsing": "应为 UUID",
    "uuid_version": "UUID 版本不符",
}


def message_for(err: dict[str, Any], table: dict[str, str] | None = None) -> str:
    """The Chinese message for one pydantic error (without the field): a validator's own Chinese message
    (ValueError("…") or PydanticCustomError) first, then `table`, then the shared table."""
    kind = str(err.get("type", ""))
    raw = str(err.get("msg") or "").removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if CHINESE.search(raw):
        return raw
    return (table or {}).get(kind) or PYDANTIC_MESSAGES.get(kind) or _INVALID
