"""Keeping renditions true to the decision: when an appeal changes a decision, a published rendition that
states the old one is withdrawn at once (and must be regenerated and approved again)."""

from __future__ import annotations

from django.utils import timezone

from rongcuo.audit.chain import Actor, append
from rongcuo.cases.models import Decision

from .models import Rendition, RenditionStatus
from .signals import rendition_withdrawn

AUTO_WITHDRAW_REASON = "原决定经申诉变更，原公开文本自动撤回，须重新生成并审核后再公开"


def on_decision(decision: Decision) -> None:
    """Registered in `cases.actions.DECISION_HOOKS`; runs inside the deciding transaction."""
    r = Rendition.objects.select_for_update().filter(case_id=decision.case_id).first()
    if r is None or r.status != RenditionStatus.PUBLISHED:
        return
    if (r.outcome, r.disposition) == (decision.outcome, decision.disposition):
        return
    r.status = RenditionStatus.WITHDRAWN
    r.withdrawn_by, r.withdrawn_at, r.withdraw_reason = None, timezone.now(), AUTO_WITHDRAW_REASON
    r.version += 1
    r.save()
    append(
        Actor.system("disclosure"),
        "disclosure.auto_withdraw",
        "rendition",
        r.public_number,
        detail={"reason": AUTO_WITHDRAW_REASON},
    )
    rendition_withdrawn.send(sender=Rendition, rendition=r)
