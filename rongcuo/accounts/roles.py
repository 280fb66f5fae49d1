"""Roles, what each is scoped to, and the three separated administrators 「三员分立」."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    APPLICANT = "applicant", "申请人（干部本人）"
    UNIT_CONTACT = "unit_contact", "单位联系人"
    UNIT_REVIEWER = "unit_reviewer", "单位党委（党组）审核人"
    HANDLER = "handler", "承办人"
    INVESTIGATOR = "investigator", "调查人员"
    SECRETARY = "secretary", "决策秘书"
    ORG_LIAISON = "org_liaison", "组织部门联络员"
    EVALUATOR = "evaluator", "第三方评估人"
    HEARING_HOST = "hearing_host", "听证主持人"
    PUBLISHER = "publisher", "公开发布员"
    DRAFTER = "drafter", "规则起草人"
    SYSADMIN = "sysadmin", "系统管理员"
    SECADMIN = "secadmin", "安全管理员"
    AUDITADMIN = "auditadmin", "审计管理员"


# What a role's scope is: a jurisdiction subtree, a unit subtree, one cadre (themselves), one case, or nothing.
SCOPE = {
    Role.APPLICANT: "cadre",
    Role.UNIT_CONTACT: "unit",
    Role.UNIT_REVIEWER: "unit",
    Role.HANDLER: "jurisdiction",
    Role.INVESTIGATOR: "jurisdiction",
    Role.SECRETARY: "jurisdiction",
    Role.ORG_LIAISON: "jurisdiction",
    Role.PUBLISHER: "jurisdiction",
    Role.DRAFTER: "jurisdiction",
    Role.EVALUATOR: "case",
    Role.HEARING_HOST: "case",
    Role.SYSADMIN: "none",
    Role.SECADMIN: "none",
    Role.AUDITADMIN: "none",
}
ADMIN_ROLES = frozenset({Role.SYSADMIN, Role.SECADMIN, Role.AUDITADMIN})
STAFF_ROLES = frozenset(
    {Role.HANDLER, Role.INVESTIGATOR, Role.SECRETARY, Role.ORG_LIAISON, Role.PUBLISHER, Role.DRAFTER, *ADMIN_ROLES}
)
# Roles whose jurisdiction scope is for writing rules, not for reading cases: a 规则起草人 drafts measures of
# the place and sees no case there (rongcuo/cases/access.py must leave these grants out of every case read).
CASE_BLIND_ROLES = frozenset({Role.DRAFTER})
