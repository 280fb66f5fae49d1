"""The bulk generator of the case benchmarks (bench/gen_cases.py) against its checker (bench/check_cases.py).

The benchmark figures are only worth what the generated data is: the generator copies demo cases with SQL
of its own, drops the bulk tables' keys and indexes and builds them again, so a mistake there would give
fast figures on wrong data. Each test builds a small database with the generator (a process of its own,
as a user runs it), checks it, then changes one row and sees the check fail.

On SQLite always; on PostgreSQL when RONGCUO_TEST_POSTGRES names a server (.ci/run does), in a database
of its own whose name contains "bench", dropped afterwards.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
N = 300


def bench(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "RONGCUO_DATA_DIR")}
    return subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def generate_and_check(url: str) -> None:
    gen = bench("gen_cases.py", "--n", str(N), "--database-url", url)
    assert gen.returncode == 0, gen.stdout[-3000:] + gen.stderr[-3000:]
    assert f"{N:,} cases" in gen.stdout
    check = bench("check_cases.py", "--n", str(N), "--database-url", url, "--sample", "40")
    assert check.returncode == 0, check.stdout[-3000:] + check.stderr[-3000:]
    assert "ok" in check.stdout


def expect_failure(url: str, what: str) -> None:
    check = bench("check_cases.py", "--n", str(N), "--database-url", url, "--sample", str(N))
    assert check.returncode == 1, check.stdout + check.stderr
    assert what in check.stdout, check.stdout
    assert "Traceback" not in check.stdout + check.stderr


def test_generated_sqlite_database_is_what_the_product_makes(tmp_path: Path) -> None:
    # The generator keeps its keys in /tmp/<file name>.var: a name of this run's own.
    path = tmp_path / f"rongcuo_case_bench_check_{os.getpid()}.sqlite3"
    url = f"sqlite:///{path}"
    try:
        generate_and_check(url)
        with sqlite3.connect(path) as conn:
            # The newest synthetic case gets another case's evaluation document.
            (last,) = conn.execute("SELECT MAX(id) FROM cases_case").fetchone()
            conn.execute(
                "UPDATE cases_case SET evaluation = (SELECT evaluation FROM cases_case WHERE id = "
                "(SELECT MIN(id) FROM cases_case WHERE engine_outcome <> "
                "(SELECT engine_outcome FROM cases_case WHERE id = ?))) WHERE id = ?",
                [last, last],
            )
        expect_failure(url, f"case {last} ")
        with sqlite3.connect(path) as conn:
            conn.execute("DROP INDEX case_scope_recent")
        expect_failure(url, "schema: missing after the load")
    finally:
        shutil.rmtree(f"/tmp/{path.stem}.var", ignore_errors=True)


@pytest.mark.skipif(not os.environ.get("RONGCUO_TEST_POSTGRES"), reason="RONGCUO_TEST_POSTGRES names no server")
def test_generated_postgresql_database_is_what_the_product_makes() -> None:
    import psycopg

    server = urlsplit(os.environ["RONGCUO_TEST_POSTGRES"])
    name = f"rongcuo_case_bench_check_{os.getpid()}"
    url = urlunsplit(server._replace(path=f"/{name}", query=""))
    admin = urlunsplit(server._replace(path="/postgres", query=""))
    try:
        generate_and_check(url)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("ALTER TABLE cases_case DROP CONSTRAINT cases_case_pkey CASCADE")
        expect_failure(url, "schema: missing after the load")
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(f"/tmp/{name}.var", ignore_errors=True)
