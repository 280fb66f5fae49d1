"""The demo data: every stage, start type and outcome, overdue cases, an account for every role,
built through the actions (so the audit chain verifies), and idempotent."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from rongcuo import demo
from rongcuo.accounts.models import RoleAssignment, User
from rongcuo.accounts.roles import Role
from rongcuo.audit.models import AuditRecord
from rongcuo.audit.verify import verify_chain
from rongcuo.cases import access
from rongcuo.cases.models import Case, CaseEvent, FactValue, PreFiling, StartType
from rongcuo.org.models import Cadre, Unit
from rongcuo.procedure.engine import definition
from rongcuo.procedure.models import Deadline, Reminder

pytestmark = pytest.mark.django_db
MODELS = (User, RoleAssignment, Unit, Cadre, Case, CaseEvent, FactValue, PreFiling, Deadline, Reminder, AuditRecord)


def counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in MODELS}


@pytest.fixture(scope="module")
def built(django_db_setup: None, django_db_blocker: Any) -> Iterator[demo.DemoResult]:
    """Built once for this module (about ten seconds) inside a transaction rolled back at its end; each test
    runs in a savepoint within it, as usual."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield demo.load()
        transaction.set_rollback(True)


def test_every_stage_start_type_and_outcome(built: demo.DemoResult) -> None:
    assert built.created
    stages = {s["id"] for s in definition()["stages"]}
    assert set(Case.objects.values_list("stage", flat=True)) == stages
    assert set(Case.objects.values_list("start_type", flat=True)) == set(StartType.values)
    assert set(Case.objects.values_list("jurisdiction_id", flat=True)) >= {"320000", "530524", "469002", "510000"}
    assert set(Case.objects.values_list("domain", flat=True)) >= {
        "征地拆迁",
        "招商引资",
        "应急处置",
        "历史遗留问题",
        "基层治理",
    }
    assert set(Case.objects.values_list("engine_outcome", flat=True)) >= {
        "exempt",
        "mitigate",
        "not_tolerated",
        "undetermined",
    }
    assert set(Case.objects.exclude(outcome="").values_list("outcome", flat=True)) == {
        "exempt",
        "mitigate",
        "not_tolerated",
    }
    assert set(Case.objects.values_list("closing_reason", flat=True)) >= {
        "decided",
        "refused",
        "returned",
        "appeal_decided",
    }
    cited = Case.objects.get(pre_filing__isnull=False)
    assert cited.pre_filing.status == "acknowledged"
    assert cited.facts.get(fact="pre_filed").value is True
    # Every case was started by an action: its timeline opens with the starting event.
    for case in Case.objects.all():
        assert case.events.order_by("id").first().verb in {"apply", "open_proactive"}
    assert built.summary["cases"] == Case.objects.count()


def test_overdue_cases_flagged_with_reminders(built: demo.DemoResult) -> None:
    today = timezone.localdate()
    overdue = Case.objects.filter(overdue=True)
    assert overdue.count() >= 3
    for case in overdue:
        assert case.stage_due_on < today
        running = case.deadlines.get(completed_at__isnull=True)
        assert running.overdue and running.due_on < today
        assert running.reminders.filter(kind="overdue").exists()
    assert not Case.objects.filter(overdue=False, status="open", stage_due_on__lt=today).exists()


def test_every_role_has_an_account(built: demo.DemoResult) -> None:
    granted = set(RoleAssignment.objects.filter(revoked_at__isnull=True).values_list("role", flat=True))
    assert granted == set(Role.values)
    users = User.objects.filter(username__in=demo.usernames())
    assert users.count() == len(demo.usernames())
    for user in users:
        assert not user.must_change_password
        assert user.check_password(demo.PASSWORD)
    rows = {r["username"]: r for r in built.accounts}
    assert all(rows[name]["roles"] for name in demo.usernames())
    assert rows["evaluator"]["roles"][0]["scope"].startswith("案件 ")


def test_places_are_isolated(built: demo.DemoResult) -> None:
    js = User.objects.get(username="js_handler")
    cn = User.objects.get(username="cn_handler")
    assert set(access.visible_cases(js).values_list("jurisdiction_id", flat=True)) == {"320000"}
    assert set(access.visible_cases(cn).values_list("jurisdiction_id", flat=True)) == {"530524"}
    applicant = User.objects.get(username="wangjianguo")
    assert list(access.visible_cases(applicant).values_list("cadre__name", flat=True)) == ["王建国"]
    assert not access.visible_cases(User.objects.get(username="auditadmin")).exists()


def test_audit_chain_verifies(built: demo.DemoResult) -> None:
    result = verify_chain(exact=True)
    assert result.ok, result.broken.describe() if result.broken else ""
    assert result.count == AuditRecord.objects.count()
    assert AuditRecord.objects.filter(action="deadlines.sweep").count() == 1


def test_loading_twice_adds_nothing(built: demo.DemoResult) -> None:
    before = counts()
    again = demo.load()
    assert not again.created
    assert counts() == before
    assert again.accounts == built.accounts


def test_fictional_id_numbers_are_well_formed() -> None:
    number = demo._id_number("320102", "1975-03-12", 41, False)
    assert len(number) == 18 and number.startswith("32010219750312")
    assert int(number[16]) % 2 == 1  # odd order code: male
    assert dt.date(1975, 3, 12).strftime("%Y%m%d") in number
