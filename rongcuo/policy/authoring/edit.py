"""Articles, local facts and readings: add, replace (renames followed by what cites them) and remove."""

from __future__ import annotations

import re
from typing import Any

from ..catalog import catalog
from ..loader import OPEN_SITUATIONS, RED_LINE_RULE
from .common import (
    GROUP_WORDS,
    GROUPS,
    EditError,
    all_node_ids,
    base_node_ids,
    edited,
    fail,
    group_nodes,
    ident,
    last_version,
    local_facts,
    names_in,
    optional_text,
    rename_name,
)
from .common import (
    text as _text,
)
from .extras import (  # noqa: F401  (re-exported: the package imports every verb from here)
    put_procedure_step,
    put_result_use,
    remove_procedure_step,
    remove_result_use,
    set_procedure_part,
)
from .meta import set_base, set_meta, set_open_situations, set_otherwise  # noqa: F401

CJK = re.compile("[\u4e00-\u9fff]")


# --- articles ---------------------------------------------------------------------------------------------


def _article_refs(version: dict) -> list[str]:
    articles = version.get("articles") or []
    return [a["ref"] for a in articles if isinstance(a, dict) and isinstance(a.get("ref"), str)]


def cited_article(ref: Any, article_refs: list[str]) -> str | None:
    """The article a citation points at: the longest article ref it begins with (「第六条第一款」 → 第六条)."""
    if not isinstance(ref, str) or not ref:
        return None
    hits = [a for a in article_refs if ref.startswith(a)]
    return max(hits, key=len) if hits else None


def _citing_items(version: dict) -> list[tuple[str, dict]]:
    """Every (where, item) in the version holding a `ref` that may cite an article."""
    out: list[tuple[str, dict]] = [
        (f"{GROUP_WORDS[g]} {n.get('id')}", n) for g in GROUPS for n in group_nodes(version, g)
    ]
    extra: list[Any] = [version.get("otherwise"), version.get("open_situations"), *(version.get("readings") or []),
                        *(version.get("result_use") or [])]
    base = version.get("base")
    if isinstance(base, dict):
        extra += base.get("cite") or []
    procedure = version.get("procedure") or {}
    if isinstance(procedure, dict):
        extra += [*(procedure.get("steps") or []), *(procedure.get("deadlines") or [])]
        extra += [procedure.get(k) for k in ("proactive", "application", "deciding_body", "appeal")]
    out += [("", x) for x in extra if isinstance(x, dict)]
    return out


def put_article(doc: dict, ref: str, text: str, *, verified: bool, note: str | None = None,
                old_ref: str | None = None, position: int | None = None, kind: str | None = None) -> dict:
    """Add an article (its text verbatim), or replace the one cited as `old_ref`; a new ref is followed by every
    rule, reading and procedure item citing the old one (「第六条第二款」 becomes 「第七条第二款」 when 第六条 is
    renamed 第七条). `note`, when given, is the drafter's note on the article: the format has no note on an
    article, so it is kept as a reading 「解读说明」 with the article's ref. `kind` "commentary" marks a report's
    or an official's account (never quoted as the basis of a decision); None keeps what the article had."""
    version = last_version(doc)
    ref = _text(ref, f"articles[{ref}].ref", "条文的条款出处")
    field = f"articles[{ref}]"
    body = _text(text, f"{field}.text", f"条文 {ref} 的原文", multiline=True)
    if not isinstance(verified, bool):
        raise fail(f"{field}.verified", f"条文 {ref} 是否逐字核实", "应为是或否")
    if kind not in (None, "text", "commentary"):
        raise fail(f"{field}.kind", f"条文 {ref} 的性质", "应为 text（办法原文）或 commentary（报道或解读文字）")
    refs = _article_refs(version)
    if old_ref is not None and old_ref not in refs:
        raise EditError(f"articles[{old_ref}]", f"条文 {old_ref}：没有这一条")
    if ref != old_ref and ref in refs:
        raise fail(f"{field}.ref", f"条文 {ref} 的条款出处", "已有同一出处的条文")
    new, v = edited(doc)
    articles = list(v.get("articles") or [])
    index = refs.index(old_ref) if old_ref is not None else len(articles)
    previous = articles.pop(index) if old_ref is not None else {}
    article: dict[str, Any] = {"ref": ref, "verified": verified, "text": body}
    keep = previous.get("kind") if isinstance(previous, dict) else None
    chosen = kind if kind is not None else keep
    if chosen == "commentary" or (kind is None and chosen is not None):
        article["kind"] = chosen
    at = index if position is None else position
    if not isinstance(at, int) or isinstance(at, bool) or not 0 <= at <= len(articles):
        raise fail(f"{field}.position", f"条文 {ref} 的位置", f"应为 0 至 {len(articles)}")
    articles.insert(at, article)
    v["articles"] = articles
    if old_ref is not None and old_ref != ref:
        for _, item in _citing_items(v):
            if cited_article(item.get("ref"), refs) == old_ref:
                item["ref"] = ref + item["ref"][len(old_ref):]
    note = optional_text(note, f"{field}.note", f"条文 {ref} 的说明", multiline=True)
    if note:
        readings = v.setdefault("readings", [])
        same = next((r for r in readings if isinstance(r, dict) and r.get("ref") == ref and not r.get("node")), None)
        if same is not None:
            same["note"] = note
        else:
            readings.append({"ref": ref, "note": note})
    return new


def remove_article(doc: dict, ref: str) -> dict:
    """Remove an article; refused while a rule cites it (the message names the rules)."""
    version = last_version(doc)
    refs = _article_refs(version)
    if ref not in refs:
        raise EditError(f"articles[{ref}]", f"条文 {ref}：没有这一条")
    citing = [where for where, item in _citing_items(version)
              if where and cited_article(item.get("ref"), refs) == ref]
    if citing:
        raise EditError(f"articles[{ref}]", f"条文 {ref}：{'、'.join(citing)} 引用了这一条，请先修改这些规则的条款出处")
    new, v = edited(doc)
    v["articles"] = [a for a in v["articles"] if not (isinstance(a, dict) and a.get("ref") == ref)]
    return new


# --- local facts --------------------------------------------------------------------------------------------


def _readers(version: dict, fact_id: str) -> list[str]:
    return [f"{GROUP_WORDS[g]} {n.get('id')}" for g in GROUPS for n in group_nodes(version, g)
            if fact_id in names_in(n.get("when"))]


def put_fact(doc: dict, fact_id: str, label: str, question: str, *, old_id: str | None = None) -> dict:
    """Declare a local fact (policy-format §2.5): one the catalog 「要件库」 does not have. A renamed fact is
    followed by the rules reading it (their tests are not: see `rename_fact_in_tests`)."""
    version = last_version(doc)
    fact_id = ident(fact_id, f"facts[{fact_id}].id", "本地事实的编号")
    field = f"facts[{fact_id}]"
    facts = local_facts(version)
    if old_id is not None and old_id not in facts:
        raise EditError(f"facts[{old_id}]", f"本地事实 {old_id}：没有这项事实")
    if fact_id in catalog().facts:
        raise fail(f"{field}.id", f"本地事实 {fact_id} 的编号",
                   f"要件库已有此事实（{catalog().facts[fact_id].label}），请直接使用要件库事实")
    if fact_id != old_id and fact_id in facts:
        raise fail(f"{field}.id", f"本地事实 {fact_id} 的编号", "已声明过")
    if fact_id in all_node_ids(version) or fact_id in base_node_ids(version):
        raise fail(f"{field}.id", f"本地事实 {fact_id} 的编号", "与规则编号相同，请换一个")
    label = _text(label, f"{field}.label", f"本地事实 {fact_id} 的名称", limit=60)
    question = _text(question, f"{field}.question", f"本地事实 {fact_id} 的问题", limit=500)
    for value, key, word in ((label, "label", "名称"), (question, "question", "问题")):
        if not CJK.search(value):
            raise fail(f"{field}.{key}", f"本地事实 {fact_id} 的{word}", "应以中文写明（界面和说明中向调查人员显示）")
    new, v = edited(doc)
    items = list(local_facts(v).items())
    entry = (fact_id, {"label": label, "question": question})
    if old_id is not None:
        items = [entry if k == old_id else (k, val) for k, val in items]
    else:
        items.append(entry)
    v["facts"] = dict(items)
    if old_id is not None and old_id != fact_id:
        for g in GROUPS:
            for n in group_nodes(v, g):
                if isinstance(n.get("when"), str) and g != "outcomes":
                    n["when"] = rename_name(n["when"], old_id, fact_id)
    return new


def remove_fact(doc: dict, fact_id: str) -> dict:
    """Remove a local fact; refused while a rule reads it."""
    version = last_version(doc)
    if fact_id not in local_facts(version):
        raise EditError(f"facts[{fact_id}]", f"本地事实 {fact_id}：没有这项事实")
    readers = _readers(version, fact_id)
    if readers:
        raise EditError(f"facts[{fact_id}]", f"本地事实 {fact_id}：{'、'.join(readers)} 读取了它，请先修改这些规则")
    new, v = edited(doc)
    v["facts"] = {k: val for k, val in local_facts(v).items() if k != fact_id}
    return new


# --- readings 「解读说明」 -------------------------------------------------------------------------------------


def _reading_nodes(version: dict) -> set[str]:
    return set(all_node_ids(version)) | set(base_node_ids(version)) | {OPEN_SITUATIONS, RED_LINE_RULE}


def put_reading(doc: dict, ref: str, note: str, *, node: str | None = None, index: int | None = None) -> dict:
    """Record an interpretive choice (policy-format §2.6): add one, or replace the reading at `index` (0-based).
    `node` names the rule it explains (required to opt out of a base red line)."""
    version = last_version(doc)
    readings = list(version.get("readings") or [])
    where = f"readings[{len(readings) if index is None else index}]"
    if index is not None and (not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(readings)):
        raise EditError(where, f"解读说明：没有第 {index if not isinstance(index, int) else index + 1} 条")
    number = (len(readings) if index is None else index) + 1
    item: dict[str, Any] = {"ref": _text(ref, f"{where}.ref", f"第 {number} 条解读说明的条款出处")}
    if node not in (None, ""):
        if node not in _reading_nodes(version):
            raise fail(f"{where}.node", f"第 {number} 条解读说明所解释的规则", f"本版本没有规则 {node}")
        item["node"] = node
    elif index is not None and _needed_for_opt_out(version, index):
        raise fail(f"{where}.node", f"第 {number} 条解读说明所解释的规则",
                   f"这条说明是不继承共同红线 {readings[index].get('node')} 的理由，不能去掉所解释的规则")
    item["note"] = _text(note, f"{where}.note", f"第 {number} 条解读说明", multiline=True)
    new, v = edited(doc)
    items = list(v.get("readings") or [])
    if index is None:
        items.append(item)
    else:
        items[index] = item
    v["readings"] = items
    return new


def _needed_for_opt_out(version: dict, index: int) -> bool:
    """Is the reading at `index` the only one explaining a base red line the measure opts out of?"""
    base = version.get("base")
    readings = version.get("readings") or []
    node = readings[index].get("node") if isinstance(readings[index], dict) else None
    if not isinstance(base, dict) or node not in (base.get("opt_out") or []):
        return False
    return sum(1 for r in readings if isinstance(r, dict) and r.get("node") == node) == 1


def remove_reading(doc: dict, index: int) -> dict:
    """Remove the reading at `index` (0-based); refused for the one reason given for opting out of a red line."""
    version = last_version(doc)
    readings = version.get("readings") or []
    if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(readings):
        raise EditError(f"readings[{index}]", f"解读说明：没有第 {index + 1 if isinstance(index, int) else index} 条")
    if _needed_for_opt_out(version, index):
        node = readings[index].get("node")
        raise EditError(f"readings[{index}]", f"第 {index + 1} 条解读说明：这是不继承共同红线 {node} 的理由，"
                        "请先恢复继承该红线，或另写一条理由")
    new, v = edited(doc)
    v["readings"] = [r for i, r in enumerate(v["readings"]) if i != index]
    return new
