"""Writing a checked import plan, and the report an import (or a dry run) answers with.

Called only by rongcuo.exchange.actions.import_workbook, inside its transaction, and only when the plan
has no problems at all: a workbook with any problem writes nothing. Rows are written in batches
(bulk_create / bulk_update), units level by level so each child's tree path can name its parent's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Model

from rongcuo.org.models import AccountabilityMatter, Cadre, Unit

from .plan import CHUNK, CadreNode, MatterNode, Plan, UnitNode, chunks
from .validate import Problem, Track, no_track


@dataclass
class Report:
    filename: str
    sha256: str
    dry_run: bool
    problems: list[Problem] = field(default_factory=list)
    total_problems: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    imported: bool = False

    @property
    def ok(self) -> bool:
        return self.total_problems == 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "dry_run": self.dry_run,
            "imported": self.imported,
            "filename": self.filename,
            "sha256": self.sha256,
            "rows": self.rows,
            "counts": self.counts,
            "problem_count": self.total_problems,
            "problems": [p.to_dict() for p in self.problems],
            "problems_truncated": self.total_problems > len(self.problems),
        }

    def summary(self) -> str:
        if not self.ok:
            more = f"（仅列出前 {len(self.problems)} 处）" if self.total_problems > len(self.problems) else ""
            return f"校验未通过：共 {self.total_problems} 处问题{more}，未导入任何数据。请修改后重新导入。"
        parts = []
        for sheet, c in self.counts.items():
            if self.rows.get(sheet) or any(c.values()):
                parts.append(f"{sheet}：新增 {c['created']}，更新 {c['changed']}，无变化 {c['unchanged']}")
        head = "校验通过，可以导入" if self.dry_run else "导入完成"
        return f"{head}。" + ("；".join(parts) if parts else "文件中没有数据行。")


def _create(model: type[Model], objs: Sequence[Model], track: Track, label: str) -> None:
    """Insert in batches; the primary keys come back (PostgreSQL, SQLite ≥ 3.35) or each row is saved."""
    batches = list(chunks(objs, CHUNK))
    for batch in track(batches, label, len(batches)):
        if connection.features.can_return_rows_from_bulk_insert:
            model.objects.bulk_create(batch)
        else:  # pragma: no cover - every supported database returns rows
            for obj in batch:
                obj.save(force_insert=True)


def _apply_units(nodes: list[UnitNode], track: Track) -> None:
    level: dict[int, int] = {}
    for n in nodes:  # parents come first
        level[id(n)] = level[id(n.parent)] + 1 if n.parent is not None and id(n.parent) in level else 0
    for depth in sorted(set(level.values())):
        todo = [n for n in nodes if level[id(n)] == depth and n.state == "create"]
        objs = [
            Unit(jurisdiction_id=n.jurisdiction, parent_id=n.parent.pk if n.parent else None, name=n.name, code=n.code)
            for n in todo
        ]
        _create(Unit, objs, track, "写入单位")
        for n, obj in zip(todo, objs, strict=True):
            n.pk = obj.pk
            n.path = obj.path = f"{n.parent.path if n.parent else n.jurisdiction + '/'}{obj.pk}/"
        Unit.objects.bulk_update(objs, ["path"], batch_size=CHUNK)
    changed = [Unit(pk=n.pk, code=n.code) for n in nodes if n.state == "change"]
    Unit.objects.bulk_update(changed, ["code"], batch_size=CHUNK)


def _apply_cadres(nodes: list[CadreNode], track: Track) -> None:
    new, objs = [], []
    for n in nodes:
        if n.state != "create":
            continue
        assert n.unit.pk is not None
        obj = Cadre(unit_id=n.unit.pk, **n.fields)
        obj.set_id_number(n.id_number)
        if n.phone:
            obj.set_phone(n.phone)
        new.append(n)
        objs.append(obj)
    _create(Cadre, objs, track, "写入干部")
    for n, obj in zip(new, objs, strict=True):
        n.pk = obj.pk
    updates = []
    for n in nodes:
        if n.state != "change":
            continue
        f = {**n.fields, **{k: v for k, v in n.changes.items() if k not in ("unit", "phone")}}
        unit = n.changes["unit"].pk if "unit" in n.changes else f.pop("unit_id")
        f.pop("unit_id", None)
        obj = Cadre(pk=n.pk, unit_id=unit, **f)
        if "phone" in n.changes:
            obj.set_phone(n.changes["phone"])
        updates.append(obj)
    fields = ["name", "unit", "position", "rank", "party_member", "phone_enc"]
    Cadre.objects.bulk_update(updates, fields, batch_size=CHUNK)


def _apply_matters(nodes: list[MatterNode], track: Track) -> None:
    objs = []
    for n in nodes:
        if n.state != "create":
            continue
        f = n.fields
        objs.append(
            AccountabilityMatter(
                jurisdiction_id=n.unit.jurisdiction,
                subject_type="cadre" if n.cadre is not None else "unit",
                cadre_id=n.cadre.pk if n.cadre is not None else None,
                unit_id=n.unit.pk,
                title=f["title"],
                description=f["description"] or "",
                initiating_organ=f["initiating_organ"],
                conduct_date=f["conduct_date"],
                started_on=f["started_on"],
                domain=f["domain"] or "",
            )
        )
    _create(AccountabilityMatter, objs, track, "写入问责事项")
    fields = ["description", "initiating_organ", "conduct_date", "domain"]
    updates = [
        AccountabilityMatter(pk=n.pk, **{k: n.fields[k] or (None if k == "conduct_date" else "") for k in fields})
        for n in nodes
        if n.state == "change"
    ]
    AccountabilityMatter.objects.bulk_update(updates, fields, batch_size=CHUNK)


def apply(plan: Plan, track: Track = no_track) -> None:
    _apply_units(plan.units, track)
    _apply_cadres(plan.cadres, track)
    _apply_matters(plan.matters, track)
