"""What each after-decision verb must be given (validated into field-level Chinese messages)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from rongcuo.cases.payloads import Payload, Text
from rongcuo.core.types import Day, Id

Short = Field(min_length=1, max_length=100)


class MilestoneIn(Payload):
    title: str = Short
    due_on: Day
    description: str = Field(default="", max_length=5000)


class PlanIn(Payload):
    responsible: str = Field(min_length=1, max_length=100, description="整改责任人")
    measures: str = Field(min_length=1, max_length=20000, description="整改措施")
    basis: str = Field(min_length=1, max_length=20000, description="整改依据")
    deadline_on: Day = Field(description="整改完成期限")
    milestones: list[MilestoneIn] = Field(default_factory=list, max_length=50, description="阶段节点")


class ProgressIn(Payload):
    text: str = Text
    percent: int | None = Field(default=None, ge=0, le=100)
    milestone_id: Id | None = None
    milestone_done: bool = False


class AssessmentIn(Payload):
    rating: Literal["good", "fair", "average", "poor"]
    comment: str = Text
    milestone_id: Id | None = None


class CompletionIn(Payload):
    evidence: str = Text
    attachment_ids: list[Id] = Field(default_factory=list, max_length=100)


class VerifyIn(Payload):
    passed: bool
    note: str = Text


class RefusalIn(Payload):
    kind: Literal["refused", "failed"] = Field(description="refused 拒不纠错；failed 整改不力、未能纠正")
    reason: str = Text


class ReportedMatterIn(Payload):
    text: str = Field(min_length=1, max_length=5000)
    case_id: Id | None = None
    matter_id: Id | None = None


class ReportIn(Payload):
    cadre_id: Id
    received_on: Day
    channel: str = Field(min_length=1, max_length=32)
    summary: str = Text
    informant: str = Field(default="", max_length=200)
    matters: list[ReportedMatterIn] = Field(min_length=1, max_length=50)


FindingChoice = Literal["true", "partly_true", "untrue", "seriously_untrue", "fabricated", "false_accusation"]


class FindingIn(Payload):
    matter_id: Id
    finding: FindingChoice
    note: str = Field(default="", max_length=5000)


class ConclusionIn(Payload):
    organ: str = Field(min_length=1, max_length=128, description="核实机关")
    concluded_on: Day
    conclusion: str = Text
    findings: list[FindingIn] = Field(min_length=1, max_length=50)


Method = Literal["written", "in_person", "meeting", "circular"]


class ClarificationIn(Payload):
    matter_ids: list[Id] = Field(min_length=1, max_length=50)
    methods: list[Method] = Field(min_length=1, max_length=4)
    scope: str = Field(min_length=1, max_length=300, description="澄清范围")
    written_text: str = Field(default="", max_length=20000, description="书面澄清材料")
    held_on: Day
    organ: str = Field(default="", max_length=128, description="澄清机关（须为核实机关）")
    refer_false_accusation: bool = False
    referred_to: str = Field(default="", max_length=128)
    referral_note: str = Field(default="", max_length=5000)


class ReferralIn(Payload):
    referred_to: str = Field(min_length=1, max_length=128)
    note: str = Text
    referred_on: Day
