"""Exporting a consultation: the responses (CSV for Excel, JSON) and a summary (JSON, and the outline of a
research report 「调研报告」 in Chinese). Every export is audited; reading responses (they may carry names)
is for the drafter and the adopter roles only.

Percentages: for a choice question, an option's percentage is of the responses that answered that question
(for multiple choice they may add up to more than 100%); `answered` and `skipped` give the base.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Any, Literal

from django.utils import timezone

from rongcuo.accounts.models import User
from rongcuo.audit.chain import append
from rongcuo.cases.actions import actor_for, attempt
from rongcuo.core.errors import Conflict, Invalid

from .actions import OBJECT, RESPONSE_READER_ROLES, access_draft, role_in
from .models import Draft, Response
from .questionnaire import KINDS

Format = Literal["csv", "json", "summary", "report"]
FORMATS: tuple[str, ...] = ("csv", "json", "summary", "report")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MULTI_SEP = "；"


@dataclass(frozen=True)
class Export:
    filename: str
    content_type: str
    body: bytes


def _cell(value: str) -> str:
    """Text that Excel would run as a formula is prefixed with an apostrophe (CSV injection)."""
    return "'" + value if value.startswith(FORMULA_START) else value


def _answer_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return MULTI_SEP.join(value)
    return str(value)


def _local(at: Any) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M:%S")


def responses(draft: Draft) -> list[Response]:
    return list(draft.responses.order_by("id"))


def responses_csv(draft: Draft, rows: list[Response]) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens the Chinese text correctly."""
    out = io.StringIO()
    writer = csv.writer(out)
    questions = draft.questionnaire
    writer.writerow(["序号", "提交时间", "姓名", "单位", *(f"{q['id']}. {q['text']}" for q in questions)])
    for i, r in enumerate(rows, 1):
        cells = [str(i), _local(r.submitted_at), r.respondent_name or "（匿名）", r.respondent_unit]
        cells += [_answer_text(r.answers.get(q["id"])) for q in questions]
        writer.writerow([_cell(c) for c in cells])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def responses_json(draft: Draft, rows: list[Response]) -> dict[str, Any]:
    return {
        "format": "rongcuo.consultation.responses/1",
        "draft": draft_header(draft),
        "questionnaire": draft.questionnaire,
        "responses": [
            {
                "number": i,
                "submitted_at": timezone.localtime(r.submitted_at).isoformat(timespec="seconds"),
                "respondent_name": r.respondent_name or None,
                "respondent_unit": r.respondent_unit or None,
                "anonymous": r.anonymous,
                "answers": r.answers,
            }
            for i, r in enumerate(rows, 1)
        ],
    }


def draft_header(draft: Draft) -> dict[str, Any]:
    return {
        "id": draft.pk,
        "policy": draft.policy_id,
        "title": draft.title,
        "jurisdiction": draft.jurisdiction_id,
        "new_versions": draft.new_versions,
        "opens_at": timezone.localtime(draft.opens_at).isoformat(timespec="seconds") if draft.opens_at else None,
        "closes_at": timezone.localtime(draft.closes_at).isoformat(timespec="seconds") if draft.closes_at else None,
        "status": draft.state(timezone.now()),
    }


def _percent(n: int, base: int) -> float | None:
    return round(100 * n / base, 1) if base else None


def summary(draft: Draft, rows: list[Response]) -> dict[str, Any]:
    total = len(rows)
    named = sum(1 for r in rows if not r.anonymous)
    questions = []
    for q in draft.questionnaire:
        given = [r.answers[q["id"]] for r in rows if q["id"] in r.answers]
        item: dict[str, Any] = {
            "id": q["id"],
            "text": q["text"],
            "kind": q["kind"],
            "answered": len(given),
            "skipped": total - len(given),
        }
        if q["kind"] == "text":
            item["answers"] = [str(a) for a in given]
        else:
            counts = dict.fromkeys(q["options"], 0)
            for a in given:
                for option in a if isinstance(a, list) else [a]:
                    if option in counts:
                        counts[option] += 1
            item["options"] = [{"option": o, "count": n, "percent": _percent(n, len(given))} for o, n in counts.items()]
        questions.append(item)
    return {
        "format": "rongcuo.consultation.summary/1",
        "draft": draft_header(draft),
        "responses": total,
        "named": named,
        "anonymous": total - named,
        "questions": questions,
    }


def report_outline(s: dict[str, Any], explanation: str) -> str:
    """调研报告 outline: the facts of the consultation in order, for the drafter to complete."""
    d = s["draft"]
    period = f"{(d['opens_at'] or '')[:10]}至{(d['closes_at'] or '')[:10]}"
    versions = "、".join(d["new_versions"]) or "无"
    lines = [
        f"关于《{d['title']}》征求意见情况的调研报告（提纲）",
        "",
        "一、基本情况",
        f"（一）征求意见稿：{d['title']}（政策编号 {d['policy']}，拟新增版本：{versions}）。",
        f"（二）征求意见时间：{period}。",
        f"（三）收回问卷 {s['responses']} 份，其中署名 {s['named']} 份、匿名 {s['anonymous']} 份。",
        "",
        "二、起草说明要点",
        *(f"  {line}" for line in explanation.strip().splitlines()[:20]),
        "",
        "三、问卷统计",
    ]
    for i, q in enumerate(s["questions"], 1):
        lines.append(f"（{_cn(i)}）{q['text']}（{KINDS[q['kind']]}，作答 {q['answered']} 份）")
        if q["kind"] == "text":
            for j, a in enumerate(q["answers"], 1):
                lines.append(f"  {j}. {a}")
            if not q["answers"]:
                lines.append("  无文字意见。")
        else:
            for o in q["options"]:
                pct = "—" if o["percent"] is None else f"{o['percent']}%"
                lines.append(f"  {o['option']}：{o['count']} 份，占 {pct}")
    lines += [
        "",
        "四、主要意见建议及采纳情况",
        "  （逐条列出主要意见，说明采纳、部分采纳或未采纳及理由。）",
        "",
        "五、下一步工作",
        "  （说明修改完善、提请审议和公开发布的安排。）",
        "",
    ]
    return "\n".join(lines)


CN_DIGITS = "零一二三四五六七八九"


def _cn(n: int) -> str:
    if n < 10:
        return CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return (CN_DIGITS[tens] if tens > 1 else "") + "十" + (CN_DIGITS[ones] if ones else "")


def export(user: User, draft_id: Any, fmt: str, *, ip: str = "") -> Export:
    """One audited export of a draft's responses or summary."""
    if fmt not in FORMATS:
        raise Invalid(f"导出格式应为 {'、'.join(FORMATS)} 之一", field="format")
    with attempt(user, "consultation.export", OBJECT, draft_id, ip):
        draft = access_draft(user, draft_id, RESPONSE_READER_ROLES)
        if draft.status == Draft.DRAFT:
            raise Conflict("征求意见稿尚未发布，没有可导出的意见")
        rows = responses(draft)
        stem = f"{draft.policy_id}-征求意见-{draft.pk}"
        if fmt == "csv":
            out = Export(f"{stem}.csv", "text/csv; charset=utf-8", responses_csv(draft, rows))
        elif fmt == "json":
            out = Export(f"{stem}.json", "application/json", _json(responses_json(draft, rows)))
        elif fmt == "summary":
            out = Export(f"{stem}-汇总.json", "application/json", _json(summary(draft, rows)))
        else:
            text = report_outline(summary(draft, rows), draft.explanation)
            out = Export(f"{stem}-调研报告提纲.txt", "text/plain; charset=utf-8", text.encode("utf-8"))
        role = role_in(user, draft.jurisdiction_id, RESPONSE_READER_ROLES)
        detail = {"format": fmt, "responses": len(rows), "bytes": len(out.body)}
        append(actor_for(user, role, ip), "consultation.export", OBJECT, draft.pk, detail=detail)
    return out


def _json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
