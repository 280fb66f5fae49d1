"""Shared parts of the case-service benchmarks (gen_cases, api_bench, load_bench, transition_bench,
web_bench, standing_bench): which database, Django set-up, building the data once, timing and tables.

The data always lives in a database of its own, never the one the application or the tests use:

- SQLite (default): /tmp/rongcuo_case_bench_<n>.sqlite3, one file per size.
- PostgreSQL: `--database-url postgres://user@127.0.0.1:5432/NAME`; NAME must contain "bench"
  (default rongcuo_case_bench_<n> when the URL names none). The database is created (or dropped and
  created again) on that server.

Each database keeps its own private folder /tmp/<name>.var (RONGCUO_DATA_DIR: secret and field keys), so
encrypted cadre data stays readable across runs. A finished load appends one "bench.generate" audit
record (n, seed, figures); the other scripts reuse a database whose record names the size they need and
build it otherwise.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PG_SCHEMES = ("postgres://", "postgresql://")
DEFAULT_SEED = 20261127


# --- which database --------------------------------------------------------------------------------------


def is_pg(url: str) -> bool:
    return url.startswith(PG_SCHEMES)


def bench_url(url: str | None, n: int) -> str:
    """The benchmark database for n synthetic cases (exits on a name that is not a bench database)."""
    if not url:
        return f"sqlite:////tmp/rongcuo_case_bench_{n}.sqlite3"
    if is_pg(url):
        parts = urlsplit(url)
        name = parts.path.lstrip("/") or f"rongcuo_case_bench_{n}"
        if "bench" not in name or not name.replace("_", "").isalnum():
            sys.exit(f"refusing database {name!r}: the benchmark database's name must contain 'bench'")
        if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            sys.exit("the benchmarks use loopback addresses only")
        return urlunsplit(parts._replace(path=f"/{name}"))
    if url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///") :])
        if "bench" not in path.name:
            sys.exit(f"refusing {path}: the benchmark database's file name must contain 'bench'")
        return f"sqlite:///{path}"
    sys.exit(f"unsupported database URL {url!r} (sqlite:///… or postgres://…)")


def db_name(url: str) -> str:
    if is_pg(url):
        return urlsplit(url).path.lstrip("/")
    return Path(url[len("sqlite:///") :]).stem


def sqlite_path(url: str) -> Path:
    return Path(url[len("sqlite:///") :])


def describe(url: str) -> str:
    if is_pg(url):
        p = urlsplit(url)
        return f"PostgreSQL {p.hostname}:{p.port or 5432}/{db_name(url)}"
    return f"SQLite {sqlite_path(url)}"


def configure(url: str) -> None:
    """Point Django at the bench database (before django.setup())."""
    os.environ["DATABASE_URL"] = url
    os.environ["RONGCUO_DATA_DIR"] = f"/tmp/{db_name(url)}.var"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rongcuo.settings")
    os.environ.setdefault("RONGCUO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")


def _pg_admin(url: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/postgres"))


def pg_exists(url: str) -> bool:
    import psycopg

    with psycopg.connect(_pg_admin(url), autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db_name(url)]).fetchone() is not None


def drop(url: str) -> None:
    """Drop the bench database (a PostgreSQL database, or a SQLite file with its -wal and -shm files)."""
    if is_pg(url):
        import psycopg

        name = db_name(url)
        assert "bench" in name
        with psycopg.connect(_pg_admin(url), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        path = sqlite_path(url)
        assert "bench" in path.name
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


def recreate(url: str) -> None:
    """An empty database (dropped first when it exists). Django's connections must be closed."""
    drop(url)
    if is_pg(url):
        import psycopg

        with psycopg.connect(_pg_admin(url), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{db_name(url)}"')
    else:
        sqlite_path(url).parent.mkdir(parents=True, exist_ok=True)


def setup_django(url: str) -> None:
    configure(url)
    if is_pg(url) and not pg_exists(url):
        recreate(url)
    import django

    django.setup()


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def generated() -> dict[str, Any] | None:
    """What the last completed load recorded (its "bench.generate" audit record), or None."""
    from django.db.utils import DatabaseError

    from rongcuo.audit.models import AuditRecord

    try:
        rec = AuditRecord.objects.filter(action="bench.generate").order_by("-seq").first()
    except DatabaseError:
        return None
    return json.loads(rec.detail) if rec else None


def ensure_data(url: str, n: int, seed: int = DEFAULT_SEED, *, rebuild: bool = False, **opts: Any) -> dict[str, Any]:
    """Set Django up on the bench database holding n synthetic cases, building it when needed."""
    setup_django(url)
    from django.db import connections

    have = None if rebuild else generated()
    if have is not None and have.get("n") == n:
        migrate()  # a database built by an earlier version of the code: bring its schema up to date
    else:
        connections.close_all()
        recreate(url)
        migrate()
        import gen_cases

        have = gen_cases.build(n, seed, **opts)
    checkpoint()
    return have


def checkpoint() -> None:
    """PostgreSQL: write out what a load left dirty now (untimed), as pgbench does before a run: after a
    10^6 load the checkpointer otherwise spends its next minutes writing gigabytes beside the measurement."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("CHECKPOINT")


# --- the accounts the benchmarks act as ----------------------------------------------------------------------

PROVINCE = "320000"  # 江苏省: a provincial handler
COUNTY = "530524"  # 昌宁县: a county handler (a county with a policy of its own)
BENCH_USERS = {"bench_province": PROVINCE, "bench_county": COUNTY}
BENCH_PASSWORD = "Perf#2026case!"  # not containing the user names (accounts/passwords.py)


def bench_user(name: str) -> Any:
    from rongcuo.accounts.models import User

    return User.objects.get(username=name)


def token_for(name: str) -> str:
    """A bearer token of a bench handler: staff need a second factor before any token of theirs is admitted."""
    from rongcuo.accounts.actions import issue_token

    user = bench_user(name)
    enrol_totp(user)
    return issue_token(user, "bench", days=2)


# --- timing -------------------------------------------------------------------------------------------------


def p95(xs: list[float]) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, int(len(s) * 0.95))]


def med(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def verdict(value: float, target: float, *, higher_is_better: bool = False) -> str:
    ok = value >= target if higher_is_better else value <= target
    return "PASS" if ok else "MISS"


def timed_ms(fn: Callable[[int], object], calls: int, warmup: int = 3) -> tuple[list[float], list[float]]:
    """Milliseconds of fn(i) for i = 0..calls-1 (after `warmup` untimed calls): wall time, and the CPU time
    of this thread (on a shared, busy machine the wall time also holds the time spent waiting for a CPU;
    the CPU time does not, but it leaves out work done by other processes such as a PostgreSQL server)."""
    for i in range(warmup):
        fn(i)
    wall, cpu = [], []
    for i in range(calls):
        c = time.thread_time()
        t = time.perf_counter()
        fn(i)
        wall.append((time.perf_counter() - t) * 1000)
        cpu.append((time.thread_time() - c) * 1000)
    return wall, cpu


def load_average() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def banner(name: str, url: str, n: int) -> None:
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    print(
        f"{name}: {describe(url)}, n={n:,} synthetic cases, {now}, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, load average {load_average()}",
        flush=True,
    )


def git_head() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
        return out.stdout.strip()
    except OSError:
        return "?"


# --- one child process per data size -------------------------------------------------------------------------


def parse_sizes(text: str) -> list[int]:
    return [int(float(x)) for x in text.split(",") if x.strip()]


def run_per_size(script: str, sizes: list[int], database_url: str | None, extra: list[str]) -> list[dict[str, Any]]:
    """Run `script --n SIZE` in a child process per size (Django is set up once per process, on one
    database); each child writes its figures as JSON to a file named by --result-file."""
    import tempfile

    if database_url and is_pg(database_url) and urlsplit(database_url).path.strip("/") and len(sizes) > 1:
        sys.exit("several sizes need a PostgreSQL URL without a database name (one database per size)")
    out = []
    for n in sizes:
        with tempfile.NamedTemporaryFile("r", suffix=".json", prefix="rongcuo-bench-") as fh:
            argv = [sys.executable, script, "--n", str(n), "--result-file", fh.name, *extra]
            if database_url:
                argv += ["--database-url", database_url]
            subprocess.run(argv, check=True, cwd=ROOT)
            out.append(json.loads(Path(fh.name).read_text(encoding="utf-8")))
    return out


def write_result(path: str | None, data: dict[str, Any]) -> None:
    if path:
        Path(path).write_text(json.dumps(data, ensure_ascii=False, default=str), encoding="utf-8")


def compare_queries(results: list[dict[str, Any]]) -> None:
    """Query counts per measured request across data sizes: the same count at every size, or GROWS."""
    if len(results) < 2:
        return
    sizes = [r["n"] for r in results]
    labels = list(dict.fromkeys(row["label"] for r in results for row in r["rows"]))
    head = " ".join(f"{f'n={n:,}':>12}" for n in sizes)
    print(f"\nqueries per request by data size (medians in ms in brackets)\n{'request':<52} {head}  constant?")
    for label in labels:
        cells, counts = [], []
        for r in results:
            row = next((x for x in r["rows"] if x["label"] == label), None)
            if row is None:
                cells.append(f"{'—':>12}")
                continue
            if str(row.get("shown", "")).startswith("0/"):
                # Nothing matched: the page's rows are not queried at all, whatever the size.
                cells.append(f"{row['queries']:>4} (empty)")
                continue
            counts.append(row["queries"])
            cells.append(f"{row['queries']:>4} ({row['median_ms']:5.1f})")
        same = "yes" if len(set(counts)) <= 1 else "GROWS" if counts[-1] > counts[0] else "varies"
        print(f"{label:<52} {' '.join(f'{c:>12}' for c in cells)}  {same}")


# --- requests through django.test.Client ---------------------------------------------------------------------


def measure_paths(
    client: Any, paths: list[str], calls: int, *, warmup: int = 2, count_path: str | None = None
) -> dict[str, Any]:
    """Time `calls` GETs (after `warmup` untimed ones) going round `paths` (every call takes the next
    path, so a list of different cases is never repeated while it lasts); then 3 more calls inside
    CaptureQueriesContext for the queries per request and the time the database calls took (on
    `count_path` when given: the same demo case at every data size, so the counts compare)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    state = {"k": 0, "size": 0}

    def call(_: int, fixed: str | None = None) -> Any:
        path = fixed or paths[state["k"] % len(paths)]
        state["k"] += 1
        r = client.get(path)
        assert r.status_code == 200, (path, r.status_code, r.content[:300])
        state["size"] = max(state["size"], len(r.content))
        return r

    wall, cpu = timed_ms(call, calls, warmup=warmup)
    counts, db = [], []
    for _ in range(3):
        with CaptureQueriesContext(connection) as ctx:
            r = call(0, count_path)
        counts.append(len(ctx.captured_queries))
        db.append(sum(float(q["time"]) for q in ctx.captured_queries) * 1000)
    try:
        body = r.json()
        shown = f"{len(body['items'])}/{body['total']:,}" if "items" in body else f"{state['size'] // 1024} kB"
    except ValueError:
        shown = f"{state['size'] // 1024} kB"
    # The fewest of the 3: every 1000th audit record also writes a Merkle checkpoint (a few more queries).
    return {"times": wall, "cpu": cpu, "queries": min(counts), "db_ms": med(db), "shown": shown}


def print_header(target_ms: float) -> None:
    print("\nwall-clock ms per request (median, p95), this thread's CPU ms (median), queries, database ms")
    print(
        f"{'request':<52} {'median':>8} {'p95':>8} {'cpu':>8} {'queries':>7} {'db ms':>7} {'shown':>12}  "
        f"target ≤ {target_ms:.0f} ms"
    )


def print_row(label: str, m: dict[str, Any], target_ms: float) -> dict[str, Any]:
    md, p, cpu = med(m["times"]), p95(m["times"]), med(m["cpu"])
    print(
        f"{label:<52} {md:8.1f} {p:8.1f} {cpu:8.1f} {m['queries']:>7} {m['db_ms']:7.1f} {m['shown']:>12}  "
        f"{verdict(md, target_ms)}",
        flush=True,
    )
    return {
        "label": label,
        "median_ms": md,
        "p95_ms": p,
        "cpu_ms": cpu,
        "queries": m["queries"],
        "db_ms": m["db_ms"],
        "wall": m["times"],
        "cpu": m["cpu"],
        "shown": m["shown"],
    }


def print_summary(groups: dict[str, list[dict[str, Any]]], target_ms: float) -> list[dict[str, Any]]:
    """Pooled figures per group of rows (e.g. every list request of one scope)."""
    print("\nsummary (all timed calls of a group pooled)")
    out = []
    for label, rows in groups.items():
        wall = [x for r in rows for x in r["wall"]]
        cpu = med([x for r in rows for x in r["cpu"]])
        v = verdict(med(wall), target_ms)
        out.append({"label": label, "median_ms": med(wall), "p95_ms": p95(wall), "cpu_ms": cpu, "verdict": v})
        print(
            f"  {label:<26} median {med(wall):7.1f} ms  p95 {p95(wall):7.1f} ms  (CPU {cpu:6.1f} ms)  "
            f"≤ {target_ms:.0f} ms {v}"
        )
    return out


def enrol_totp(user: Any) -> None:
    """Staff must have a second factor for the web pages: enrol one through the real enrolment."""
    if user.totp_enabled:
        return
    import pyotp

    from rongcuo.accounts import totp

    secret = totp.start_enrolment(user)
    totp.confirm_enrolment(user, pyotp.TOTP(secret).now())


def richest_demo_case(user: Any) -> int:
    """The demo case (made through the verbs, present at every data size with the same id) in the user's
    scope with the longest timeline: the detail whose query count is compared across sizes."""
    from django.db.models import Count

    from rongcuo.cases.access import visible_cases

    qs = visible_cases(user).filter(events__audit_seq__isnull=False).annotate(k=Count("events")).order_by("-k", "pk")
    return qs.values_list("pk", flat=True)[0]


def per_size_main(script: str, doc: str, child: Callable[[Any], None], calls_help: str) -> None:
    """The command line of a benchmark measured at one or more data sizes (api, web, standing): one size
    runs `child` here; a comma list runs one child process per size and compares their query counts."""
    import argparse

    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--n", default="10000,100000", help="synthetic cases; a comma list runs one child per size")
    ap.add_argument("--database-url", default=None)
    ap.add_argument("--calls", type=int, default=20, help=calls_help)
    ap.add_argument("--result-file", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    sizes = parse_sizes(args.n)
    if len(sizes) == 1:
        child(args)
        return
    results = run_per_size(script, sizes, args.database_url, ["--calls", str(args.calls)])
    compare_queries(results)
