"""`{{ text|plain:v }}`: identifiers in a rule file's prose put into words (rongcuo.policy.wording)."""

from __future__ import annotations

from django import template

from rongcuo.policy.model import PolicyVersion
from rongcuo.policy.wording import plain_ids

register = template.Library()


@register.filter
def plain(text: str | None, version: PolicyVersion | None) -> str:
    if not isinstance(version, PolicyVersion):
        return text or ""
    return plain_ids(text, version)
