"""New rule documents: a blank measure, a new version of an existing file, a measure derived from a parent's."""

from __future__ import annotations

import copy
import datetime as dt
import re
from typing import Any

from .common import POLICY_ID_PATTERN, EditError, day, fail, last_version, text

DEFAULT_BASE = "cn-common-red-lines"
PLACEHOLDER_ISSUER = "（制定机关待填写）"
DRAFT_NOTE = "起草中：条文尚未全部录入、核实。"
# What a derived measure takes from its parent version: the content, never the parent's identity (its name,
# dates, 文号 and source belong to the parent's document).
INHERITED = ("completeness", "completeness_note", "applies_by", "base", "open_situations", "readings", "facts",
             "articles", "conditions", "situations", "exclusions", "mitigations", "outcomes", "otherwise",
             "result_use", "procedure")


def _head(policy_id: Any, title: Any, code: Any, name: Any) -> dict:
    if not isinstance(policy_id, str) or not POLICY_ID_PATTERN.fullmatch(policy_id.strip()) or len(policy_id) > 64:
        raise fail("id", "政策编号", "应为小写英文字母、数字和连字符，以字母开头（如 jiangsu-nanjing-jiangning-2024）")
    code = text(code, "jurisdiction.code", "地区代码")
    if not re.fullmatch(r"\d{6}", code):
        raise fail("jurisdiction.code", "地区代码", "应为 6 位数字的行政区划代码（GB/T 2260），中央为 000000")
    return {
        "format": 1,
        "id": policy_id.strip(),
        "title": text(title, "title", "办法名称"),
        "jurisdiction": {"code": code, "name": text(name, "jurisdiction.name", "地区名称")},
    }


def _version_name(version: Any) -> str:
    return text(version, "version", "版本名", limit=40)


def blank_document(policy_id: str, title: str, jurisdiction_code: str, jurisdiction_name: str, version: str,
                   effective_from: dt.date) -> dict:
    """A measure with nothing encoded yet that already loads: read with the shared red lines, one outcome rule
    (可以容错 → 免予问责) and `partial` until the drafter says otherwise. The missing citations are what
    `check` reports first."""
    return {
        **_head(policy_id, title, jurisdiction_code, jurisdiction_name),
        "issued_by": PLACEHOLDER_ISSUER,
        "versions": [
            {
                "version": _version_name(version),
                "effective": {"from": day(effective_from, "effective_from", "施行日期"), "to": None},
                "source": {},
                "completeness": "partial",
                "completeness_note": DRAFT_NOTE,
                "applies_by": "conduct_date",
                "base": DEFAULT_BASE,
                "readings": [],
                "facts": {},
                "articles": [],
                "conditions": [],
                "situations": [],
                "exclusions": [],
                "mitigations": [],
                "outcomes": [
                    {"id": "o_tolerate", "ref": "", "text": "", "when": "tolerable", "outcome": "exempt",
                     "dispositions": ["免予问责"]},
                ],
            }
        ],
    }


def revision_document(file_doc: dict, version: str, effective_from: dt.date) -> dict:
    """The file with a new version appended, its content copied from the last one. The new version is a new
    document: 文号, issue date, source and the note on dates are not copied. The previous version, if still
    open-ended, is closed the day before the new one starts (at most one version is in force on a day)."""
    previous = last_version(file_doc)
    name = _version_name(version)
    start = day(effective_from, "effective_from", "施行日期")
    assert start is not None
    names = [v.get("version") for v in file_doc["versions"] if isinstance(v, dict)]
    if name in names:
        raise fail("version", "版本名", f"「{name}」已有，请换一个")
    doc = copy.deepcopy(file_doc)
    prev = doc["versions"][-1]
    effective = prev.get("effective") if isinstance(prev.get("effective"), dict) else {}
    begun = effective.get("from")
    if isinstance(begun, dt.date) and start <= begun:
        raise fail("effective_from", "施行日期", f"应晚于上一版本 {previous.get('version')} 的施行日期 {begun}")
    end = effective.get("to")
    if end is None:
        prev["effective"] = {**effective, "to": start - dt.timedelta(days=1)}
    elif isinstance(end, dt.date) and end >= start:
        raise fail("effective_from", "施行日期", f"与上一版本的有效期（至 {end}）重叠：同一天只能有一个版本有效")
    new = copy.deepcopy(previous)
    for key in ("issued", "document_number"):
        new.pop(key, None)
    new["version"] = name
    new["effective"] = {"from": start, "to": None}
    new["source"] = {}
    doc["versions"].append(new)
    return doc


def derived_document(parent_doc: dict, parent_version: str, policy_id: str, title: str, jurisdiction_code: str,
                     jurisdiction_name: str, version: str, effective_from: dt.date) -> dict:
    """A one-version measure of another place (e.g. a county's, under the province's) whose content starts as
    the named parent version's; its own name, dates and source start empty."""
    versions = parent_doc.get("versions") if isinstance(parent_doc, dict) else None
    found = next((v for v in versions or [] if isinstance(v, dict) and v.get("version") == parent_version), None)
    if found is None:
        known = "、".join(str(v.get("version")) for v in versions or [] if isinstance(v, dict))
        raise EditError("parent_version", f"上级办法的版本：没有版本「{parent_version}」；已有：{known or '无'}")
    head = _head(policy_id, title, jurisdiction_code, jurisdiction_name)
    if head["id"] == parent_doc.get("id"):
        raise fail("id", "政策编号", "不能与上级办法相同")
    content = {k: copy.deepcopy(found[k]) for k in INHERITED if k in found}
    return {
        **head,
        "issued_by": PLACEHOLDER_ISSUER,
        "versions": [
            {
                "version": _version_name(version),
                "effective": {"from": day(effective_from, "effective_from", "施行日期"), "to": None},
                "source": {},
                **content,
            }
        ],
    }


def head_of(doc: dict) -> dict:
    """The document without its last version: the top-level fields, and under `versions` the earlier versions
    (none for a derived draft). `apply_overlay` puts the last version back."""
    last_version(doc)
    head = {k: copy.deepcopy(v) for k, v in doc.items() if k != "versions"}
    head["versions"] = copy.deepcopy(doc["versions"][:-1])
    return head
