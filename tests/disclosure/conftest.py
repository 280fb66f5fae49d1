"""Decided cases with names, ID numbers and phones everywhere, for the disclosure tests."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client

from rongcuo.accounts import actions as accounts
from rongcuo.cases import actions
from rongcuo.cases.models import Case
from rongcuo.disclosure import actions as disclosure
from rongcuo.disclosure.models import Rendition
from rongcuo.org.builders import make_cadre
from rongcuo.org.models import Cadre
from tests.cases.conftest import PASSWORD, World, world  # noqa: F401

TODAY = dt.date.today()
CLEAR = {
    "violates_discipline_or_law": False,
    "private_gain": False,
    "public_interest": True,
    "collective_decision": True,
    "exploratory_reform": True,
    "lacks_precedent": True,
    "intentional": False,
    "defied_explicit_ban": False,
    "major_incident": False,
    "superior_decision_illegal": False,
    "emergency_response": False,
}


@dataclass
class Subject:
    """A decided case and every personal detail that must never reach a public page."""

    case: Case
    names: list[str] = field(default_factory=list)
    secrets: list[str] = field(default_factory=list)


def _applicant_for(w: World, cadre: Cadre) -> Any:
    username = f"applicant{cadre.pk}"
    user = accounts.create_user(None, username, PASSWORD, username, must_change_password=False)
    accounts.grant_role(None, username, "applicant", cadre_id=cadre.pk)
    return user


def decided_case(
    w: World,
    cadre: Cadre | None = None,
    *,
    title: str = "先行先试土地流转试点出现失误",
    domain: str = "征地拆迁",
    interviewees: tuple[str, ...] = ("李四",),
    witnesses: tuple[str, ...] = ("王五",),
    participants: tuple[str, ...] = ("赵六", "钱七", "孙八"),
) -> Subject:
    """An individual application by `cadre` (default: the world's 张三) carried to an exemption decision.
    The summary, interviews, witnesses and basis name the people and carry the ID number and phone."""
    cadre = cadre or w.cadre
    applicant = w.applicant if cadre.pk == w.cadre.pk else _applicant_for(w, cadre)
    id_number, phone = _secrets(cadre)
    summary = (
        f"{cadre.name}（身份证号{id_number}，联系电话{phone}）在{cadre.unit.name}任{cadre.position}期间，"
        f"推进改革试点中因缺乏经验造成损失。{interviewees[0]}反映了有关情况，办公电话0871-61234567。"
    )
    case = actions.submit_application(
        applicant,
        {"title": f"{cadre.name}{title}", "summary": summary, "statement": "申请容错", "conduct_date": "2023-05-01"}
        | {"domain": domain},
    )
    actions.transition(w.unit_reviewer, case.pk, "endorse", {"discussion": "党组会讨论", "opinion": "同意"})
    actions.transition(w.handler, case.pk, "accept", {"note": "材料齐全"})
    for person in interviewees:
        actions.add_interview(
            w.investigator,
            case.pk,
            {"interviewee": person, "held_on": str(TODAY), "content": f"{person}称{cadre.name}出于公心"},
        )
    for k, v in CLEAR.items():
        actions.set_fact(w.investigator, case.pk, {"fact": k, "value": v, "comment": "调查核实"})
    actions.transition(w.investigator, case.pk, "submit_report", {"report": f"{cadre.name}初步调查报告"})
    actions.transition(w.handler, case.pk, "find_qualifying", {"finding": "符合容错情形"})
    actions.transition(applicant, case.pk, "submit_defence", {"statement": "申辩", "witnesses": list(witnesses)})
    actions.transition(
        w.secretary,
        case.pk,
        "deliberate",
        {
            "met_on": str(TODAY),
            "participants": list(participants),
            "opinions": "一致同意",
            "recommendation": "exempt",
            "disposition": "免除相关责任",
        },
    )
    basis = f"经查，{cadre.name}在{cadre.unit.name}推进改革中出于公心；证人{witnesses[0]}（手机 139 1234 5678）证明。"
    actions.transition(
        w.secretary,
        case.pk,
        "decide",
        {"disposition": "免除相关责任", "decided_on": str(TODAY), "organ": "省纪委常委会", "basis": basis},
    )
    case.refresh_from_db()
    names = [cadre.name, *interviewees, *witnesses, *participants]
    return Subject(case, names, [id_number, phone, "13912345678", "0871-61234567", "61234567"])


def _secrets(cadre: Cadre) -> tuple[str, str]:
    from rongcuo.core import crypto

    return crypto.decrypt(cadre.id_number_enc), crypto.decrypt(cadre.phone_enc)


def more_cadres(w: World) -> list[Cadre]:
    """Another 张 (a surname collision), a compound surname, and an ID number ending in X."""
    return [
        make_cadre(w.unit, "张四", id_number="32010219850202123X", phone="13600005678", position="科长"),
        make_cadre(w.unit, "欧阳明华", id_number="320102199003031111", phone="15000009999", position="主任"),
    ]


def publish(w: World, subject: Subject) -> Rendition:
    r = disclosure.generate_rendition(w.publisher, subject.case.pk)
    return disclosure.approve_rendition(w.publisher, r.pk)


class Api:
    """JSON over django.test.Client, with an optional bearer token."""

    def __init__(self, token: str | None = None) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.client.get("/api" + path, params or {}, headers=self.headers)

    def send(self, method: str, path: str, data: Any = None) -> Any:
        body = "" if data is None else json.dumps(data, ensure_ascii=False, default=str)
        call = getattr(self.client, method)
        return call("/api" + path, body, content_type="application/json", headers=self.headers)


def api_as(user: Any) -> Api:
    return Api(accounts.issue_token(user))


@pytest.fixture
def subject(world: World) -> Subject:  # noqa: F811
    return decided_case(world)
