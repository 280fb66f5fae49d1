"""The shape of a policy rule file, validated with pydantic.

These models describe the YAML exactly as written (docs/policy-format.md); the
loader turns a validated file into compiled, evaluable objects (model.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator, model_validator

OUTCOMES = ("exempt", "mitigate", "not_tolerated", "undetermined")
Outcome = Literal["exempt", "mitigate", "not_tolerated"]
AppliesBy = Literal["conduct_date", "decision_date", "most_favourable"]
NODE_ID = r"^[a-z][a-z0-9_]*$"
FACT_ID = r"^[a-z][a-z0-9_]*$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Jurisdiction(Strict):
    code: str = Field(pattern=r"^\d{6}$", description="GB/T 2260 administrative division code")
    name: str = Field(min_length=1)


class Effective(Strict):
    from_: dt.date = Field(alias="from")
    to: dt.date | None = None  # last day in force (inclusive); null = still in force
    note: str | None = None

    @field_validator("to")
    @classmethod
    def _ordered(cls, v: dt.date | None, info):  # type: ignore[no-untyped-def]
        start = info.data.get("from_")
        if v is not None and start is not None and v < start:
            raise ValueError("effective.to must not be earlier than effective.from")
        return v


class Source(Strict):
    url: str | None = None
    note: str | None = None


class Reading(Strict):
    ref: str = Field(min_length=1)
    note: str = Field(min_length=1)
    node: str | None = Field(default=None, pattern=NODE_ID)  # the rule node this reading explains, if one


class LocalFact(Strict):
    label: str = Field(min_length=1)
    question: str = Field(min_length=1)


class Article(Strict):
    ref: str = Field(min_length=1)
    text: str = Field(min_length=1)
    verified: bool = True
    # "text": the measure's own words; "commentary": an official's or a newspaper's account of it, kept for
    # the reader of the file, never quoted as the legal basis of a published decision
    kind: Literal["text", "commentary"] = "text"


class Node(Strict):
    id: str = Field(pattern=NODE_ID)
    ref: str = ""
    text: str = ""
    when: str = Field(min_length=1)
    label: str | None = None


class OutcomeRule(Strict):
    id: str = Field(pattern=NODE_ID)
    ref: str = ""
    text: str = ""
    when: str = Field(min_length=1)
    outcome: Outcome
    dispositions: list[str] = Field(min_length=1)


class Otherwise(Strict):
    ref: str = ""
    text: str = ""
    outcome: Outcome = "not_tolerated"
    dispositions: list[str] = Field(default_factory=lambda: ["问责处理"])


class InfluencePeriod(Strict):
    months: int | None = Field(default=None, ge=0)
    note: str | None = None


class ResultUseRule(Strict):
    id: str = Field(pattern=NODE_ID)
    applies_to: Outcome
    ref: str = ""
    text: str = ""
    unaffected: list[str] = Field(default_factory=list)
    no_negative_evaluation: bool = False
    influence_period: InfluencePeriod | None = None
    after_period_unaffected: list[str] = Field(default_factory=list)


class Step(Strict):
    stage: str
    name: str = Field(min_length=1)
    ref: str = ""
    text: str = ""


class Cited(Strict):
    ref: str = ""
    text: str = ""
    note: str | None = None


class Proactive(Cited):
    required: bool


class ApplicationRule(Cited):
    allowed: bool = True
    opens: Literal["accountability_started", "any_time"] = "accountability_started"
    closes: Literal["decision_made", "none"] = "decision_made"
    via_unit_committee: bool = True


class DecidingBody(Cited):
    name: str = Field(min_length=1)


class Deadline(Strict):
    stage: str
    within: int = Field(gt=0)
    unit: Literal["working_days", "days"]
    from_: str = Field(alias="from")
    ref: str = ""
    default: bool = False
    note: str | None = None


class Appeal(Strict):
    within: int = Field(default=15, gt=0)
    unit: Literal["working_days", "days"] = "days"
    decided_within: int = Field(default=30, gt=0)
    suspends_execution: bool = False
    ref: str = ""
    default: bool = False
    note: str | None = None


class Procedure(Strict):
    steps: list[Step] = Field(default_factory=list)
    proactive: Proactive | None = None
    application: ApplicationRule | None = None
    deciding_body: DecidingBody | None = None
    deadlines: list[Deadline] = Field(default_factory=list)
    appeal: Appeal | None = None


class BaseCite(Strict):
    """The measure's own article that restates a base red line: cited beside the base's."""

    node: str = Field(pattern=NODE_ID)
    ref: str = Field(min_length=1)
    text: str = ""


class BaseRef(Strict):
    """`base:` — the shared rule set a measure is read together with (docs/policy-format.md §2.8)."""

    id: str = Field(pattern=r"^[a-z][a-z0-9-]*(@.+)?$")
    cite: list[BaseCite] = Field(default_factory=list)
    opt_out: list[str] = Field(default_factory=list)


class OpenList(Strict):
    """The measure's list is open (「等」「等等」) or only partly encoded: outside it, no conclusion."""

    ref: str = Field(min_length=1)
    text: str = ""
    note: str = Field(min_length=1)


class VersionHead(Strict):
    """What every version says about itself, a measure's or a base's: name, dates, source, completeness."""

    version: str = Field(min_length=1)
    title: str | None = None
    effective: Effective
    issued: dt.date | None = None
    document_number: str | None = None
    source: Source
    completeness: Literal["complete", "partial"]
    completeness_note: str | None = None


class Version(VersionHead):
    applies_by: AppliesBy
    base: BaseRef | None = None
    open_situations: OpenList | None = None
    readings: list[Reading] = Field(default_factory=list)
    facts: dict[str, LocalFact] = Field(default_factory=dict)
    articles: list[Article] = Field(default_factory=list)
    conditions: list[Node] = Field(default_factory=list)
    situations: list[Node] = Field(default_factory=list)
    exclusions: list[Node] = Field(default_factory=list)
    mitigations: list[Node] = Field(default_factory=list)
    outcomes: list[OutcomeRule] = Field(min_length=1)
    otherwise: Otherwise = Field(default_factory=Otherwise)
    result_use: list[ResultUseRule] = Field(default_factory=list)
    procedure: Procedure = Field(default_factory=Procedure)

    @field_validator("base", mode="before")
    @classmethod
    def _base_shorthand(cls, v: object) -> object:
        return {"id": v} if isinstance(v, str) else v

    @model_validator(mode="after")
    def _note_for_partial(self) -> Version:
        if self.completeness == "partial" and not (self.completeness_note or "").strip():
            raise ValueError("a partial policy must say in completeness_note (in Chinese) what is missing")
        return self


class RedLineRule(Strict):
    """How a base's red lines decide: the citation of the outcome rule every inheriting measure tries first."""

    ref: str = Field(min_length=1)
    text: str = Field(min_length=1)


class BaseVersion(VersionHead):
    """A version of a base rule set (`kind: base`): red lines only, no outcomes of its own."""

    readings: list[Reading] = Field(default_factory=list)
    articles: list[Article] = Field(default_factory=list)
    exclusions: list[Node] = Field(min_length=1)
    red_line: RedLineRule


class BaseFile(Strict):
    format: Literal[1]
    kind: Literal["base"]
    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    title: str = Field(min_length=1)
    jurisdiction: Jurisdiction
    issued_by: str = Field(min_length=1)
    versions: list[BaseVersion] = Field(min_length=1)


class PolicyFile(Strict):
    format: Literal[1]
    kind: Literal["measure"] = "measure"
    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    title: str = Field(min_length=1)
    jurisdiction: Jurisdiction
    issued_by: str = Field(min_length=1)
    versions: list[Version] = Field(min_length=1)


# --- policy test files (<id>.test.yaml) ---


class Expect(Strict):
    outcome: Literal["exempt", "mitigate", "not_tolerated", "undetermined"]
    decisive_facts: list[str] | None = None  # exact set, if given
    citations: list[str] = Field(default_factory=list)  # must all appear
    dispositions: list[str] | None = None


class TestCase(Strict):
    name: str = Field(min_length=1)
    on: dt.date | None = None
    facts: dict[str, StrictBool | None] = Field(default_factory=dict)
    expect: Expect


class TestFile(Strict):
    policy: str
    cases: list[TestCase] = Field(min_length=1)
