"""Seeding the jurisdiction tree from jurisdictions.yaml (idempotent)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

SOURCE = Path(__file__).with_name("jurisdictions.yaml")


def jurisdiction_rows() -> list[dict[str, Any]]:
    return yaml.safe_load(SOURCE.read_text(encoding="utf-8"))


def seed_jurisdictions(model: Any) -> int:
    rows = {r["code"]: r for r in jurisdiction_rows()}

    def path(code: str) -> str:
        parent = rows[code]["parent"]
        return (path(parent) if parent else "") + code + "/"

    created = 0
    for code in sorted(rows, key=lambda c: path(c).count("/")):
        r = rows[code]
        _, made = model.objects.update_or_create(
            code=code,
            defaults={"name": r["name"], "level": r["level"], "parent_id": r["parent"], "path": path(code)},
        )
        created += made
    return created
