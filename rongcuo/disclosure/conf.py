"""Settings of the disclosure app, each with a default (override in Django settings).

RONGCUO_DISCLOSURE_UNIT_LEVEL   how far a unit is generalised in a public rendition:
    "jurisdiction"       「江苏省某单位」 (default: the place is public anyway, the unit is not named)
    "jurisdiction_kind"  「江苏省某部门」「昌宁县某乡镇」 (the kind of unit guessed from its name)
    "level"              「某省直单位」「某县直单位」 (only the administrative level)
    "none"               「某单位」
"""

from __future__ import annotations

from django.conf import settings

UNIT_LEVELS = ("jurisdiction", "jurisdiction_kind", "level", "none")
DEFAULT_UNIT_LEVEL = "jurisdiction"


def unit_level() -> str:
    value = getattr(settings, "RONGCUO_DISCLOSURE_UNIT_LEVEL", DEFAULT_UNIT_LEVEL)
    return value if value in UNIT_LEVELS else DEFAULT_UNIT_LEVEL
