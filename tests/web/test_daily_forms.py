"""The forms an office fills every day (issue 19, part 5): the application with its measure, checklist, domain
list and files; evidence ticked from the case's attachments; the reason a preliminary finding against the
live rule result must give."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from rongcuo.accounts import actions as accounts
from rongcuo.audit.models import AuditRecord
from rongcuo.cases import actions, evaluation, payloads
from rongcuo.cases.models import Attachment, Case
from rongcuo.core.errors import Invalid
from rongcuo.web.forms import LABELS
from tests.cases.test_lifecycle import CLEAR

from .conftest import PASSWORD
from .test_pages import signed_in

pytestmark = pytest.mark.django_db

APPLICATION = {
    "title": "试点失误",
    "summary": "推进改革中出现失误",
    "statement": "本人申请",
    "conduct_date": "2024-03-01",
}


@pytest.fixture
def attachment_dir(settings, tmp_path):
    settings.RONGCUO_ATTACHMENT_DIR = tmp_path / "attachments"
    return settings.RONGCUO_ATTACHMENT_DIR


def _options(page: str, select_id: str) -> list[str]:
    body = re.search(rf'<select id="{select_id}"[^>]*>(.*?)</select>', page, re.S)
    assert body, select_id
    return re.findall(r'<option value="([^"]*)"', body.group(1))


def _in_investigation(w) -> Case:
    case = actions.submit_application(w.applicant, APPLICATION)
    actions.transition(w.unit_reviewer, case.pk, "endorse", {"discussion": "党组会讨论", "opinion": "同意"})
    actions.transition(w.handler, case.pk, "accept", {})
    return case


def _preliminary(w, facts: dict[str, bool | None]) -> Case:
    case = _in_investigation(w)
    for fact, value in facts.items():
        actions.set_fact(w.investigator, case.pk, {"fact": fact, "value": value, "comment": "调查核实"})
    actions.transition(w.investigator, case.pk, "submit_report", {"report": "初步调查报告"})
    return Case.objects.get(pk=case.pk)


# --- 1. the application ----------------------------------------------------------------------------------


def test_domain_is_one_list_for_the_form_the_filter_and_the_payload(world) -> None:
    c = signed_in(world.applicant)
    form = c.get("/apply/").content.decode()
    assert _options(form, "f-domain") == ["", *payloads.DOMAINS]
    listing = signed_in(world.handler).get("/cases/").content.decode()
    assert _options(listing, "domain") == ["", *payloads.DOMAINS]

    r = c.post("/apply/", {**APPLICATION, "domain": "随便写的领域"})
    page = r.content.decode()
    assert r.status_code == 400 and Case.objects.count() == 0
    beside = re.search(r'<p class="error" id="e-f-domain">([^<]*)</p>', page).group(1)
    assert beside.startswith("领域应为") and payloads.DOMAINS[0] in beside
    assert "domain" not in re.search(r'<p class="error" role="alert">([^<]*)</p>', page).group(1)
    with pytest.raises(Invalid) as exc:  # the API and command line are held to the same list
        actions.submit_application(world.applicant, {**APPLICATION, "domain": "随便写的领域"})
    assert exc.value.field == "domain"

    r = c.post("/apply/", {**APPLICATION, "domain": payloads.DOMAINS[1]})
    assert r.status_code == 302 and Case.objects.get().domain == payloads.DOMAINS[1]
    r = c.post("/apply/", {**APPLICATION, "title": "另一项失误"})  # the field may be left empty
    assert r.status_code == 302 and Case.objects.get(title="另一项失误").domain == ""


def test_demo_and_matters_use_listed_domains(world) -> None:
    from rongcuo import demo

    assert {spec.domain for spec in demo.CASES} <= set(payloads.DOMAINS)
    c = signed_in(world.handler)
    assert _options(c.get("/matters/").content.decode(), "f-domain") == ["", *payloads.DOMAINS]
    data = {"unit_id": world.unit.pk, "title": "审批失误", "initiating_organ": "省纪委", "started_on": "2025-01-06"}
    r = c.post("/matters/", {**data, "domain": "其它杂项"})
    assert r.status_code == 400 and "领域应为" in r.content.decode()


def test_apply_page_names_the_measure_and_its_checklist(world) -> None:
    page = signed_in(world.applicant).get("/apply/").content.decode()
    pins = evaluation.pin_versions(world.unit.jurisdiction, None, timezone.localdate())
    probe = Case(jurisdiction=world.unit.jurisdiction, policies=pins)
    applied, *others = evaluation.pinned_versions(probe)
    assert applied.policy.jurisdiction_code == world.unit.jurisdiction_id  # 江苏: the province's own measure
    assert f"本申请将按{applied.display_title()}" in page
    assert f"上级的 {len(others)} 项办法一并参照" in page
    for node in applied.nodes["conditions"]:
        assert node.text.rstrip("。；，")[:20] in page
    listed = [n for n in applied.nodes["situations"] if not n.virtual]
    assert listed and all(n.text[:20] in page for n in listed)
    assert "须同时具备" in page and "符合其一即可" in page
    assert "所列情形之外" not in page and "open_situations" not in page  # the loader's own node is not an item
    assert "容错情形未全部收录" in page  # 江苏's list of situations is known to be incomplete


def test_unit_contact_sees_the_measure_of_each_unit_place(world) -> None:
    w = world
    contact = accounts.create_user(None, "two_units", PASSWORD, "两个单位的联络人", must_change_password=False)
    accounts.grant_role(None, "two_units", "unit_contact", unit_id=w.unit.pk)
    accounts.grant_role(None, "two_units", "unit_contact", unit_id=w.other_unit.pk)
    page = signed_in(contact).get("/apply/").content.decode()
    blocks = page.split('<div class="measure">')[1:]
    assert len(blocks) == 2
    for unit, block in zip((w.unit, w.other_unit), blocks, strict=True):
        pins = evaluation.pin_versions(unit.jurisdiction, None, timezone.localdate())
        first = evaluation.pinned_versions(Case(jurisdiction=unit.jurisdiction, policies=pins))[0]
        # each place is decided under its own nearest measure (昌宁县's county measure, not 中央's)
        assert first.policy.jurisdiction_code == unit.jurisdiction_id
        assert f"以{unit.name}名义申请（{unit.jurisdiction.name}）" in block
        assert f"本申请将按{first.display_title()}" in block


def test_application_with_files_in_one_request(world, attachment_dir) -> None:
    c = signed_in(world.applicant)
    files = [
        SimpleUploadedFile("情况说明.txt", "失误经过说明".encode(), content_type="text/plain"),
        SimpleUploadedFile("会议纪要.txt", "会议纪要".encode(), content_type="text/plain"),
    ]
    r = c.post("/apply/", {**APPLICATION, "files": files, "attachment_kind": "application"})
    assert r.status_code == 302, r.content.decode()[:500]
    case = Case.objects.get()
    atts = list(case.attachments.order_by("id"))
    assert [a.filename for a in atts] == ["情况说明.txt", "会议纪要.txt"]
    assert {a.kind for a in atts} == {"application"} and all(a.uploaded_by == world.applicant for a in atts)
    assert len(list(attachment_dir.iterdir())) == 2
    assert list(case.events.values_list("verb", flat=True)) == ["apply", "add_attachment", "add_attachment"]


def test_a_refused_file_refuses_the_whole_application(world, attachment_dir) -> None:
    c = signed_in(world.applicant)
    before = AuditRecord.objects.filter(action="case.apply", success=False).count()
    files = [
        SimpleUploadedFile("情况说明.txt", "先存下的文件".encode(), content_type="text/plain"),
        SimpleUploadedFile("伪装.pdf", b"MZ\x90\x00" + b"\x00" * 64, content_type="application/pdf"),
    ]
    r = c.post("/apply/", {**APPLICATION, "files": files})
    page = r.content.decode()
    assert r.status_code == 400
    beside = re.search(r'<p class="error" id="e-f-files">([^<]*)</p>', page).group(1)
    assert "伪装.pdf" in beside and "申请未提交" in beside
    assert Case.objects.count() == 0 and Attachment.objects.count() == 0
    assert not attachment_dir.exists() or not list(attachment_dir.iterdir())  # the first file is not left behind
    assert AuditRecord.objects.filter(action="case.apply", success=False).count() == before + 1
    assert 'value="试点失误"' in page  # what was typed is kept; only the files are chosen again

    r = c.post("/apply/", {**APPLICATION, "files": [SimpleUploadedFile("a.txt", b"x")], "attachment_kind": "bogus"})
    assert r.status_code == 400 and Case.objects.count() == 0
    assert "附件类别应为" in re.search(r'<p class="error">(附件类别[^<]*)</p>', r.content.decode()).group(1)


# --- 2. evidence ticked from the case's attachments -------------------------------------------------------


def test_defence_ticks_the_cases_attachments(world, attachment_dir) -> None:
    w = world
    case = _preliminary(w, CLEAR)
    actions.transition(w.handler, case.pk, "find_qualifying", {"finding": "符合容错情形"})
    mine = actions.add_attachment(w.applicant, case.pk, "申辩证据.txt", "证据".encode(), "evidence")
    other = actions.add_attachment(w.applicant, case.pk, "会议记录.txt", "记录".encode(), "report")
    foreign = actions.add_attachment(w.applicant, _in_investigation(w).pk, "别案.txt", b"x", "evidence")
    c = signed_in(w.applicant)
    url = f"/cases/{case.pk}/act/submit_defence/"
    form = c.get(url).content.decode()
    day = timezone.localtime(mine.uploaded_at).date()
    assert f"申辩证据.txt（证据材料，{day.year}年{day.month}月{day.day}日上传）" in form
    assert "会议记录.txt（报告，" in form and "别案.txt" not in form
    boxes = re.findall(r'<input type="checkbox" name="attachment_ids" value="(\d+)"', form)
    assert sorted(boxes) == sorted([str(mine.pk), str(other.pk)])
    assert '<textarea id="f-attachment_ids"' not in form and LABELS["attachment_ids"] in form

    version = Case.objects.get(pk=case.pk).version
    r = c.post(url, {"statement": "申辩", "attachment_ids": [str(foreign.pk)], "version": version})
    assert r.status_code == 400 and "不属于本案" in r.content.decode()
    r = c.post(url, {"statement": "", "attachment_ids": [str(mine.pk)], "version": version})
    assert r.status_code == 400
    assert re.search(rf'value="{mine.pk}" checked', r.content.decode())  # the ticks survive a refusal
    assert not re.search(rf'value="{other.pk}" checked', r.content.decode())
    r = c.post(url, {"statement": "申辩", "attachment_ids": [str(mine.pk), str(other.pk)], "version": version})
    assert r.status_code == 302
    event = Case.objects.get(pk=case.pk).events.get(verb="submit_defence")
    assert sorted(event.data["payload"]["attachment_ids"]) == sorted([mine.pk, other.pk])


# --- 3. a preliminary finding against the live rule result ------------------------------------------------


def test_finding_qualifying_against_not_tolerated_needs_a_reason(world) -> None:
    w = world
    case = _preliminary(w, {"violates_discipline_or_law": True})
    assert case.engine_outcome == "not_tolerated"
    with pytest.raises(Invalid) as exc:
        actions.transition(w.handler, case.pk, "find_qualifying", {"finding": "符合容错情形"})
    assert exc.value.field == "departure_reason" and "不予容错" in exc.value.message

    c = signed_in(w.handler)
    url = f"/cases/{case.pk}/act/find_qualifying/"
    form = c.get(url).content.decode()
    assert re.search(r'<label for="f-departure_reason">与规则结果不一致的理由 <span[^>]*>\*</span>', form)
    assert "须在下方填写与规则结果不一致的理由" in form
    r = c.post(url, {"finding": "符合容错情形", "version": case.version})
    page = r.content.decode()
    assert r.status_code == 400 and Case.objects.get(pk=case.pk).stage == "preliminary"
    assert "须书面说明理由" in re.search(r'<p class="error" id="e-f-departure_reason">([^<]*)</p>', page).group(1)
    assert "departure_reason" not in re.search(r'<p class="error" role="alert">([^<]*)</p>', page).group(1)
    r = c.post(url, {"finding": "符合容错情形", "departure_reason": "经复核该事实认定有误", "version": case.version})
    assert r.status_code == 302
    case = Case.objects.get(pk=case.pk)
    event = case.events.get(verb="find_qualifying")
    assert case.stage == "defence" and "与规则评估结论不一致并已说明理由" in event.summary
    assert event.data["payload"]["departure_reason"] == "经复核该事实认定有误"
    assert "与规则结果不一致的理由：经复核该事实认定有误" in event.reason  # shown on the timeline
    assert "经复核该事实认定有误" in c.get(f"/cases/{case.pk}/").content.decode()


def test_finding_not_qualifying_against_exempt_needs_a_reason(world) -> None:
    w = world
    case = _preliminary(w, CLEAR)
    assert case.engine_outcome == "exempt"
    form = signed_in(w.handler).get(f"/cases/{case.pk}/act/find_not_qualifying/").content.decode()
    assert "与规则结果不一致的理由" in form
    with pytest.raises(Invalid) as exc:
        actions.transition(w.handler, case.pk, "find_not_qualifying", {"finding": "不符合"})
    assert exc.value.field == "departure_reason" and "免予问责" in exc.value.message
    assert not hasattr(Case.objects.get(pk=case.pk), "decision")  # refused: no decision is left behind
    # The same finding the rules agree with asks for nothing more.
    form = signed_in(w.handler).get(f"/cases/{case.pk}/act/find_qualifying/").content.decode()
    assert "f-departure_reason" not in form and "与规则结果不一致" not in form
    data = {"finding": "不符合", "departure_reason": "经复核另有不予容错情形"}
    case = actions.transition(w.handler, case.pk, "find_not_qualifying", data)
    assert case.outcome == "not_tolerated"


def test_finding_on_an_undetermined_result_needs_no_reason(world) -> None:
    w = world
    case = _preliminary(w, {})
    assert case.engine_outcome == "undetermined"
    for verb in ("find_qualifying", "find_not_qualifying"):
        form = signed_in(w.handler).get(f"/cases/{case.pk}/act/{verb}/").content.decode()
        assert "f-departure_reason" not in form
    case = actions.transition(w.handler, case.pk, "find_not_qualifying", {"finding": "不符合容错情形"})
    assert case.outcome == "not_tolerated"
