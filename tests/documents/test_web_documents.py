"""Documents in the web app: issue and download on the case page, the issuing bodies, registered 文号."""

from __future__ import annotations

import pytest

from rongcuo.cases.models import Decision
from rongcuo.core.errors import Conflict
from rongcuo.documents import actions as docs
from rongcuo.documents import numbering
from rongcuo.documents.models import Document, IssuingBody
from tests.web.test_pages import signed_in

from .conftest import decided

pytestmark = pytest.mark.django_db


def test_secretary_issues_the_decision_on_the_case_page_and_downloads_it(world, body) -> None:
    case = decided(world)
    c = signed_in(world.secretary)
    page = c.get(f"/cases/{case.pk}/").content.decode()
    assert "制发文书" in page and "暂无文书" in page
    form = c.get(f"/cases/{case.pk}/documents/?kind=decision").content.decode()
    assert "《容错认定决定》" in form and "受理通知书" in form
    r = c.post(f"/cases/{case.pk}/documents/?kind=decision", {"kind": "decision"})
    assert r.status_code == 302, r.content.decode()[:500]
    doc = Document.objects.get(case=case, kind="decision")
    assert doc.number == f"苏纪发〔{doc.year}〕{doc.seq}号"
    page = c.get(f"/cases/{case.pk}/").content.decode()
    assert doc.number in page and f"/documents/{doc.pk}/docx/" in page
    got = c.get(f"/documents/{doc.pk}/docx/")
    assert got.status_code == 200 and got.content[:2] == b"PK"
    assert signed_in(world.outsider).get(f"/documents/{doc.pk}/docx/").status_code == 404


def test_missing_issuing_body_points_to_the_settings_page(world) -> None:
    case = decided(world)
    c = signed_in(world.secretary)
    r = c.post(f"/cases/{case.pk}/documents/?kind=decision", {"kind": "decision"})
    html = r.content.decode()
    assert r.status_code == 400 and "发文机关设置" in html and "rongcuo documents" not in html
    r = c.post("/documents/bodies/", {"jurisdiction": "320000", "name": "中共江苏省纪律检查委员会",
                                       "mark": "中共江苏省纪律检查委员会文件", "code": "苏纪"})
    assert r.status_code == 302
    assert IssuingBody.objects.get(active=True, jurisdiction_id="320000").code == "苏纪"
    bad = c.post("/documents/bodies/", {"jurisdiction": "320000", "name": "某" * 200, "mark": "m", "code": "苏纪发"})
    assert bad.status_code == 400 and "不能超过128个字" in bad.content.decode()
    assert c.post(f"/cases/{case.pk}/documents/?kind=decision", {"kind": "decision"}).status_code == 302
    assert signed_in(world.applicant).get("/documents/bodies/").status_code == 404


def test_a_registered_number_is_used_or_refused_with_the_reason(world, body) -> None:
    case = decided(world)
    # a number the counter gave out (as the demo registers it): the decision document takes it
    seq = numbering.allocate(body, "发", 2026)
    Decision.objects.filter(case=case).update(document_number=f"苏纪发〔2026〕{seq}号")
    doc = docs.issue_document(world.secretary, case.pk, "decision", {})
    assert doc.number == f"苏纪发〔2026〕{seq}号"
    # a number typed by hand that the counter never gave: refused, nothing issued
    other = decided(world)
    Decision.objects.filter(case=other).update(document_number="苏纪发〔2026〕999号")
    with pytest.raises(Conflict) as exc:
        docs.issue_document(world.secretary, other.pk, "decision", {})
    assert "不能采用自拟文号" in exc.value.message
    assert not Document.objects.filter(case=other).exists()
