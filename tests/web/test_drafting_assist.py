"""「从原文起草」 pages: paste or upload a measure's text, the proposal article by article with nothing ticked, the
ticked items (with the drafter's edits) applied in one save, errors beside the item with nothing saved, stale
saves, scope, refused files, plain words, and a bounded number of queries."""

from __future__ import annotations

import io
import json
import re
import zipfile
from html.parser import HTMLParser
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rongcuo.audit.models import AuditRecord
from rongcuo.authoring import source
from rongcuo.authoring.models import PolicyDraft
from rongcuo.policy.catalog import OUTCOME_LABELS, catalog
from tests.authoring.conftest import derive_jiangning, drafters  # noqa: F401
from tests.authoring.test_assist import PROCEDURE, blank_draft, docx_bytes, measure_text

pytestmark = pytest.mark.django_db
SNAKE = re.compile(r"(?<![A-Za-z0-9_@./:=-])([a-z][a-z0-9]*(?:_[a-z0-9]+)+)(?![A-Za-z0-9_@/=-])")
SKIP_TAGS = {"script", "style", "code", "pre", "textarea", "option"}


class Forms(HTMLParser):
    """What a browser would post for each form of a page: inputs, checked boxes, textareas, selected options."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self.text: list[str] = []
        self._form: dict[str, Any] | None = None
        self._area: str | None = None
        self._select: str | None = None
        self._skip = 0

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = {k: v or "" for k, v in attrs_list}
        if tag in SKIP_TAGS:
            self._skip += 1
        if tag == "form":
            self._form = {"action": attrs.get("action", ""), "fields": {}}
            self.forms.append(self._form)
        if self._form is None:
            return
        fields = self._form["fields"]
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("file", "submit"):
            if attrs.get("type") == "checkbox":
                if "checked" in attrs:
                    fields[name] = attrs.get("value") or "on"
            else:
                fields[name] = attrs.get("value", "")
        elif tag == "textarea" and name:
            self._area, fields[name] = name, ""
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and (self._select not in fields or "selected" in attrs):
            fields[self._select] = attrs.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIP_TAGS and self._skip:
            self._skip -= 1
        if tag == "textarea" and self._area and self._form is not None:
            value = self._form["fields"][self._area]
            self._form["fields"][self._area] = value[1:] if value.startswith("\n") else value  # as browsers read it
            self._area = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self._form = None

    def handle_data(self, data: str) -> None:
        if self._area and self._form is not None:
            self._form["fields"][self._area] += data
        if not self._skip:
            self.text.append(data)


def parsed(html: str) -> Forms:
    p = Forms()
    p.convert_charrefs = True
    p.feed(html)
    return p


def apply_form(html: str) -> dict[str, Any]:
    form = next(f for f in parsed(html).forms if f["action"].endswith("/assist/apply/"))
    return dict(form["fields"])


def client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def setup(drafters):  # noqa: F811
    draft = blank_draft(drafters.drafter)
    return drafters, draft, client(drafters.drafter)


def url(draft: PolicyDraft, name: str = "assist") -> str:
    return reverse(f"drafting_assist:{name}", args=[draft.pk])


def read(c: Client, draft: PolicyDraft, text: str) -> str:
    r = c.post(url(draft), {"text": text})
    assert r.status_code == 200, r.content[:800]
    return r.content.decode()


def key_of(form: dict[str, Any], ref: str) -> str:
    """The page key (n3) of the rule proposal whose ref field is `ref`."""
    return next(k[: -len("_ref")] for k, v in form.items() if re.fullmatch(r"n\d+_ref", k) and v == ref)


def article_key(html: str, ref: str) -> str:
    m = re.search(rf'<div class="article[^"]*" id="(a\d+)">\s*<h3>{re.escape(ref)}<', html)
    assert m, ref
    return m.group(1)


def version(draft: PolicyDraft) -> dict[str, Any]:
    draft.refresh_from_db()
    return source.materialise(draft)["versions"][-1]


def test_form_page_and_proposal_page_list_articles_and_proposals(setup) -> None:
    _w, draft, c = setup
    form = c.get(url(draft))
    assert form.status_code == 200 and "从原文起草" in form.content.decode()
    html = read(c, draft, measure_text())
    for ref in ("第三条", "第七条", "第十七条", "第十八条", "第二十一条"):
        assert f"<h3>{ref}" in html
    assert "识别为<strong>容错情形</strong>" in html and "从轻、减轻情形" in html
    assert "置信度 100%" in html and "提示词：下列情形、之一" in html
    fields = apply_form(html)
    n = key_of(fields, "第十七条第（二）项")
    assert fields[f"{n}_when"] == "objected_in_collective_decision" and fields[f"{n}_group"] == "situations"
    assert fields[f"{n}_id"].startswith("s17_2_")
    assert "在集体决策中对错误决策提出明确反对意见" in html and "读作：提出反对意见" in html
    assert not [k for k in fields if k.endswith("_take") or k.endswith("_verified")]  # nothing ticked by default
    assert fields["source"] == measure_text() and fields["revision"] == "1"
    # suggested facts with scores and matched words; a select lists them to swap
    assert re.search(r"提出反对意见 \d+\.\d；[^<]*反对、意见", html)
    draft.refresh_from_db()
    assert draft.revision == 1


def test_no_developer_words_on_the_proposal_page(setup) -> None:
    _w, draft, c = setup
    page = parsed(read(c, draft, measure_text("shandong-2017") + PROCEDURE))
    text = " ".join(page.text)
    codes = {f for f in catalog().facts} | set(OUTCOME_LABELS) | set(catalog().stages) | set(catalog().areas)
    codes |= {"conditions", "situations", "exclusions", "mitigations", "when", "none", "true", "false"}
    found = sorted({m for m in SNAKE.findall(text)} | {w for w in re.findall(r"[a-z]+", text) if w in codes})
    assert found == [], found
    assert "结果运用" in text and "调查核实" in text and "不受影响：提拔任用、职级晋升" in text


def test_tick_two_nodes_and_an_article_with_one_when_edited(setup) -> None:
    _w, draft, c = setup
    html = read(c, draft, measure_text())
    form = apply_form(html)
    s, m = key_of(form, "第十七条第（二）项"), key_of(form, "第十八条第（一）项")
    a = article_key(html, "第十七条")
    form.update({f"{s}_take": "on", f"{m}_take": "on", f"{a}_take": "on", f"{a}_verified": "on"})
    form[f"{m}_when"] = "remedied and cooperated"
    before = AuditRecord.objects.filter(action="drafting.assist_apply").count()
    r = c.post(url(draft, "apply"), form)
    assert r.status_code == 302 and r["Location"] == reverse("web:drafting_editor", args=[draft.pk])
    editor = c.get(r["Location"]).content.decode()
    assert "操作已完成：已采用条文 1 条、规则 2 条，保存为第 2 稿" in editor
    v = version(draft)
    assert draft.revision == 2
    assert [(x["ref"], x["verified"]) for x in v["articles"]] == [("第十七条", True)]
    assert v["articles"][0]["text"].startswith("有下列情形之一的，可以不予问责或者免予问责")
    assert [(n["id"], n["when"]) for n in v["situations"]] == [(form[f"{s}_id"], "objected_in_collective_decision")]
    assert [(n["id"], n["when"]) for n in v["mitigations"]] == [(form[f"{m}_id"], "remedied and cooperated")]
    assert not v.get("conditions") and not v.get("exclusions") and not v.get("result_use")
    recs = AuditRecord.objects.filter(action="drafting.assist_apply", object_id=str(draft.pk), success=True)
    assert recs.count() == before + 1
    assert json.loads(recs.latest("seq").detail)["applied"]["node_ids"] == [
        f"situations:{form[f'{s}_id']}",
        f"mitigations:{form[f'{m}_id']}",
    ]


def test_group_change_and_fact_swap(setup) -> None:
    _w, draft, c = setup
    html = read(c, draft, measure_text())
    form = apply_form(html)
    n = key_of(form, "第十七条第（三）项")  # diligent and force_majeure, from two clauses
    assert form[f"{n}_when"] == "diligent and force_majeure"
    swaps = [k for k in form if k.startswith(f"{n}_c")]
    assert swaps and form[swaps[-1]] == "force_majeure"
    form.update({f"{n}_take": "on", f"{n}_group": "mitigations", swaps[-1]: "major_loss"})
    assert c.post(url(draft, "apply"), form).status_code == 302
    v = version(draft)
    assert [n["when"] for n in v["mitigations"]] == ["diligent and major_loss"] and not v.get("situations")


def test_untick_all_changes_nothing(setup) -> None:
    _w, draft, c = setup
    doc = source.materialise(draft)
    form = apply_form(read(c, draft, measure_text()))
    r = c.post(url(draft, "apply"), form)
    assert r.status_code == 400 and "未勾选任何要采用的内容，草稿未作修改" in r.content.decode()
    draft.refresh_from_db()
    assert draft.revision == 1 and source.materialise(draft) == doc


def test_bad_when_is_shown_beside_its_item_and_nothing_is_saved(setup) -> None:
    _w, draft, c = setup
    doc = source.materialise(draft)
    html = read(c, draft, measure_text())
    form = apply_form(html)
    good, bad = key_of(form, "第十七条第（二）项"), key_of(form, "第十八条第（二）项")
    form.update({f"{good}_take": "on", f"{bad}_take": "on", f"{bad}_when": "cooperated and 不存在"})
    r = c.post(url(draft, "apply"), form)
    page = r.content.decode()
    assert r.status_code == 400
    m = re.search(rf'<p class="error" role="alert" id="err-{bad}">([^<]+)</p>', page)
    assert m and form[f"{bad}_id"] in m.group(1) and "成立条件" in m.group(1)
    again = apply_form(page)  # the drafter's ticks and edits are kept
    assert again[f"{bad}_when"] == "cooperated and 不存在" and again[f"{good}_take"] == "on"
    draft.refresh_from_db()
    assert draft.revision == 1 and source.materialise(draft) == doc


def test_stale_revision_is_a_conflict_and_nothing_is_saved(setup) -> None:
    w, draft, c = setup
    form = apply_form(read(c, draft, measure_text()))
    other = client(w.drafter)
    first = dict(form, **{f"{key_of(form, '第十七条第（二）项')}_take": "on"})
    assert other.post(url(draft, "apply"), first).status_code == 302
    mine = dict(form, **{f"{key_of(form, '第十八条第（二）项')}_take": "on"})
    r = c.post(url(draft, "apply"), mine)
    assert r.status_code == 409
    page = r.content.decode()
    assert "保存为第 2 稿" in page and "您的修改未保存" in page
    v = version(draft)
    assert draft.revision == 2 and not v.get("mitigations")
    assert apply_form(page)["revision"] == "2"  # re-posting is a deliberate act on the revision now stored


def test_scope_other_places_are_404(setup) -> None:
    w, draft, _c = setup
    outsider = client(w.drafter_cn)
    assert outsider.get(url(draft)).status_code == 404
    assert outsider.post(url(draft), {"text": measure_text()}).status_code == 404
    ticked = {"source": measure_text(), "revision": 1, "a0_take": "on"}
    assert outsider.post(url(draft, "apply"), ticked).status_code == 404
    assert client(w.handler).get(url(draft)).status_code == 404
    assert client(w.drafter).get(f"/drafting/{draft.pk + 1000}/assist/").status_code == 404
    draft.refresh_from_db()
    assert draft.revision == 1


def test_docx_upload_and_refused_files(setup) -> None:
    _w, draft, c = setup
    upload = io.BytesIO(docx_bytes(measure_text().split("\n")))
    upload.name = "问责条例.docx"
    r = c.post(url(draft), {"text": "", "file": upload})
    html = r.content.decode()
    assert r.status_code == 200 and "<h3>第十七条" in html
    assert apply_form(html)["source"] == measure_text()
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", b"\0" * (60 * 1024 * 1024))
    for name, data, words in (
        ("旧办法.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, "不支持旧版 Word（.doc）文件"),
        ("炸弹.docx", bomb.getvalue(), "解压后超过"),
        ("改名.docx", measure_text().encode(), "不是有效的 .docx 文件"),
    ):
        f = io.BytesIO(data)
        f.name = name
        r = c.post(url(draft), {"text": "", "file": f})
        page = r.content.decode()
        assert r.status_code == 400 and f"上传文件「{name}」" in page and words in page, name
        assert "Traceback" not in page
    r = c.post(url(draft), {"text": "字" * 200_001})
    assert r.status_code == 400 and "过长" in r.content.decode()
    draft.refresh_from_db()
    assert draft.revision == 1


def test_procedure_deadlines_appeal_and_result_use_on_the_page(setup) -> None:
    _w, draft, c = setup
    html = read(c, draft, measure_text("shandong-2017") + PROCEDURE)
    assert "受理：5 个工作日（原文「5个工作日内」），自收到书面申请后起算" in html
    assert "调查核实：15 日（原文「十五日内」）" in html
    assert "原文未规定，系统默认 15 日" in html and "原文未规定，系统默认 30 日" in html
    assert "适用于免予问责" in html and "不作负面评价" in html
    form = apply_form(html)
    form.update({"s0_take": "on", "d0_take": "on", "appeal_take": "on", "r0_take": "on", "r0_id": "r_exempt_main"})
    r = c.post(url(draft, "apply"), form)
    assert r.status_code == 302, r.content.decode()[:2000]
    v = version(draft)
    proc = v["procedure"]
    assert len(proc["steps"]) == 1 and [(d["stage"], d["within"]) for d in proc["deadlines"]] == [("acceptance", 5)]
    assert proc["appeal"]["default"] is True and proc["appeal"]["decided_within"] == 30
    assert [r["id"] for r in v["result_use"]] == ["r_exempt_main"]


def test_derived_draft_ids_are_suggested_free(drafters) -> None:  # noqa: F811
    draft = derive_jiangning(drafters.drafter)
    taken = {n["id"] for g in ("conditions", "situations") for n in version(draft).get(g) or []}
    c = client(drafters.drafter)
    jiangsu = source.policy_document("jiangsu-2017")["versions"][-1]
    text = "江宁区实施办法\n" + "\n".join(f"第{i}条　{a['text']}" for i, a in enumerate(jiangsu["articles"][:3], 1))
    form = apply_form(read(c, draft, text))
    ids = [v for k, v in form.items() if re.fullmatch(r"n\d+_id", k)]
    assert ids and not set(ids) & taken


def test_proposal_page_queries_are_bounded(setup) -> None:
    _w, draft, c = setup
    read(c, draft, measure_text())  # warm the assistant and the library
    with CaptureQueriesContext(connection) as small:
        read(c, draft, measure_text())
    with CaptureQueriesContext(connection) as large:
        read(c, draft, measure_text() + "\n" + measure_text("shandong-2017").split("\n", 1)[1] + PROCEDURE)
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]
    assert len(small) <= 15, [q["sql"] for q in small.captured_queries]


def test_a_proposal_too_large_to_post_at_once_is_announced(setup, settings) -> None:
    _w, draft, c = setup
    hint = "一次提交可能超出系统可接收的上限"
    assert hint not in read(c, draft, measure_text())
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 40  # the cn-accountability proposal posts more than 40 fields
    assert hint in read(c, draft, measure_text())
