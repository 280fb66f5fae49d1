"""Target: `rongcuo audit verify` ≥ 200,000 records/s, and within 3× of bare SM3 over the same bytes.

Fills a fresh database with RECORDS correctly chained audit records (hashes computed in Python),
then, in interleaved rounds, times verify_chain() over all of them (in one process, and in as many as
the command uses here: one per CPU, at least two) and bare SM3 over the same record
bytes held in a Python list (one copied SM3 object per record and hexdigest, as verify does; no
database). Reports records/s and the ratio of the two per round (median and best round); then, for
reference, the exact ORM path once (--exact) and the command itself as a subprocess.

The SQLite database lives in a temporary folder. With DATABASE_URL=postgres://… the same runs on a
temporary database created on that server and dropped afterwards (never in the named database).
Targets are printed as PASS/MISS, never asserted.

    .venv/bin/python bench/audit_verify.py [--records N] [--rounds R] [--exact]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from _common import banner, verdict

TARGET_RATE = 200_000  # records/s
TARGET_RATIO = 3.0  # verify time / bare SM3 time
CHILD = "_RONGCUO_AUDIT_BENCH_CHILD"
ROOT = Path(__file__).resolve().parent.parent


def generate(n: int) -> list[bytes]:
    """Write n chained records; return their record bytes, in seq order. Rows go in with executemany
    (values adapted by the backend's own datetime adapter): bulk_create spends minutes on 300,000 rows
    preparing each field, which is not what is being measured."""
    import datetime as dt
    import random

    from django.db import connection, transaction

    from rongcuo.audit.chain import GENESIS, canonical_detail, format_at, record_bytes, sm3
    from rongcuo.audit.models import AuditHead, AuditRecord
    from rongcuo.audit.verify import FIELDS

    rng = random.Random(9162)
    actions = ["login", "case.read", "case.transition", "case.export", "account.update", "login.failed"]
    users = [
        (i, f"user{i:03d}", rng.choice(["case_handler", "reviewer", "sysadmin", "auditadmin"])) for i in range(200)
    ]
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=180)
    adapt = connection.ops.adapt_datetimefield_value
    prev, out, rows = GENESIS, [], []
    t0 = time.perf_counter()
    for seq in range(1, n + 1):
        uid, name, role = rng.choice(users)
        at = start + dt.timedelta(microseconds=seq * 51_840 + rng.randrange(1, 999))  # never a whole second
        action = rng.choice(actions)
        ok = action != "login.failed"
        detail = canonical_detail({"case": f"RC-2026-{rng.randrange(10**5):05d}", "说明": "查看案件材料", "n": seq})
        ip = f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
        oid = str(rng.randrange(10**6))
        data = record_bytes(seq, format_at(at), "security", uid, name, role, ip, action, "case", oid, ok, detail, prev)
        digest = sm3(data)
        rows.append((seq, adapt(at), "security", uid, name, role, ip, action, "case", oid, ok, detail, prev, digest))
        out.append(data)
        prev = digest
    print(f"  {n:,} records built and hashed in Python in {time.perf_counter() - t0:.1f} s")
    table = connection.ops.quote_name(AuditRecord._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f) for f in FIELDS)
    insert = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(FIELDS))})"
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "sqlite":  # the three indexes take random keys: keep their pages cached
            cursor.execute("PRAGMA cache_size = -262144")
        for i in range(0, n, 10_000):
            cursor.executemany(insert, rows[i : i + 10_000])
        AuditHead.objects.filter(id=1).update(seq=n, hash=prev)
    connection.close()  # verify gets a fresh connection, as the command would (default cache size)
    return out


def bare_sm3(data: list[bytes]) -> float:
    import hashlib

    base = hashlib.new("sm3")
    t = time.perf_counter()
    for b in data:
        h = base.copy()
        h.update(b)
        h.hexdigest()
    return time.perf_counter() - t


def child(records: int, rounds: int, exact: bool) -> None:
    """Runs with DATABASE_URL naming the fresh database."""
    sys.path.insert(0, str(ROOT))
    from rongcuo.commands import django_setup

    django_setup.setup()
    django_setup.migrate()
    from django.db import connection

    from rongcuo.audit.verify import verify_chain

    print(f"\n[{connection.vendor}]")
    t = time.perf_counter()
    data = generate(records)
    print(f"  {records:,} records written in {time.perf_counter() - t:.1f} s in all")
    print(f"  record size: median {statistics.median(len(b) for b in data):.0f} bytes")
    print(f"  load average now: {', '.join(f'{x:.2f}' for x in os.getloadavg())} (the machine is shared)")

    jobs = max(2, min(os.cpu_count() or 1, 8))
    verify_chain()  # warm the database's page cache and the code paths
    verify_chain(jobs=jobs)
    bare_sm3(data)
    rates: dict[int, list[float]] = {1: [], jobs: []}
    ratios: dict[int, list[float]] = {1: [], jobs: []}
    bare_rates = []
    for _ in range(rounds):
        for j in (1, jobs):
            t = time.perf_counter()
            r = verify_chain(jobs=j)
            v = time.perf_counter() - t
            assert r.ok and r.count == records, r.broken
            b = bare_sm3(data)
            rates[j].append(records / v)
            bare_rates.append(records / b)
            ratios[j].append(v / b)

    print(f"{'measurement':<40} {'median':>12} {'best round':>12}  target")
    for j in (1, jobs):
        label = "one process" if j == 1 else f"{j} processes (the command's default here)"
        med_rate, best_rate = statistics.median(rates[j]), max(rates[j])
        med_ratio, best_ratio = statistics.median(ratios[j]), min(ratios[j])
        print(f"verify_chain, {label}")
        print(f"{'  records/s':<40} {med_rate:>12,.0f} {best_rate:>12,.0f}  ", end="")
        print(f"≥ {TARGET_RATE:,} {verdict(med_rate, TARGET_RATE, higher_is_better=True)}")
        print(f"{'  ratio verify / bare SM3 (one CPU)':<40} {med_ratio:>12.2f} {best_ratio:>12.2f}  ", end="")
        print(f"≤ {TARGET_RATIO:.0f}× {verdict(med_ratio, TARGET_RATIO)}")
    print(f"{'bare SM3 records/s (one CPU)':<40} {statistics.median(bare_rates):>12,.0f} {max(bare_rates):>12,.0f}")
    print(f"({rounds} rounds, each: verify then bare SM3, for one process and for {jobs})")

    if exact:
        t = time.perf_counter()
        r = verify_chain(exact=True)
        assert r.ok
        print(f"{'verify_chain(exact=True) records/s':<34} {records / (time.perf_counter() - t):>12,.0f}")

    t = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "rongcuo", "audit", "verify", "--json"], capture_output=True, text=True, check=True
    )
    wall = time.perf_counter() - t
    out = json.loads(proc.stdout)
    print(
        f"`rongcuo audit verify`: exit {proc.returncode}, {out['records_per_second']:,} records/s as it reports, ",
        end="",
    )
    print(f"{wall:.2f} s wall with process start-up")


def run_child(env_url: str, args: argparse.Namespace, data_dir: str) -> None:
    env = dict(os.environ, DATABASE_URL=env_url, RONGCUO_DATA_DIR=data_dir, **{CHILD: "1"})
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    argv = [sys.executable, __file__, "--records", str(args.records), "--rounds", str(args.rounds)]
    subprocess.run(argv + (["--exact"] if args.exact else []), env=env, check=True, cwd=ROOT)


def run_postgres(url: str, args: argparse.Namespace, data_dir: str) -> None:
    import psycopg

    name = f"rongcuo_bench_{os.getpid()}"
    parts = urlsplit(url)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        run_child(urlunsplit(parts._replace(path=f"/{name}")), args, data_dir)
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=300_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--exact", action="store_true", help="also time the exact ORM path once (slow)")
    args = parser.parse_args()
    if os.environ.get(CHILD):
        child(args.records, args.rounds, args.exact)
        return
    banner("audit_verify")
    with tempfile.TemporaryDirectory(prefix="rongcuo-bench-audit-") as tmp:
        run_child(f"sqlite:///{tmp}/audit.sqlite3", args, tmp)
        url = os.environ.get("DATABASE_URL", "")
        if url.startswith(("postgres://", "postgresql://")):
            run_postgres(url, args, tmp)


if __name__ == "__main__":
    main()
