"""调查问卷: the questions of a draft's questionnaire and the validation of submitted answers.

A question is `{id, text, kind, options, required}`: kind `single` (one option), `multiple` (one or more
options) or `text` (free text). Answers are `{question id: value}`: an option's text for single, a list of
option texts for multiple, a string for text. Every refusal names the field (`questionnaire[2].options`,
`answers.q3`) and says what was expected.
"""

from __future__ import annotations

import re
from typing import Any

from rongcuo.core.errors import Invalid

KINDS = {"single": "单选", "multiple": "多选", "text": "填空（文字）"}
QUESTION_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
MAX_QUESTIONS = 100
MAX_OPTIONS = 30
MAX_QUESTION_TEXT = 500
MAX_OPTION_TEXT = 200
MAX_TEXT_ANSWER = 5000


def _str(value: Any, field: str, what: str, limit: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise Invalid(f"{what}不能为空", field=field)
    if len(value) > limit:
        raise Invalid(f"{what}过长（不超过 {limit} 字）", field=field)
    return value.strip()


def clean_question(raw: Any, i: int, seen: set[str]) -> dict[str, Any]:
    f = f"questionnaire[{i}]"
    if not isinstance(raw, dict):
        raise Invalid("每道题应为对象 {id, text, kind, options, required}", field=f)
    unknown = set(raw) - {"id", "text", "kind", "options", "required"}
    if unknown:
        raise Invalid(f"不认识的字段 {'、'.join(sorted(map(str, unknown)))}", field=f)
    qid = raw.get("id")
    if not isinstance(qid, str) or not QUESTION_ID.match(qid):
        raise Invalid("题号应为 1–32 位字母、数字、下划线或连字符", field=f"{f}.id")
    if qid in seen:
        raise Invalid(f"题号 {qid} 重复", field=f"{f}.id")
    seen.add(qid)
    text = _str(raw.get("text"), f"{f}.text", "题目", MAX_QUESTION_TEXT)
    kind = raw.get("kind")
    if kind not in KINDS:
        raise Invalid("题型应为 single（单选）、multiple（多选）或 text（填空）", field=f"{f}.kind")
    required = raw.get("required", False)
    if not isinstance(required, bool):
        raise Invalid("required 应为 true 或 false", field=f"{f}.required")
    options = raw.get("options") or []
    if not isinstance(options, list):
        raise Invalid("选项应为字符串数组", field=f"{f}.options")
    if kind == "text":
        if options:
            raise Invalid("填空题不设选项", field=f"{f}.options")
    else:
        if not 2 <= len(options) <= MAX_OPTIONS:
            raise Invalid(f"选择题应有 2–{MAX_OPTIONS} 个选项", field=f"{f}.options")
        options = [_str(o, f"{f}.options[{j}]", "选项", MAX_OPTION_TEXT) for j, o in enumerate(options)]
        if len(set(options)) != len(options):
            raise Invalid("选项重复", field=f"{f}.options")
    return {"id": qid, "text": text, "kind": kind, "options": options, "required": required}


def clean_questionnaire(raw: Any) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or not raw:
        raise Invalid("调查问卷至少应有一道题", field="questionnaire")
    if len(raw) > MAX_QUESTIONS:
        raise Invalid(f"调查问卷题目过多（不超过 {MAX_QUESTIONS} 道）", field="questionnaire")
    seen: set[str] = set()
    return [clean_question(q, i, seen) for i, q in enumerate(raw)]


def _answer(q: dict[str, Any], value: Any) -> Any:
    f = f"answers.{q['id']}"
    kind = q["kind"]
    if kind == "text":
        if not isinstance(value, str):
            raise Invalid("应填写文字", field=f)
        if len(value) > MAX_TEXT_ANSWER:
            raise Invalid(f"回答过长（不超过 {MAX_TEXT_ANSWER} 字）", field=f)
        return value.strip() or None
    if kind == "single":
        if not isinstance(value, str) or value not in q["options"]:
            raise Invalid(f"应从选项中选择一项：{'、'.join(q['options'])}", field=f)
        return value
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise Invalid("多选题的回答应为选项数组", field=f)
    bad = [v for v in value if v not in q["options"]]
    if bad:
        raise Invalid(f"不是本题的选项：{'、'.join(bad[:5])}", field=f)
    if len(set(value)) != len(value):
        raise Invalid("选项重复选择", field=f)
    chosen = set(value)
    return [o for o in q["options"] if o in chosen] or None  # in questionnaire order


def clean_answers(questionnaire: list[dict[str, Any]], raw: Any) -> dict[str, Any]:
    """Validated answers: only known questions, values matching their kind, required ones present."""
    if not isinstance(raw, dict):
        raise Invalid("回答应为对象 {题号: 回答}", field="answers")
    by_id = {q["id"]: q for q in questionnaire}
    unknown = [k for k in raw if k not in by_id]
    if unknown:
        raise Invalid(f"问卷中没有题号 {str(unknown[0])[:32]}", field=f"answers.{str(unknown[0])[:32]}")
    out: dict[str, Any] = {}
    for q in questionnaire:
        value = raw.get(q["id"])
        cleaned = None if value is None else _answer(q, value)
        if cleaned is None:
            if q["required"]:
                raise Invalid(f"必答题：{q['text'][:40]}", field=f"answers.{q['id']}")
            continue
        out[q["id"]] = cleaned
    if not out:
        raise Invalid("至少回答一道题", field="answers")
    return out
