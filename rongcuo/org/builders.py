"""Creating units and cadres with their derived fields (tree paths, encrypted personal data)."""

from __future__ import annotations

from rongcuo.org.models import Cadre, Jurisdiction, Unit


def make_unit(jurisdiction: Jurisdiction | str, name: str, parent: Unit | None = None, code: str = "") -> Unit:
    j = jurisdiction if isinstance(jurisdiction, Jurisdiction) else Jurisdiction.objects.get(code=jurisdiction)
    unit, _ = Unit.objects.get_or_create(jurisdiction=j, parent=parent, name=name, defaults={"code": code})
    path = f"{parent.path if parent else j.code + '/'}{unit.pk}/"
    if unit.path != path:
        unit.path = path
        unit.save(update_fields=["path"])
    return unit


def make_cadre(
    unit: Unit,
    name: str,
    *,
    id_number: str = "",
    phone: str = "",
    position: str = "",
    rank: str = "",
    party_member: bool = True,
) -> Cadre:
    cadre = Cadre(unit=unit, name=name, position=position, rank=rank, party_member=party_member)
    if id_number:
        cadre.set_id_number(id_number)
    if phone:
        cadre.set_phone(phone)
    cadre.save()
    return cadre
