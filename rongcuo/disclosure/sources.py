"""What a case knows about people and units, gathered for de-identification (staff side only)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rongcuo.accounts.models import User
from rongcuo.cases.models import Case
from rongcuo.core import crypto
from rongcuo.org.models import Cadre, Unit

from . import conf, deid

# Keys of event payloads that hold people's names (witnesses of a defence, participants of a hearing or
# collective deliberation, interviewees).
PERSON_KEYS = frozenset({"witnesses", "participants", "interviewee", "interviewees", "people", "persons"})


def _user_names(user: User | None) -> list[str]:
    if user is None:
        return []
    return [n for n in (user.display_name, user.username) if n]


def _payload_names(data: Any) -> Iterable[str]:
    if isinstance(data, dict):
        for key, value in data.items():
            if key in PERSON_KEYS:
                if isinstance(value, str):
                    yield value
                elif isinstance(value, list):
                    yield from (v for v in value if isinstance(v, str))
            else:
                yield from _payload_names(value)
    elif isinstance(data, list):
        for item in data:
            yield from _payload_names(item)


def _cadres(case: Case) -> list[Cadre]:
    out = [c for c in (case.cadre, case.matter.cadre if case.matter_id else None) if c is not None]
    return list({c.pk: c for c in out}.values())


def known_names(case: Case) -> list[str]:
    """Every personal name the case records, the subject first, then in order of appearance."""
    names = [c.name for c in _cadres(case)]
    names.extend(case.interviews.order_by("id").values_list("interviewee", flat=True))
    for ev in case.events.select_related("actor").order_by("at", "id"):
        names.append(ev.actor_name)
        names.extend(_user_names(ev.actor))
        names.extend(_payload_names(ev.data))
    names.extend(_user_names(case.created_by))
    decision = getattr(case, "decision", None)
    if decision is not None:
        names.extend(_user_names(decision.decided_by))
    for appeal in case.appeals.select_related("submitted_by"):
        names.extend(_user_names(appeal.submitted_by))
    return [n for n in names if n]


def _with_ancestors(unit: Unit | None) -> list[Unit]:
    out: list[Unit] = []
    while unit is not None and unit not in out:
        out.append(unit)
        unit = unit.parent
    return out


def known_units(case: Case, level: str) -> dict[str, str]:
    """Unit name → its generalised label, for the case's unit, the subject's unit and their parents."""
    units: list[Unit] = _with_ancestors(case.unit)
    for c in _cadres(case):
        units.extend(_with_ancestors(c.unit))
    if case.matter_id:
        units.extend(_with_ancestors(case.matter.unit))
    out: dict[str, str] = {}
    for u in units:
        j = u.jurisdiction
        out.setdefault(u.name, deid.generalise_unit(u.name, j.name, j.level, level))
    return out


def _decrypt(stored: str) -> str:
    try:
        return crypto.decrypt(stored)
    except (ValueError, UnicodeDecodeError):
        return ""


def known_secrets(case: Case) -> list[str]:
    """The decrypted ID numbers and phones of the people the case is about (kept in memory only)."""
    out: list[str] = []
    for c in _cadres(case):
        out.extend(v for v in (_decrypt(c.id_number_enc), _decrypt(c.phone_enc)) if v)
    return out


def context_for(case: Case, public_number: str, level: str | None = None) -> deid.Context:
    level = level or conf.unit_level()
    return deid.Context(
        pseudonyms=deid.assign_pseudonyms(known_names(case)),
        units=known_units(case, level),
        secrets=known_secrets(case),
        case_number=case.number,
        public_number=public_number,
    )
