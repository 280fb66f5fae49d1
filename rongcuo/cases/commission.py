"""Commissioning the third-party evaluator 「第三方评估人」 and the hearing host 「听证主持人」 from the case,
and saying who the case is waiting for.

The handler (or decision secretary) of a case in 第三方评估 or 听证 picks an account from the register of
that role (every account that holds or has held it, on any case: the security administrator puts a person
on the register once, with a first grant) and the system grants the role on this case. The grant is a
RoleAssignment scoped to the case, recorded on the case's timeline and in the audit chain like every act.
"""

from __future__ import annotations

from typing import Any, Literal

import pydantic
from pydantic import BaseModel, ConfigDict, Field

from rongcuo.accounts.models import RoleAssignment, User
from rongcuo.accounts.roles import Role
from rongcuo.core.errors import Conflict, Invalid
from rongcuo.procedure import engine

from . import access
from .actions import _role_for, _save, actor_for, attempt, record_event
from .models import Case

# role -> (the stage in which it is commissioned, its label, what it is awaited for)
COMMISSIONED = {
    "evaluator": ("third_party", Role.EVALUATOR.label),
    "hearing_host": ("hearing", Role.HEARING_HOST.label),
}
COMMISSIONERS = {"handler", "secretary"}
MAX_ID = 2**63 - 1


class CommissionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Literal["evaluator", "hearing_host"]
    user_id: int = Field(ge=1, le=MAX_ID)
    note: str = Field(default="", max_length=500)


def register(role: str) -> list[User]:
    """Accounts that hold or have held `role` on some case, active, by name."""
    ids = RoleAssignment.objects.filter(role=role).values("user_id")
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("display_name", "username"))


def commissioned(case: Case, role: str) -> list[User]:
    """Who holds `role` on this case now."""
    ids = RoleAssignment.objects.filter(role=role, case=case, revoked_at__isnull=True).values("user_id")
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("display_name", "username"))


def may_commission(user: User, case: Case) -> list[str]:
    """The roles this user may commission on this case now (empty unless handler/secretary at that stage)."""
    if case.status != "open" or not set(access.roles_on_case(user, case)) & COMMISSIONERS:
        return []
    return [role for role, (stage, _) in COMMISSIONED.items() if case.stage == stage]


def commission(user: User, case_id: int, data: Any, *, ip: str = "") -> RoleAssignment:
    try:
        p = CommissionIn.model_validate(data or {})
    except pydantic.ValidationError as exc:
        err = exc.errors()[0]
        field = str(err["loc"][0]) if err.get("loc") else None
        messages = {"role": "应为第三方评估人或听证主持人", "user_id": "请选择受委托的账号"}
        raise Invalid(messages.get(field or "", "请求无效"), field=field) from None
    with attempt(user, "case.commission", "case", case_id, ip):
        case = access.access_case(user, case_id, for_update=True)
        actor_role = _role_for(user, case, COMMISSIONERS)
        stage, label = COMMISSIONED[p.role]
        if case.stage != stage:
            here = engine.Procedure(case.procedure).label(case.stage)
            there = engine.Procedure(case.procedure).label(stage)
            raise Conflict(f"案件处于“{here}”环节；委托{label}须在“{there}”环节")
        target = next((u for u in register(p.role) if u.pk == p.user_id), None)
        if target is None:
            raise Invalid(f"所选账号不在{label}名册中（名册由安全管理员首次授权时建立）", field="user_id")
        if any(u.pk == target.pk for u in commissioned(case, p.role)):
            raise Conflict(f"已委托{target}为本案{label}")
        grant = RoleAssignment.objects.create(user=target, role=p.role, case=case, granted_by=user)
        _save(case)
        record_event(
            case,
            user,
            actor_for(user, actor_role, ip),
            "commission",
            f"委托{label}：{target}",
            reason=p.note,
            data={"role": p.role, "user": target.pk, "grant": grant.pk},
        )
    return grant


def awaiting(case: Case) -> str:
    """「等待……」: who the current stage waits for and for what, from the pinned procedure's verbs."""
    if case.status != "open":
        return ""
    proc = engine.Procedure(case.procedure)
    parts: list[str] = []
    for name in proc.verbs_from(case.stage):
        spec = proc.verb(name)
        who = []
        for role in spec["roles"]:
            if role in COMMISSIONED:
                people = "、".join(str(u) for u in commissioned(case, role))
                who.append(f"{Role(role).label}（{people}）" if people else f"{Role(role).label}（尚未委托）")
            else:
                who.append(Role(role).label)
        parts.append(f"{'或'.join(who)}{spec['label']}")
    return "等待" + "；或".join(parts) if parts else ""
