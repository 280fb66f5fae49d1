"""「从原文起草」 verbs: reading a text into a proposal (bounded, audited without the text) and applying the ticked
items in one save: scope, stale revisions, bad items named in Chinese with nothing saved."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest

from rongcuo.audit.models import AuditRecord
from rongcuo.authoring import actions, assist, source
from rongcuo.authoring.models import PolicyDraft
from rongcuo.core.errors import Conflict, Invalid, NotFound
from rongcuo.policy.assistant.numerals import format_number
from rongcuo.policy.loader import load_policy_file, policies_dir
from tests.authoring.conftest import drafters  # noqa: F401

pytestmark = pytest.mark.django_db

# Procedure and appeal wording as measures write it (the shipped texts quote none with a time limit).
PROCEDURE = (
    "\n第三十条　纪委监委应当在收到书面申请后5个工作日内决定是否受理，受理后十五日内完成调查核实。"
    "\n第三十一条　当事人对认定结果不服的，可以提出申诉。"
)


def measure_text(policy_id: str = "cn-accountability-2019") -> str:
    """A shipped measure's articles, each after its numbering, as the official text prints them (a measure whose
    file names its articles by heading, 意见·结果运用, is numbered 第一条, 第二条 … in file order)."""
    v = load_policy_file(policies_dir() / f"{policy_id}.yaml").versions[-1]
    refs = [a.ref if a.ref.startswith("第") else f"第{format_number(i + 1)}条" for i, a in enumerate(v.articles)]
    return v.policy.title + "\n" + "\n".join(f"{ref}　{a.text}" for ref, a in zip(refs, v.articles, strict=True))


def blank_draft(user: Any, policy_id: str = "jiangning-assist") -> PolicyDraft:
    data = {
        "jurisdiction": "320115",
        "policy_id": policy_id,
        "title": "江宁区容错纠错办法",
        "version": "2025",
        "effective_from": "2025-06-01",
    }
    return actions.create_blank(user, data)


def version(draft: PolicyDraft) -> dict[str, Any]:
    draft.refresh_from_db()
    return source.materialise(draft)["versions"][-1]


def detail(action: str, **filters: Any) -> dict[str, Any]:
    return json.loads(AuditRecord.objects.filter(action=action, **filters).latest("seq").detail)


def node(proposal: Any, ref: str) -> dict[str, Any]:
    found = next(n for n in proposal.nodes if n.node["ref"] == ref)
    return {"group": found.group, **found.node}


@pytest.fixture
def setup(drafters):  # noqa: F811
    draft = blank_draft(drafters.drafter)
    return drafters, draft


def test_propose_reads_a_real_measure_and_audits_without_the_text(setup) -> None:
    w, draft = setup
    text = measure_text()
    reading = assist.propose(w.drafter, draft.pk, text=text, ip="10.0.0.1")
    refs = [a.ref for a in reading.proposal.articles]
    assert refs == ["第三条", "第七条", "第十七条", "第十八条", "第二十一条"]
    assert node(reading.proposal, "第十七条第（二）项")["when"] == "objected_in_collective_decision"
    assert reading.text == text
    rec = AuditRecord.objects.filter(action="drafting.assist_read").latest("seq")
    assert rec.success and rec.object_id == str(draft.pk)
    d = json.loads(rec.detail)
    assert d["source"] == "paste" and d["chars"] == len(text) and d["articles"] == 5
    stored = rec.detail
    assert "集体决策" not in stored and "问责" not in stored  # counts only, never the words of the text
    draft.refresh_from_db()
    assert draft.revision == 1  # reading changes nothing


def test_propose_bounds_and_refusals(setup) -> None:
    w, draft = setup
    with pytest.raises(Invalid, match="过长") as exc:
        assist.propose(w.drafter, draft.pk, text="第一条　" + "字" * assist.MAX_TEXT_CHARS)
    assert exc.value.field == "text"
    assert detail("drafting.assist_read", success=False)["field"] == "text"
    with pytest.raises(Invalid, match="请粘贴办法正文"):
        assist.propose(w.drafter, draft.pk, text="  \n ")
    with pytest.raises(Invalid, match="空字符"):
        assist.propose(w.drafter, draft.pk, text="第一条　有\x00字")
    with pytest.raises(NotFound):
        assist.propose(w.drafter_cn, draft.pk, text=measure_text())
    with pytest.raises(NotFound):
        assist.propose(w.handler, draft.pk, text=measure_text())  # not a drafter at all


def test_apply_two_nodes_and_an_article_in_one_save(setup) -> None:
    w, draft = setup
    proposal = assist.propose(w.drafter, draft.pk, text=measure_text()).proposal
    art = next(a for a in proposal.articles if a.ref == "第十七条")
    first, second = node(proposal, "第十七条第（二）项"), node(proposal, "第十八条第（一）项")
    second["when"] = "remedied and cooperated"  # the drafter edited the proposed condition
    before = AuditRecord.objects.filter(action="drafting.assist_apply").count()
    data = {"articles": [{"ref": art.ref, "text": art.text, "verified": True}], "nodes": [first, second]}
    saved = assist.apply_proposal(w.drafter, draft.pk, 1, data, ip="10.0.0.1")
    assert saved.revision == 2
    v = version(draft)
    assert v["articles"] == [{"ref": "第十七条", "verified": True, "text": art.text}]
    assert [n["id"] for n in v["situations"]] == [first["id"]]
    assert [(n["id"], n["when"]) for n in v["mitigations"]] == [(second["id"], "remedied and cooperated")]
    assert not v.get("conditions") and not v.get("exclusions")
    assert not (v.get("procedure") or {}).get("steps") and not v.get("result_use")
    recs = AuditRecord.objects.filter(action="drafting.assist_apply")
    assert recs.count() == before + 1
    d = json.loads(recs.latest("seq").detail)
    assert d["revision"] == 2 and d["applied"]["articles"] == 1 and d["applied"]["nodes"] == 2


def test_nothing_ticked_changes_nothing(setup) -> None:
    w, draft = setup
    doc = source.materialise(draft)
    for data in ({}, {"articles": [], "nodes": []}):
        with pytest.raises(Invalid, match="未勾选任何"):
            assist.apply_proposal(w.drafter, draft.pk, 1, data)
    draft.refresh_from_db()
    assert draft.revision == 1 and source.materialise(draft) == doc


def test_a_bad_item_names_itself_and_nothing_is_saved(setup) -> None:
    w, draft = setup
    proposal = assist.propose(w.drafter, draft.pk, text=measure_text()).proposal
    good, bad = node(proposal, "第十七条第（二）项"), node(proposal, "第十七条第（三）项")
    bad["when"] = "diligent and no_such_fact"
    doc = source.materialise(draft)
    with pytest.raises(Invalid) as exc:
        assist.apply_proposal(w.drafter, draft.pk, 1, {"nodes": [good, bad]})
    assert bad["id"] in exc.value.message and "成立条件" in exc.value.message and "no_such_fact" in exc.value.message
    assert exc.value.field == "nodes[1].when"
    draft.refresh_from_db()
    assert draft.revision == 1 and source.materialise(draft) == doc  # the good one is not saved either
    with pytest.raises(Invalid, match="规则组") as exc:
        assist.apply_proposal(w.drafter, draft.pk, 1, {"nodes": [{**good, "group": "outcomes"}]})
    assert exc.value.field == "nodes[0].group"
    empty = {"ref": "第十七条", "text": "", "verified": False}
    with pytest.raises(Invalid, match="条文 第十七条 的原文") as exc:
        assist.apply_proposal(w.drafter, draft.pk, 1, {"articles": [empty]})
    assert exc.value.field == "articles[0].text"
    twice = {"ref": "第十七条", "text": "有下列情形之一的", "verified": False}
    with pytest.raises(Invalid, match="两条出处"):
        assist.apply_proposal(w.drafter, draft.pk, 1, {"articles": [twice, twice]})
    with pytest.raises(Invalid, match="不认识的部分"):
        assist.apply_proposal(w.drafter, draft.pk, 1, {"outcomes": [good]})
    draft.refresh_from_db()
    assert draft.revision == 1


def test_stale_revision_and_scope(setup) -> None:
    w, draft = setup
    proposal = assist.propose(w.drafter, draft.pk, text=measure_text()).proposal
    item = node(proposal, "第十七条第（二）项")
    assist.apply_proposal(w.drafter, draft.pk, 1, {"nodes": [item]})
    other = node(proposal, "第十八条第（二）项")
    with pytest.raises(actions.StaleRevision) as exc:
        assist.apply_proposal(w.drafter, draft.pk, 1, {"nodes": [other]})
    assert "第 2 稿" in exc.value.message
    with pytest.raises(NotFound):
        assist.apply_proposal(w.drafter_cn, draft.pk, 2, {"nodes": [other]})
    v = version(draft)
    assert draft.revision == 2 and [n["id"] for n in v.get("mitigations") or []] == []
    # an id the draft already uses is refused, not overwritten
    with pytest.raises(Invalid, match="已被容错情形中的规则使用"):
        assist.apply_proposal(w.drafter, draft.pk, 2, {"nodes": [item]})
    actions.withdraw(w.drafter, draft.pk, 2)
    with pytest.raises(Conflict, match="不能再修改"):
        assist.apply_proposal(w.drafter, draft.pk, 3, {"nodes": [other]})
    with pytest.raises(Conflict, match="不能再修改"):
        assist.propose(w.drafter, draft.pk, text=measure_text())


def test_procedure_deadlines_appeal_and_result_use(setup) -> None:
    w, draft = setup
    proposal = assist.propose(w.drafter, draft.pk, text=measure_text("shandong-2017") + PROCEDURE).proposal
    proc = proposal.procedure
    appeal, defaulted = assist.appeal_with_defaults(proc["appeal"])
    assert defaulted == ["申诉期限（系统默认 15 日）", "申诉办理期限（系统默认 30 日）"]
    assert appeal["default"] is True and "原文未规定" in appeal["note"]
    data = {
        "steps": proc["steps"][:2],
        "deadlines": proc["deadlines"],
        "appeal": appeal,
        "result_use": proposal.result_use[:1],
    }
    assist.apply_proposal(w.drafter, draft.pk, 1, data)
    v = version(draft)
    assert [s["stage"] for s in v["procedure"]["steps"]] == [s["stage"] for s in proc["steps"][:2]]
    assert [(d["within"], d["unit"]) for d in v["procedure"]["deadlines"]] == [(5, "working_days"), (15, "days")]
    assert v["procedure"]["appeal"]["within"] == 15 and v["procedure"]["appeal"]["decided_within"] == 30
    assert [r["id"] for r in v["result_use"]] == [proposal.result_use[0]["id"]]
    # a stated period is kept and not marked as a default
    stated, missing = assist.appeal_with_defaults({"ref": "第十一条", "within": 10, "unit": "working_days"})
    assert stated["within"] == 10 and missing == ["申诉办理期限（系统默认 30 个工作日）"]
    assert assist.appeal_with_defaults({"ref": "x", "within": 15, "decided_within": 20}) == (
        {"ref": "x", "within": 15, "decided_within": 20, "unit": "days"},
        [],
    )
    bad = {**proc["steps"][0], "stage": "no_such_stage"}
    with pytest.raises(Invalid) as exc:
        assist.apply_proposal(w.drafter, draft.pk, 2, {"steps": [bad]})
    assert exc.value.message.startswith(f"程序步骤「{bad['name']}」") and "未知的环节" in exc.value.message
    assert exc.value.field == "steps[0].stage"
    with pytest.raises(Invalid, match="结果运用 r_x") as exc:
        assist.apply_proposal(
            w.drafter, draft.pk, 2, {"result_use": [{**proposal.result_use[0], "id": "r_x", "unaffected": ["nowhere"]}]}
        )
    assert exc.value.field == "result_use[0].unaffected"


def docx_bytes(paragraphs: list[str]) -> bytes:
    import docx

    document = docx.Document()
    for p in paragraphs:
        document.add_paragraph(p)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_uploads(setup) -> None:
    w, draft = setup
    lines = measure_text().split("\n")
    reading = assist.propose(w.drafter, draft.pk, upload=(docx_bytes(lines), "问责条例.docx"))
    assert [a.ref for a in reading.proposal.articles][:3] == ["第三条", "第七条", "第十七条"]
    rec = AuditRecord.objects.filter(action="drafting.assist_read").latest("seq")
    assert json.loads(rec.detail)["source"] == "upload" and json.loads(rec.detail)["kind"] == "docx"
    assert "问责" not in rec.detail and "\\u" not in rec.detail
    txt = assist.propose(w.drafter, draft.pk, upload=(measure_text().encode("gb18030"), "条例.txt"))
    assert txt.text == measure_text()
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", b"\0" * (60 * 1024 * 1024))
    refused = {
        "旧办法.doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "旧版 Word"),
        "炸弹.docx": (bomb.getvalue(), "解压后超过"),
        "改名.docx": (measure_text().encode(), "不是有效的 .docx 文件"),
        "图片.png": (b"\x89PNG\r\n", "只能读取 .docx 或 .txt"),
    }
    for name, (data, words) in refused.items():
        with pytest.raises(Invalid, match=words) as exc:
            assist.propose(w.drafter, draft.pk, upload=(data, name))
        assert exc.value.field == "file" and name in exc.value.message
    draft.refresh_from_db()
    assert draft.revision == 1
