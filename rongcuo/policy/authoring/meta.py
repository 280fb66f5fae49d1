"""The measure's own particulars: names, dates, source, completeness, the base it is read with, an open list of
situations and the fallback conclusion (`otherwise`)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from ..catalog import OUTCOME_LABELS, catalog
from ..errors import PolicyError
from ..loader import OPEN_SITUATIONS, resolve_base
from .common import EditError, day, edited, fail, last_version, optional_text
from .common import text as _text

APPLIES_BY = {"conduct_date": "行为发生时", "decision_date": "作出决定时", "most_favourable": "从旧兼从优"}
COMPLETENESS = {"complete": "完整", "partial": "部分"}
URL = re.compile(r"https?://\S+")


def _put(target: dict, key: str, value: Any) -> None:
    """Set an optional field; None (cleared) removes it, as a hand-written file would leave it out."""
    if value is None:
        target.pop(key, None)
    else:
        target[key] = value


def set_meta(doc: dict, *, title: str | None = None, issued_by: str | None = None,
             document_number: str | None = None, issued: dt.date | str | None = None,
             effective_from: dt.date | str | None = None, effective_to: dt.date | str | None = None,
             source_url: str | None = None, source_note: str | None = None, completeness: str | None = None,
             completeness_note: str | None = None, applies_by: str | None = None,
             effective_note: str | None = None, version_title: str | None = None,
             version: str | None = None) -> dict:
    """Change the named particulars. An argument left as None is not changed; "" clears an optional field
    (文号, issue date, `effective_to` → still in force, source, notes, the version's own title). `title` and
    `issued_by` are the file's; everything else is the last version's."""
    new, v = edited(doc)
    if title is not None:
        new["title"] = _text(title, "title", "办法名称")
    if issued_by is not None:
        new["issued_by"] = _text(issued_by, "issued_by", "制定机关")
    if version is not None:
        name = _text(version, "version", "版本名", limit=40)
        others = [x.get("version") for x in new["versions"][:-1] if isinstance(x, dict)]
        if name in others:
            raise fail("version", "版本名", f"「{name}」已被本文件的另一版本使用")
        v["version"] = name
    if version_title is not None:
        _put(v, "title", optional_text(version_title, "version_title", "版本标题"))
    if document_number is not None:
        _put(v, "document_number", optional_text(document_number, "document_number", "发文字号"))
    if issued is not None:
        _put(v, "issued", day(issued, "issued", "印发日期", required=False))
    _effective(new, v, effective_from, effective_to, effective_note)
    if source_url is not None or source_note is not None:
        source = dict(v.get("source") or {})
        if source_url is not None:
            url = optional_text(source_url, "source_url", "来源网址")
            if url is not None and not URL.fullmatch(url):
                raise fail("source_url", "来源网址", "应以 http:// 或 https:// 开头，且不含空格")
            _put(source, "url", url)
        if source_note is not None:
            _put(source, "note", optional_text(source_note, "source_note", "来源说明", multiline=True))
        v["source"] = source
    if completeness is not None:
        if completeness not in COMPLETENESS:
            raise fail("completeness", "完整性", "应为 complete（完整）或 partial（部分）")
        v["completeness"] = completeness
    if completeness_note is not None:
        _put(v, "completeness_note", optional_text(completeness_note, "completeness_note", "完整性说明",
                                                   multiline=True))
    changed = completeness is not None or completeness_note is not None
    if changed and v.get("completeness") == "partial" and not (v.get("completeness_note") or "").strip():
        raise fail("completeness_note", "完整性说明", "完整性为“部分”时须写明缺少哪些条款")
    if applies_by is not None:
        if applies_by not in APPLIES_BY:
            choices = "、".join(f"{k}（{w}）" for k, w in APPLIES_BY.items())
            raise fail("applies_by", "新旧版本适用", f"应为 {choices} 之一")
        v["applies_by"] = applies_by
    return new


def _effective(doc: dict, v: dict, start: Any, end: Any, note: Any) -> None:
    """The effective range: `from` ≤ `to`, after every earlier version of the file (no day with two)."""
    if start is None and end is None and note is None:
        return
    effective = dict(v.get("effective") or {})
    if start is not None:
        effective["from"] = day(start, "effective_from", "施行日期")
    if end is not None:
        effective["to"] = day(end, "effective_to", "失效日期", required=False)
    effective.setdefault("to", None)
    if note is not None:
        _put(effective, "note", optional_text(note, "effective_note", "日期说明", multiline=True))
    begin, finish = effective.get("from"), effective.get("to")
    if not isinstance(begin, dt.date):
        raise fail("effective_from", "施行日期", "不能为空")
    if finish is not None and finish < begin:
        raise fail("effective_to", "失效日期", f"不能早于施行日期 {begin}")
    for other in doc["versions"][:-1]:
        span = other.get("effective") if isinstance(other, dict) else None
        if not isinstance(span, dict):
            continue
        o_from, o_to = span.get("from"), span.get("to")
        if isinstance(o_from, dt.date) and (o_to is None or o_to >= begin) and (finish is None or finish >= o_from):
            shown = f"{o_from}至{o_to or '今'}"
            raise fail("effective_from", "施行日期",
                       f"与版本 {other.get('version')}（{shown}）的有效期重叠：同一天只能有一个版本有效")
    v["effective"] = effective


def set_base(doc: dict, base_id: str | None, *, opt_out: list[str] | None = None,
             cite: list[dict] | None = None) -> dict:
    """The shared red lines the measure is read with (`base`, policy-format §2.8): `ID` or `ID@VERSION`,
    the red lines it does not inherit (each needs a reading naming it: add it first) and its own articles
    restating a red line (None keeps what the measure has; [] clears). `base_id` None leaves the measure without
    a base (`check` reports that)."""
    new, v = edited(doc)
    if base_id is None or base_id == "":
        v.pop("base", None)
        return new
    spec = _text(base_id, "base.id", "共同红线")
    try:
        base = resolve_base(spec)
    except PolicyError as exc:
        raise fail("base.id", "共同红线", exc.message) from None
    ids = [n.id for n in base.nodes["exclusions"]]
    current = v.get("base") if isinstance(v.get("base"), dict) else {}
    if opt_out is None:  # not named: what the measure already says, where the base still has those rules
        opt_out = [i for i in current.get("opt_out") or [] if i in ids]
    if cite is None:
        cite = [c for c in current.get("cite") or [] if isinstance(c, dict) and c.get("node") in ids]
    explained = {r.get("node") for r in v.get("readings") or [] if isinstance(r, dict)}
    outs: list[str] = []
    for i, nid in enumerate(opt_out or []):
        if nid not in ids:
            raise fail(f"base.opt_out[{i}]", "不继承的共同红线",
                       f"{base.ref} 中没有规则 {nid}；可选：{'、'.join(ids)}")
        if nid not in explained:
            raise fail(f"base.opt_out[{i}]", "不继承的共同红线",
                       f"不继承 {nid} 须先写一条解读说明（所解释的规则：{nid}）说明理由")
        if nid not in outs:
            outs.append(nid)
    cites: list[dict] = []
    for i, c in enumerate(cite or []):
        where = f"base.cite[{i}]"
        if not isinstance(c, dict) or set(c) - {"node", "ref", "text"}:
            raise EditError(where, "重申共同红线的条文：应为 {node, ref, text}")
        if c.get("node") not in ids or c.get("node") in outs:
            kept = "、".join(i for i in ids if i not in outs)
            raise fail(f"{where}.node", "重申的共同红线", f"应为所继承的共同红线规则（{kept}）")
        item = {"node": c["node"], "ref": _text(c.get("ref"), f"{where}.ref", "重申共同红线的条款出处")}
        body = optional_text(c.get("text"), f"{where}.text", "重申共同红线的条文", multiline=True)
        if body:
            item["text"] = body
        cites.append(item)
    v["base"] = {"id": spec, **({"cite": cites} if cites else {}), **({"opt_out": outs} if outs else {})}
    if not cites and not outs:
        v["base"] = spec  # the shorthand the shipped files use
    return new


def set_open_situations(doc: dict, ref: str | None, text: str | None = None, note: str | None = None) -> dict:
    """Say that the list of situations is open (「等」) or partly encoded (§2.9): outside the listed ones the
    measure gives 待定, never 不予容错. `ref` None removes it."""
    if ref is None or ref == "":
        readings = [str(i + 1) for i, r in enumerate(last_version(doc).get("readings") or [])
                    if isinstance(r, dict) and r.get("node") == OPEN_SITUATIONS]
        if readings:
            raise EditError("open_situations", f"未尽情形：第 {'、'.join(readings)} 条解读说明解释的是它，"
                                               "请先修改或删除这些解读说明")
        new, v = edited(doc)
        v.pop("open_situations", None)
        return new
    new, v = edited(doc)
    item = {"ref": _text(ref, "open_situations.ref", "未尽情形的条款出处")}
    body = optional_text(text, "open_situations.text", "未尽情形的条文", multiline=True)
    if body:
        item["text"] = body
    item["note"] = _text(note, "open_situations.note", "未尽情形的说明", multiline=True)
    v["open_situations"] = item
    return new


def set_otherwise(doc: dict, *, ref: str, text: str = "", outcome: str = "not_tolerated",
                  dispositions: list[str] | None = None) -> dict:
    """The conclusion when no outcome rule applies (default 不予容错 · 问责处理)."""
    last_version(doc)
    ref = _text(ref, "otherwise.ref", "兜底结论的条款出处")
    body = optional_text(text, "otherwise.text", "兜底结论的条文", multiline=True) or ""
    if outcome not in ("exempt", "mitigate", "not_tolerated"):
        choices = "、".join(OUTCOME_LABELS[o] for o in ("exempt", "mitigate", "not_tolerated"))
        raise fail("otherwise.outcome", "兜底结论", f"应为 {choices} 之一")
    dispositions = list(dispositions or ["问责处理"])
    known = catalog().dispositions
    for d in dispositions:
        if d not in known:
            raise fail("otherwise.dispositions", "兜底结论的处理方式",
                       f"未知的处理方式「{d}」；应为 {'、'.join(known)} 之一")
    if outcome not in {known[d] for d in dispositions}:
        raise fail("otherwise.dispositions", "兜底结论的处理方式", f"没有一项属于结论「{OUTCOME_LABELS[outcome]}」")
    new, v = edited(doc)
    v["otherwise"] = {"ref": ref, "text": body, "outcome": outcome, "dispositions": dispositions}
    return new
