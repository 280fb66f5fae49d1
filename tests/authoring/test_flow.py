"""From a derived draft to a case evaluated under the adopted measure, through the actions."""

from __future__ import annotations

import datetime as dt

import pytest

from rongcuo.audit.models import AuditRecord
from rongcuo.authoring import actions, source
from rongcuo.cases import actions as case_actions
from rongcuo.consultation import actions as consultation
from rongcuo.consultation.library import effective_library
from rongcuo.consultation.models import Draft
from rongcuo.org.builders import make_cadre, make_unit
from rongcuo.policy import authoring as pa

from .conftest import NEW_ID, PARENT, _user, derive_jiangning

pytestmark = pytest.mark.django_db


def _edit_situations(user, draft):
    doc = source.materialise(draft)
    first = doc["versions"][-1]["situations"][0]
    node = {k: first[k] for k in ("id", "ref", "text")} | {"when": "exploratory_reform", "old_id": first["id"]}
    draft = actions.put_node(user, draft.pk, draft.revision, "situations", node)
    draft = actions.put_fact(
        user,
        draft.pk,
        draft.revision,
        {"id": "jn_pilot_zone", "label": "江宁试点园区", "question": "是否发生在区级改革试点园区？"},
    )
    new = {
        "id": "s_pilot_zone",
        "ref": first["ref"],
        "text": "区级改革试点园区内先行先试的",
        "when": "jn_pilot_zone and exploratory_reform",
    }
    return actions.put_node(user, draft.pk, draft.revision, "situations", new)


def test_derive_edit_send_adopt_and_evaluate_a_case(drafters) -> None:
    w = drafters
    draft = derive_jiangning(w.drafter)
    assert draft.origin == "derived" and draft.revision == 1 and draft.jurisdiction_id == "320115"
    stored = draft.document
    assert set(stored) == {"head", "overlay"}  # only the changes against the parent are kept
    draft = _edit_situations(w.drafter, draft)
    assert draft.revision == 4
    doc = source.materialise(draft)
    ids = [n["id"] for n in doc["versions"][-1]["situations"]]
    assert ids[-1] == "s_pilot_zone" and doc["versions"][-1]["situations"][0]["when"] == "exploratory_reform"
    # the overlay names the two situation changes and the fact, not the parent's unchanged nodes
    ov = source.codec.decode(draft.document)["overlay"]
    assert set(ov["nodes"]) == {"situations:s_reform_no_precedent", "situations:s_pilot_zone"}
    assert set(ov["facts"]) == {"jn_pilot_zone"}
    row = {
        "name": "试点园区内先行先试",
        "on": None,
        "facts": {"jn_pilot_zone": True, "exploratory_reform": True, "private_gain": False},
        "expect": {"outcome": "undetermined"},
    }
    draft = actions.put_test(w.drafter, draft.pk, draft.revision, row)
    assert len(source.tests_of(draft)["cases"]) == 1

    draft = actions.send_to_consultation(w.drafter, draft.pk, draft.revision, {"explanation": "一、起草背景"})
    assert draft.status == "sent" and draft.consultation_draft_id is not None
    sent = Draft.objects.get(pk=draft.consultation_draft_id)
    assert sent.policy_id == NEW_ID and sent.jurisdiction_id == "320115"
    assert pa.from_yaml(sent.yaml_text) == doc
    now = dt.datetime.now(dt.UTC)
    consultation.publish_draft(w.drafter, sent.pk, {"closes_at": (now + dt.timedelta(days=1)).isoformat()})
    consultation.close_draft(w.drafter, sent.pk)
    consultation.adopt_draft(w.secretary, sent.pk, {"decision": "区委常委会议审议通过"})
    lib = effective_library()
    assert NEW_ID in lib.policies and lib.policies[NEW_ID].jurisdiction_code == "320115"

    unit = make_unit("320115", "南京市江宁区发展和改革委员会")
    cadre = make_cadre(
        unit, "李四", id_number="320115198203041236", phone="13800004321", position="副主任", rank="副处级"
    )
    applicant = _user("jn_applicant", "applicant", cadre_id=cadre.pk)
    case = case_actions.submit_application(
        applicant,
        {"title": "园区改革试点失误", "summary": "概述", "statement": "本人申请", "conduct_date": "2025-07-01"},
    )
    assert case.jurisdiction_id == "320115"
    assert case.policies[0]["policy"] == NEW_ID  # the most local measure first
    assert {p["policy"] for p in case.policies} >= {NEW_ID, PARENT}

    logged = set(AuditRecord.objects.filter(object_type="policy_draft", success=True).values_list("action", flat=True))
    assert {"drafting.derive", "drafting.node_put", "drafting.fact_put", "drafting.test_put", "drafting.send"} <= logged


def test_derive_only_from_ancestors_or_neighbours(drafters) -> None:
    w = drafters
    with pytest.raises(actions.Invalid) as exc:
        derive_jiangning(w.drafter, parent_policy_id="yunnan-changning-2016")
    assert exc.value.field == "parent_policy_id" and "上级或相邻" in exc.value.message
    with pytest.raises(actions.Invalid) as exc:
        derive_jiangning(w.drafter, jurisdiction="530524")
    assert exc.value.field == "jurisdiction"
