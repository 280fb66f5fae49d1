"""The navigation a user sees depends on their roles: each link only where they have something to do."""

from __future__ import annotations

from typing import Any

from django import template

from rongcuo.cases import access
from rongcuo.notices.counts import nav_label

register = template.Library()

STAFF = {"handler", "investigator", "secretary", "org_liaison", "publisher"}
# (url, label, roles that see it; None = everyone signed in). A label may be a function of the user giving the
# text, or None for no link.
LINKS = [
    ("/", "工作台", None),
    ("/cases/", "案件", STAFF | {"applicant", "unit_contact", "unit_reviewer", "evaluator", "hearing_host"}),
    ("/apply/", "申请容错", {"applicant", "unit_contact"}),
    ("/matters/", "问责事项", {"handler"}),
    ("/prefilings/", "事前报备", {"handler", "unit_contact", "unit_reviewer"}),
    ("/policies/", "政策库", None),
    ("/stats/", "统计", STAFF),
    ("/reports/", "澄清正名", {"handler", "secretary"}),
    ("/standing/", "结果运用查询", {"org_liaison", "handler", "secretary"}),
    ("/publication/", "公开审核", {"publisher"}),
    ("/consultation/", "意见征集", STAFF),
    ("/exchange/", "导入导出", STAFF),
    ("/console/accounts/", "账号管理", {"sysadmin"}),
    ("/console/grants/", "角色授权", {"secadmin"}),
    ("/console/audit/", "安全审计", {"auditadmin"}),
    ("/notices/", nav_label, None),  # 站内信 with the unread count, for users who have any notice
    ("/account/password/", "修改密码", None),
]


@register.simple_tag(takes_context=True)
def nav_links(context: template.Context) -> list[tuple[str, str]]:
    from django.urls import Resolver404, resolve

    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return []
    roles = access.role_names(request.user)
    out = []
    for href, label, who in LINKS:
        if who is not None and not (who & roles):
            continue
        try:
            resolve(href)  # only pages that exist in this installation
        except Resolver404:
            continue
        if callable(label):
            label = label(request.user)
            if label is None:
                continue
        out.append((href, label))
    return out


@register.simple_tag(takes_context=True)
def after_panels(context: template.Context, case: Any) -> dict[str, Any]:
    """The after-decision panels of a case page (web/after/_case_panels.html): correction plan, early warning,
    public rendition, each for the roles it concerns."""
    from ..views.after import case_panels

    request = context.get("request")
    if request is None or not request.user.is_authenticated or case is None:
        return {}
    return case_panels(request, case)
