"""The navigation entries of the drafting workbench, for 规则起草人 only."""

from __future__ import annotations

from django import template

from rongcuo.cases import access

from ..scope import drafting_scope

register = template.Library()
# what the main navigation (rongcuo/web/templatetags/web_nav.py) already shows these roles
CONSULTATION_ROLES = {"handler", "investigator", "secretary", "org_liaison", "publisher"}


@register.simple_tag(takes_context=True)
def drafting_links(context: template.Context) -> list[tuple[str, str]]:
    request = context.get("request")
    if request is None or not request.user.is_authenticated or not drafting_scope(request.user):
        return []
    links = [("/drafting/", "规则起草")]
    if not access.role_names(request.user) & CONSULTATION_ROLES:
        links.append(("/consultation/", "意见征集"))
    return links
