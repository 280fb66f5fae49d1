"""Checks a database built by gen_cases.py: are the synthetic cases what the product itself would make?

    .venv/bin/python bench/check_cases.py --n 300 [--database-url …] [--sample 60]

Exits 0 printing what it checked, or 1 naming every problem found (database, table, case id, what
differs). Checked:

- the load's record names n and the database holds n synthetic cases besides the demo templates;
- the schema (every table, index and constraint, primary keys included) is exactly what the migrations
  make: a fresh database is migrated beside it and the two are compared (the load drops the bulk tables'
  indexes and keys and builds them again);
- referential integrity: SQLite `PRAGMA foreign_key_check` is empty; on PostgreSQL every constraint is
  validated and every id sequence is past its table's largest id (the next case made by the verbs must not
  collide with a copied one);
- for a random sample of synthetic cases: the stored evaluation and engine outcome are what
  `evaluation.evaluate_case` computes from the case's own facts under its pinned policies; the decision's
  archived evaluation is the full evaluation under the first policy; the result-use record carries the
  case's number, cadre and decision; the case's unit lies in its jurisdiction and its cadre in its unit;
  the number has the jurisdiction's form; the overdue flags of the case and its deadlines follow their
  dates (a completed deadline keeps its flag); and the provincial bench handler reads the case through
  the API (200 inside its scope, 404 outside it), and its case list counts exactly the cases of its scope.

tests/bench/test_generator.py runs the generator and this check on both databases, and shows that the
check fails on a changed row.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
from typing import Any

from _casebench import (
    BENCH_USERS,
    PROVINCE,
    ROOT,
    bench_url,
    db_name,
    describe,
    drop,
    generated,
    is_pg,
    recreate,
    setup_django,
    sqlite_path,
    token_for,
)
from gen_cases import BULK_TABLES


def _norm(doc: Any) -> str:
    return json.dumps(json.loads(json.dumps(doc, default=str)), sort_keys=True, ensure_ascii=False)


# --- schema ------------------------------------------------------------------------------------------------


def schema_of(url: str) -> list[str]:
    """Every table, index and constraint definition of the database, sorted."""
    if is_pg(url):
        import psycopg

        with psycopg.connect(url) as conn:
            rows = conn.execute(
                "SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) "
                "FROM pg_constraint WHERE connamespace = 'public'::regnamespace "
                "UNION ALL SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' "
                "UNION ALL SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable "
                "FROM information_schema.columns WHERE table_schema = 'public'"
            ).fetchall()
    else:
        import sqlite3

        with sqlite3.connect(sqlite_path(url)) as conn:
            rows = conn.execute(
                "SELECT type || ' ' || name || ' ' || coalesce(sql, '') FROM sqlite_master "
                "WHERE name NOT LIKE 'sqlite_%'"
            ).fetchall()
    return sorted(r[0] for r in rows)


def fresh_schema(url: str) -> list[str]:
    """The schema the migrations make, in a scratch database beside the checked one (dropped after)."""
    if is_pg(url):
        scratch = f"{url.rsplit('/', 1)[0]}/{db_name(url)}_schema"
    else:
        path = sqlite_path(url)
        scratch = f"sqlite:///{path.with_name(f'{path.stem}_schema.sqlite3')}"
    recreate(scratch)
    env = {**os.environ, "DATABASE_URL": scratch, "DJANGO_SETTINGS_MODULE": "rongcuo.settings"}
    try:
        subprocess.run(
            [sys.executable, "-m", "django", "migrate", "-v", "0"], env=env, cwd=ROOT, check=True, timeout=300
        )
        return schema_of(scratch)
    finally:
        drop(scratch)


def check_schema(url: str, problems: list[str]) -> None:
    have, want = set(schema_of(url)), set(fresh_schema(url))
    have = {s for s in have if " bench_" not in s}
    for s in sorted(want - have):
        problems.append(f"schema: missing after the load: {s}")
    for s in sorted(have - want):
        problems.append(f"schema: not made by the migrations: {s}")


# --- integrity ------------------------------------------------------------------------------------------------


def check_integrity(problems: list[str]) -> None:
    from django.db import connection

    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("PRAGMA foreign_key_check")
            for table, rowid, parent, _ in cur.fetchall()[:20]:
                problems.append(f"integrity: {table} row {rowid} refers to a missing {parent} row")
            return
        cur.execute(
            "SELECT conrelid::regclass::text, conname FROM pg_constraint "
            "WHERE connamespace = 'public'::regnamespace AND NOT convalidated"
        )
        for table, name in cur.fetchall():
            problems.append(f"integrity: {table} constraint {name} is not validated")
        for table in (*BULK_TABLES, "org_unit", "org_cadre"):
            cur.execute(f'SELECT (SELECT MAX(id) FROM "{table}"), (SELECT last_value FROM {_sequence(cur, table)})')
            top, last = cur.fetchone()
            if top is not None and last < top:
                problems.append(f"integrity: {table} id sequence at {last}, below the largest id {top}")


def _sequence(cur: Any, table: str) -> str:
    cur.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    return cur.fetchone()[0]


# --- the sampled cases ----------------------------------------------------------------------------------------


def synthetic_ids(first_case: int | None) -> tuple[list[int], int]:
    """The synthetic cases' ids and the number of the others (the demo templates). The load records its
    first synthetic id; a database loaded before it did tells them apart by their timelines (a template's
    is in the audit chain), which holds only until a benchmark acts on a synthetic case."""
    from rongcuo.cases.models import Case

    ids = list(Case.objects.order_by("id").values_list("id", flat=True))
    if first_case is None:
        templates = set(Case.objects.filter(events__audit_seq__isnull=False).values_list("id", flat=True))
        synthetic = [pk for pk in ids if pk not in templates]
    else:
        synthetic = [pk for pk in ids if pk >= first_case]
    return synthetic, len(ids) - len(synthetic)


def check_case(case: Any, today: Any, problems: list[str]) -> None:
    from rongcuo.cases.evaluation import evaluate_case
    from rongcuo.cases.models import Decision
    from rongcuo.outcomes.models import ResultUse
    from rongcuo.procedure.models import Deadline

    where = f"case {case.pk} ({case.number})"
    want = evaluate_case(case)
    if _norm(case.evaluation) != _norm(want):
        problems.append(f"{where}: stored evaluation differs from evaluate_case() on its facts and policies")
    if case.engine_outcome != (want[0]["outcome"] if want else ""):
        problems.append(f"{where}: engine_outcome {case.engine_outcome!r}, the evaluation says {want[0]['outcome']!r}")
    if not re.fullmatch(rf"RC-{case.jurisdiction_id}-\d{{4}}-\d{{5}}", case.number):
        problems.append(f"{where}: number not of the form RC-<jurisdiction>-<year>-<5 digits>")
    if case.unit.jurisdiction_id != case.jurisdiction_id:
        problems.append(f"{where}: unit {case.unit_id} lies in {case.unit.jurisdiction_id}, not {case.jurisdiction_id}")
    if case.cadre_id and case.cadre.unit_id != case.unit_id:
        problems.append(f"{where}: cadre {case.cadre_id} belongs to unit {case.cadre.unit_id}, not {case.unit_id}")
    overdue = case.status == "open" and case.stage_due_on is not None and case.stage_due_on < today
    if case.overdue != overdue:
        problems.append(f"{where}: overdue {case.overdue}, its stage due date {case.stage_due_on} says {overdue}")
    for d in Deadline.objects.filter(case=case):
        # A running deadline is overdue exactly when its day has passed (what the sweep keeps); a completed
        # one keeps the flag it had, which it can only have had if it was completed after its day.
        if d.completed_at is None and d.overdue != (d.due_on < today):
            problems.append(f"{where}: running deadline {d.pk} overdue {d.overdue}, due {d.due_on}")
        if d.completed_at is not None and d.overdue and d.completed_at.date() <= d.due_on:
            problems.append(f"{where}: deadline {d.pk} completed on time but marked overdue")
    decision = Decision.objects.filter(case=case).first()
    if decision is not None:
        full = evaluate_case(case, full=True)
        if _norm(decision.evaluation) != _norm(full[0]):
            problems.append(f"{where}: decision {decision.pk}'s archived evaluation differs from evaluate_case()")
        ru = ResultUse.objects.filter(case=case).first()
        if ru is not None and (ru.case_number, ru.cadre_id, ru.decision_id) != (
            case.number,
            case.cadre_id,
            decision.pk,
        ):
            problems.append(f"{where}: result use {ru.pk} carries another case's number, cadre or decision")


def check_reads(ids: list[int], problems: list[str]) -> None:
    from django.test import Client

    from rongcuo.accounts.models import User
    from rongcuo.cases.access import visible_cases
    from rongcuo.cases.models import Case

    name = next(u for u, code in BENCH_USERS.items() if code == PROVINCE)
    user = User.objects.get(username=name)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token_for(name)}")
    # The sample lies mostly outside one province: add the scope's newest cases, read inside it.
    ids = [*ids, *visible_cases(user).order_by("-id").values_list("pk", flat=True)[:10]]
    inside = set(visible_cases(user).filter(pk__in=ids).values_list("pk", flat=True))
    if len(inside) < 10:
        problems.append(f"case reads: only {len(inside)} cases in the provincial handler's scope")
    for pk in ids:
        status = client.get(f"/api/cases/{pk}").status_code
        if status != (200 if pk in inside else 404):
            problems.append(f"case {pk}: the provincial handler's read answered {status}")
    want = Case.objects.filter(jurisdiction__path__startswith=f"000000/{PROVINCE}/").count()
    total = client.get("/api/cases").json().get("total")
    if total != want:
        problems.append(f"case list: the provincial handler's list counts {total}, its scope holds {want}")


# --- entry point --------------------------------------------------------------------------------------------


def run(url: str, n: int, sample: int, seed: int) -> list[str]:
    setup_django(url)
    import logging

    from django.utils import timezone

    logging.getLogger("django.request").setLevel(logging.ERROR)  # the expected 404s are not news

    from rongcuo.cases.models import Case

    problems: list[str] = []
    fig = generated()
    if fig is None or fig.get("n") != n:
        return [f"{describe(url)}: no completed load of {n:,} cases recorded (found {fig and fig.get('n')})"]
    ids, templates = synthetic_ids(fig.get("first_case"))
    if len(ids) != n:
        problems.append(f"cases: {len(ids):,} synthetic cases beside {templates} templates, expected {n:,}")
    check_schema(url, problems)
    check_integrity(problems)
    picked = random.Random(seed).sample(ids, min(sample, len(ids)))
    today = timezone.localdate()
    for case in Case.objects.filter(pk__in=picked).select_related("unit", "cadre").order_by("pk"):
        check_case(case, today, problems)
    check_reads(picked, problems)
    return problems


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, required=True, help="the number of cases the database was built with")
    ap.add_argument("--database-url", default=None)
    ap.add_argument("--sample", type=int, default=60, help="synthetic cases checked one by one")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    url = bench_url(args.database_url, args.n)
    problems = run(url, args.n, args.sample, args.seed)
    if problems:
        print(f"check_cases: {describe(url)}: {len(problems)} problem(s)")
        for p in problems:
            print(f"  {p}")
        sys.exit(1)
    print(f"check_cases: {describe(url)}: ok ({args.n:,} cases; schema, integrity, {args.sample} cases sampled)")


if __name__ == "__main__":
    main()
