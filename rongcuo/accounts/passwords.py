"""Password complexity per 等保 2.0 level 3: at least three of upper, lower, digit, symbol."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError


class ComplexityValidator:
    def validate(self, password: str, user: object = None) -> None:
        classes = sum(bool(re.search(p, password)) for p in (r"[A-Z]", r"[a-z]", r"\d", r"[^A-Za-z0-9]"))
        if classes < 3:
            raise ValidationError("密码须包含大写字母、小写字母、数字、符号中的至少三类。", code="password_too_simple")

    def get_help_text(self) -> str:
        return "密码须包含大写字母、小写字母、数字、符号中的至少三类。"
