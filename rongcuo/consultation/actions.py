"""意见征集 verbs: draft, revise, publish (open the window), respond, close, adopt.

Roles: a 承办人 (handler) of the policy's jurisdiction (or a parent) drafts, revises, publishes, closes and
exports; adoption records the decision of the Party committee that issues the measure, so it is taken by the
决策秘书 (secretary) of that jurisdiction, as decisions on cases are, and never by the drafter's role alone.
Staff of the jurisdiction subtree may read drafts; anyone may read an open draft and respond while the window
is open. Each verb runs in one transaction with its audit record; a refusal is audited after rollback.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from rongcuo.accounts.models import User
from rongcuo.audit.chain import Actor, append
from rongcuo.cases import access
from rongcuo.cases.actions import actor_for, attempt
from rongcuo.core.errors import Conflict, Forbidden, Invalid, NotFound
from rongcuo.org.models import Jurisdiction

from .drafting import DraftCheck, check_draft
from .library import effective_library
from .models import AdoptedPolicy, Draft, Response
from .payloads import AdoptIn, DraftIn, DraftUpdate, PublishIn, ResponseIn, aware, parse_payload
from .questionnaire import clean_answers, clean_questionnaire

DRAFTER_ROLES = frozenset({"handler", "drafter"})
ADOPTER_ROLES = frozenset({"secretary"})
READER_ROLES = frozenset({"handler", "investigator", "secretary", "org_liaison", "publisher", "drafter"})
RESPONSE_READER_ROLES = DRAFTER_ROLES | ADOPTER_ROLES
OBJECT = "consultation_draft"
PUBLIC = Actor(None, "公众", "public", "")
MAX_WINDOW = dt.timedelta(days=366)


def visible_drafts(user: User) -> QuerySet[Draft]:
    return Draft.objects.filter(jurisdiction_id__in=access.jurisdictions_for(user, set(READER_ROLES)))


def open_drafts(now: dt.datetime | None = None) -> QuerySet[Draft]:
    """Drafts the public may read and answer now."""
    now = now or timezone.now()
    return Draft.objects.filter(status=Draft.OPEN, opens_at__lte=now, closes_at__gt=now)


def access_draft(user: User, draft_id: Any, roles: frozenset[str] = READER_ROLES, *, for_update: bool = False) -> Draft:
    """The draft if the user may see it (else NotFound, missing and forbidden alike) and holds one of `roles` there."""
    try:
        pk = int(draft_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    qs = visible_drafts(user).filter(pk=pk)
    draft = (qs.select_for_update() if for_update else qs).first()
    if draft is None:
        raise NotFound()
    if draft.jurisdiction_id not in access.jurisdictions_for(user, set(roles)):
        raise Forbidden("您在该辖区没有执行该操作的角色")
    return draft


def role_in(user: User, jurisdiction: str, roles: frozenset[str]) -> str:
    for g in access.grants(user):
        if g.role in roles and jurisdiction in g.jurisdiction_codes:
            return g.role
    raise Forbidden("您在该辖区没有执行该操作的角色")


def _check(text: str, policy_id: str | None) -> DraftCheck:
    return check_draft(text, effective_library(), policy_id)


def _window(opens_at: dt.datetime | None, closes_at: dt.datetime | None) -> None:
    if opens_at is not None and closes_at is not None:
        if closes_at <= opens_at:
            raise Invalid("截止时间应晚于开始时间", field="closes_at")
        if closes_at - opens_at > MAX_WINDOW:
            raise Invalid("征求意见期不超过一年", field="closes_at")


def _summary(draft: Draft, check: DraftCheck | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"policy": draft.policy_id, "title": draft.title, "new_versions": draft.new_versions}
    if check is not None and check.warnings:
        out["warnings"] = len(check.warnings)
    return out


def create_draft(user: User, data: Any, *, ip: str = "") -> tuple[Draft, DraftCheck]:
    p = parse_payload(DraftIn, data)
    with attempt(user, "consultation.draft", OBJECT, "", ip):
        questionnaire = clean_questionnaire(p.questionnaire)
        check = _check(p.yaml_text, p.policy_id)
        code = check.policy.jurisdiction_code
        role = role_in(user, code, DRAFTER_ROLES)
        jurisdiction = Jurisdiction.objects.filter(code=code).first()
        if jurisdiction is None:
            raise Invalid(f"规则文件所属辖区 {code} 不在区划表中", field="yaml_text")
        opens_at, closes_at = aware(p.opens_at), aware(p.closes_at)
        _window(opens_at, closes_at)
        draft = Draft.objects.create(
            policy_id=check.policy.id,
            title=p.title,
            yaml_text=p.yaml_text,
            explanation=p.explanation,
            questionnaire=questionnaire,
            new_versions=check.new_versions,
            opens_at=opens_at,
            closes_at=closes_at,
            jurisdiction=jurisdiction,
            created_by=user,
        )
        append(actor_for(user, role, ip), "consultation.draft", OBJECT, draft.pk, detail=_summary(draft, check))
    return draft, check


def update_draft(user: User, draft_id: Any, data: Any, *, ip: str = "") -> tuple[Draft, DraftCheck | None]:
    """Revise a draft not yet published (every field optional; the rule file is checked again when given)."""
    p = parse_payload(DraftUpdate, data)
    with attempt(user, "consultation.revise", OBJECT, draft_id, ip):
        draft = access_draft(user, draft_id, DRAFTER_ROLES, for_update=True)
        if draft.status != Draft.DRAFT:
            raise Conflict("征求意见稿已发布，不能再修改")
        check = None
        if p.yaml_text is not None:
            check = _check(p.yaml_text, draft.policy_id)
            draft.yaml_text, draft.new_versions = p.yaml_text, check.new_versions
        if p.questionnaire is not None:
            draft.questionnaire = clean_questionnaire(p.questionnaire)
        for name in ("title", "explanation"):
            if getattr(p, name) is not None:
                setattr(draft, name, getattr(p, name))
        for name in ("opens_at", "closes_at"):
            if name in p.model_fields_set:
                setattr(draft, name, aware(getattr(p, name)))
        _window(draft.opens_at, draft.closes_at)
        draft.save()
        role = role_in(user, draft.jurisdiction_id, DRAFTER_ROLES)
        append(actor_for(user, role, ip), "consultation.revise", OBJECT, draft.pk, detail=_summary(draft, check))
    return draft, check


def publish_draft(user: User, draft_id: Any, data: Any = None, *, ip: str = "") -> Draft:
    """Check the rule file with the policy library now in force and open the window for responses."""
    p = parse_payload(PublishIn, data)
    with attempt(user, "consultation.publish", OBJECT, draft_id, ip):
        draft = access_draft(user, draft_id, DRAFTER_ROLES, for_update=True)
        if draft.status != Draft.DRAFT:
            raise Conflict("征求意见稿已发布")
        check = _check(draft.yaml_text, draft.policy_id)
        now = timezone.now()
        opens_at = aware(p.opens_at) or draft.opens_at or now
        closes_at = aware(p.closes_at) or draft.closes_at
        if closes_at is None:
            raise Invalid("请确定征求意见截止时间", field="closes_at")
        if closes_at <= now:
            raise Invalid("截止时间应晚于现在", field="closes_at")
        _window(opens_at, closes_at)
        draft.opens_at, draft.closes_at = opens_at, closes_at
        draft.new_versions = check.new_versions
        draft.status, draft.published_at = Draft.OPEN, now
        draft.save()
        role = role_in(user, draft.jurisdiction_id, DRAFTER_ROLES)
        detail = {**_summary(draft, check), "opens_at": opens_at.isoformat(), "closes_at": closes_at.isoformat()}
        append(actor_for(user, role, ip), "consultation.publish", OBJECT, draft.pk, detail=detail)
    return draft


def close_draft(user: User, draft_id: Any, *, ip: str = "") -> Draft:
    """End the window now (or record that it has ended): no response is accepted after this."""
    with attempt(user, "consultation.close", OBJECT, draft_id, ip):
        draft = access_draft(user, draft_id, DRAFTER_ROLES, for_update=True)
        if draft.status != Draft.OPEN:
            raise Conflict("只有征求意见中的稿件可以结束征集")
        now = timezone.now()
        if draft.closes_at is None or draft.closes_at > now:
            draft.closes_at = now
        draft.status, draft.closed_at = Draft.CLOSED, now
        draft.save()
        role = role_in(user, draft.jurisdiction_id, DRAFTER_ROLES)
        n = draft.responses.count()
        append(actor_for(user, role, ip), "consultation.close", OBJECT, draft.pk, detail={"responses": n})
    return draft


def submit_response(draft_id: Any, data: Any) -> Response:
    """A response from anyone (named or anonymous) while the window is open. No IP or account is stored with it."""
    p = parse_payload(ResponseIn, data)
    try:
        pk = int(draft_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    with transaction.atomic():
        # The row lock orders responses against closing: none is accepted after a close commits.
        draft = Draft.objects.select_for_update().filter(pk=pk).exclude(status=Draft.DRAFT).first()
        if draft is None:
            raise NotFound("征求意见稿不存在")
        now = timezone.now()
        if not draft.accepting(now):
            if draft.opens_at is not None and now < draft.opens_at:
                raise Forbidden(
                    f"征求意见将于 {timezone.localtime(draft.opens_at):%Y-%m-%d %H:%M} 开始", field="window"
                )
            raise Forbidden("征求意见已截止，不再接收意见", field="window")
        answers = clean_answers(draft.questionnaire, p.answers)
        response = Response.objects.create(
            draft=draft,
            answers=answers,
            respondent_name=p.respondent_name,
            respondent_unit=p.respondent_unit,
            submitted_at=now,
        )
        detail = {"response": response.pk, "named": bool(p.respondent_name)}
        append(PUBLIC, "consultation.respond", OBJECT, draft.pk, detail=detail)
    return response


def adopt_draft(user: User, draft_id: Any, data: Any, *, ip: str = "") -> AdoptedPolicy:
    """Adopt a draft whose window has closed: its rule file becomes the policy in force (effective_library)."""
    p = parse_payload(AdoptIn, data)
    with attempt(user, "consultation.adopt", OBJECT, draft_id, ip):
        draft = access_draft(user, draft_id, ADOPTER_ROLES, for_update=True)
        now = timezone.now()
        state = draft.state(now)
        if state == Draft.ADOPTED:
            raise Conflict("该征求意见稿已被采纳")
        if state != Draft.CLOSED:
            raise Conflict("征求意见期结束后才能采纳" if state == Draft.OPEN else "征求意见稿尚未发布征求意见")
        # Checked again against the library now in force: another adoption of the same policy may have come first.
        check = _check(draft.yaml_text, draft.policy_id)
        adopted = AdoptedPolicy.objects.create(
            policy_id=draft.policy_id,
            yaml_text=draft.yaml_text,
            draft=draft,
            adopted_at=now,
            adopted_by=user,
            decision=p.decision,
        )
        if draft.closed_at is None:
            draft.closed_at = draft.closes_at
        draft.status, draft.new_versions = Draft.ADOPTED, check.new_versions
        draft.save()
        role = role_in(user, draft.jurisdiction_id, ADOPTER_ROLES)
        detail = {**_summary(draft, check), "decision": p.decision, "adoption": adopted.pk}
        append(actor_for(user, role, ip), "consultation.adopt", OBJECT, draft.pk, detail=detail)
    return adopted
