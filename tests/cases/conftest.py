from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from rongcuo.accounts import actions as accounts
from rongcuo.accounts import totp
from rongcuo.accounts.models import User
from rongcuo.accounts.roles import STAFF_ROLES
from rongcuo.org.builders import make_cadre, make_unit
from rongcuo.org.models import Cadre, Unit

PASSWORD = "Rongcuo#2025pw"


@dataclass
class World:
    unit: Unit
    other_unit: Unit
    cadre: Cadre
    users: dict[str, User] = field(default_factory=dict)

    def __getattr__(self, name: str) -> User:
        try:
            return self.users[name]
        except KeyError:
            raise AttributeError(name) from None


def enrol(user: User) -> User:
    """A second factor for a staff or administrator account, as enrolment on the web pages leaves it (a fresh
    secret, enabled; rongcuo.accounts.totp). Without one such an account reaches nothing but enrolment."""
    totp.start_enrolment(user)
    user.totp_enabled = True
    user.save(update_fields=["totp_enabled"])
    return user


def _user(name: str, role: str | None = None, **scope) -> User:
    u = accounts.create_user(None, name, PASSWORD, name, must_change_password=False)
    if role:
        accounts.grant_role(None, name, role, **scope)
        if role in STAFF_ROLES:
            enrol(u)
    return u


@pytest.fixture
def world(db) -> World:
    unit = make_unit("320000", "江苏省某县发展和改革局")
    other = make_unit("530524", "昌宁县某镇人民政府")
    cadre = make_cadre(
        unit, "张三", id_number="320102198001011234", phone="13800001234", position="副局长", rank="副处级"
    )
    w = World(unit, other, cadre)
    w.users["applicant"] = _user("applicant", "applicant", cadre_id=cadre.pk)
    w.users["unit_contact"] = _user("unit_contact", "unit_contact", unit_id=unit.pk)
    w.users["unit_reviewer"] = _user("unit_reviewer", "unit_reviewer", unit_id=unit.pk)
    for role in ("handler", "investigator", "secretary", "org_liaison", "publisher"):
        w.users[role] = _user(role, role, jurisdiction="320000")
    w.users["outsider"] = _user("outsider", "handler", jurisdiction="530524")
    w.users["evaluator"] = _user("evaluator")
    w.users["hearing_host"] = _user("hearing_host")
    for role in ("sysadmin", "secadmin", "auditadmin"):
        w.users[role] = _user(role, role)
    return w
