"""Checking a draft rule file with the policy library before it is saved, published or adopted.

A draft is a whole policy file. For a policy the system already has, it must keep every existing version
(cases pin versions by name, so none may disappear or move its start date) and add at least one; the
previous open-ended version may be given an end date. Any loader error or error-level static check refuses
the draft with the file line and message; warnings are returned for the drafter to read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rongcuo.core.errors import Invalid
from rongcuo.policy.checks import Finding, check_policy
from rongcuo.policy.errors import PolicyError, PolicyErrors
from rongcuo.policy.loader import Library, load_policy_text
from rongcuo.policy.model import Policy

MAX_YAML_CHARS = 500_000
MAX_LISTED_ERRORS = 20


class PolicyTextInvalid(Invalid):
    """The draft's rule file does not load or fails a check: every problem with its line."""

    def __init__(self, problems: list[dict[str, Any]]) -> None:
        first = problems[0]
        where = f"规则文件第{first['line']}行：" if first.get("line") else "规则文件："
        field_ = f"{first['field']}：" if first.get("field") else ""
        more = f"（另有 {len(problems) - 1} 处问题）" if len(problems) > 1 else ""
        super().__init__(f"{where}{field_}{first['message']}{more}", field="yaml_text")
        self.problems = problems
        self.line = first.get("line")

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "line": self.line, "problems": self.problems}


@dataclass
class DraftCheck:
    policy: Policy
    new_versions: list[str]
    warnings: list[dict[str, Any]] = field(default_factory=list)


def _problem(e: PolicyError | Finding) -> dict[str, Any]:
    return {"line": e.line, "field": e.field, "message": e.message}


def load_draft(text: str, policy_id: str | None = None) -> Policy:
    if not isinstance(text, str) or not text.strip():
        raise Invalid("规则文件不能为空", field="yaml_text")
    if len(text) > MAX_YAML_CHARS:
        raise Invalid(f"规则文件过长（不超过 {MAX_YAML_CHARS} 字符）", field="yaml_text")
    try:
        policy = load_policy_text(text, f"{policy_id or 'draft'}.yaml")
    except PolicyErrors as exc:
        raise PolicyTextInvalid([_problem(e) for e in exc.errors[:MAX_LISTED_ERRORS]]) from None
    except PolicyError as exc:
        raise PolicyTextInvalid([_problem(exc)]) from None
    return policy


def check_draft(text: str, base: Library, policy_id: str | None = None) -> DraftCheck:
    """Load and check the draft against the library now in force (`base`); raise PolicyTextInvalid if it fails."""
    policy = load_draft(text, policy_id)
    if policy_id and policy.id != policy_id:
        raise Invalid(f"规则文件的 id 为 {policy.id}，与征求意见稿的政策编号 {policy_id} 不一致", field="yaml_text")
    findings = check_policy(policy, f"{policy.id}.yaml")
    errors = [f for f in findings if f.severity == "error"]
    if errors:
        raise PolicyTextInvalid([_problem(f) for f in errors[:MAX_LISTED_ERRORS]])
    existing = base.policies.get(policy.id)
    names = [v.version for v in policy.versions]
    if existing is None:
        new = names
    else:
        if existing.jurisdiction_code != policy.jurisdiction_code:
            raise Invalid(
                f"政策 {policy.id} 属于 {existing.jurisdiction_name}（{existing.jurisdiction_code}），"
                "征求意见稿不能改变其所属辖区",
                field="yaml_text",
            )
        draft_versions = {v.version: v for v in policy.versions}
        for old in existing.versions:
            mine = draft_versions.get(old.version)
            if mine is None:
                raise Invalid(
                    f"征求意见稿删去了现行政策的版本 {old.version}：已有案件按版本名引用，现有版本须全部保留",
                    field="yaml_text",
                )
            if mine.effective_from != old.effective_from:
                raise Invalid(f"版本 {old.version} 的施行日期不能更改（现为 {old.effective_from}）", field="yaml_text")
        old_names = {v.version for v in existing.versions}
        new = [n for n in names if n not in old_names]
        if not new:
            raise Invalid(
                f"征求意见稿没有新增版本：请在 versions 中加入拟施行的新版本（现有 {'、'.join(old_names)}）",
                field="yaml_text",
            )
    warnings = [_problem(f) for f in findings if f.severity != "error"]
    return DraftCheck(policy, new, warnings)
