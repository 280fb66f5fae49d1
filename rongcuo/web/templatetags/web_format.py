"""`{{ iso|local_time }}`: a stored ISO 8601 time (from a JSON record) shown in Asia/Shanghai as 年月日 时:分."""

from __future__ import annotations

from django import template
from django.utils import timezone
from django.utils.dateparse import parse_datetime

register = template.Library()


@register.filter
def local_time(value: str | None) -> str:
    when = parse_datetime(value) if isinstance(value, str) else value
    if when is None:
        return value or ""
    if timezone.is_naive(when):
        when = timezone.make_aware(when, timezone.utc)
    local = timezone.localtime(when)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"
