"""Case-detail throughput against the production server set-up: `rongcuo serve` (gunicorn, 2 workers) on
127.0.0.1, driven by a concurrent load generator on loopback.

Target (issue 3 "Case service"): ≥ 200 case-detail requests/s. Printed as PASS/MISS, never asserted.

The server is started exactly as in production (`python -m rongcuo serve --host 127.0.0.1 --port P
--workers 2`: migrate check, then gunicorn's sync workers with the access log, here to a file) on the
benchmark database (gen_cases builds it when missing), on a free port. The load generator is `wrk`
(apt package, a Lua script rotating over the paths) when installed, else Python threads with
http.client (`--tool python`). Every request is GET /api/cases/{id} with a bearer token of the
provincial handler, over a few hundred different visible cases. Every such read also appends a
"case.read" record to the audit chain, which serialises on the one AuditHead row (on SQLite: on the
single database writer). The script reports the audit records written during the run and every error.

    .venv/bin/python bench/load_bench.py                       # SQLite, n = 10^5, 20 s per concurrency
    .venv/bin/python bench/load_bench.py --n 1000000 --database-url postgres://postgres@127.0.0.1:5432/
    … --seconds 30 --concurrency 4,16 --tool python

Time: --seconds per concurrency level plus about 10 s of start-up (and the data build when missing).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from _casebench import (
    ROOT,
    banner,
    bench_url,
    db_name,
    ensure_data,
    load_average,
    med,
    parse_sizes,
    token_for,
    verdict,
)

TARGET_RPS = 200.0
LUA = """
local paths = {%s}
local i = 0
setup = function(thread) thread:set("offset", math.random(#paths)) end
init = function(args) i = tonumber(wrk.thread:get("offset") or 0) or 0 end
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'JSON {"requests":%%d,"duration_us":%%d,"connect":%%d,"read":%%d,"write":%%d,"status":%%d,"timeout":%%d,'
    .. '"p50":%%d,"p90":%%d,"p99":%%d,"max":%%d,"mean":%%.1f}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = dict(
        os.environ,
        DATABASE_URL=url,
        RONGCUO_DATA_DIR=f"/tmp/{db_name(url)}.var",
        RONGCUO_ALLOWED_HOSTS="127.0.0.1,localhost",
    )
    env.pop("RONGCUO_DEBUG", None)
    argv = [sys.executable, "-m", "rongcuo", "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"]
    fh = open(log, "wb")  # noqa: SIM115 (kept open for the server's lifetime)
    return subprocess.Popen(argv, cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True)


def wait_ready(port: int, path: str, token: str, proc: subprocess.Popen[bytes], limit: float = 60) -> None:
    end = time.time() + limit
    while time.time() < end:
        if proc.poll() is not None:
            sys.exit(f"the server exited with status {proc.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
            status = conn.getresponse().status
            conn.close()
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    sys.exit("the server did not answer in time")


def run_wrk(port: int, paths: list[str], token: str, seconds: int, conc: int) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(LUA % ", ".join(json.dumps(p) for p in paths))
        script = fh.name
    try:
        argv = ["wrk", "-t", "1", "-c", str(conc), "-d", f"{seconds}s", "--timeout", "10s", "-s", script]
        argv += ["-H", f"Authorization: Bearer {token}", f"http://127.0.0.1:{port}"]
        t0 = os.times()
        out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
        t1 = os.times()
    finally:
        os.unlink(script)
    line = next(x for x in out.splitlines() if x.startswith("JSON "))
    d = json.loads(line[5:])
    non2xx = 0
    for x in out.splitlines():
        if "Non-2xx or 3xx responses" in x:
            non2xx = int(x.split(":")[1])
    errors = {k: d[k] for k in ("connect", "read", "write", "timeout") if d[k]}
    if non2xx:
        errors["non-2xx"] = non2xx
    ok = d["requests"] - non2xx
    return {
        "ok": ok,
        "seconds": d["duration_us"] / 1e6,
        "p50": d["p50"] / 1000,
        "p90": d["p90"] / 1000,
        "p99": d["p99"] / 1000,
        "max": d["max"] / 1000,
        "errors": errors,
        "client_cpu_s": (t1.children_user + t1.children_system) - (t0.children_user + t0.children_system),
        "note": "wrk reports socket read errors when gunicorn's sync workers close the connection",
    }


def run_python(port: int, paths: list[str], token: str, seconds: int, conc: int) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}", "Connection": "close"}
    lat: list[float] = []
    errors: dict[str, int] = {}
    lock = threading.Lock()
    end = time.perf_counter() + seconds

    def worker(k: int) -> None:
        i = k * 37
        mine: list[float] = []
        errs: dict[str, int] = {}
        while time.perf_counter() < end:
            path = paths[i % len(paths)]
            i += 1
            t = time.perf_counter()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                conn.request("GET", path, headers=headers)
                resp = conn.getresponse()
                resp.read()
                conn.close()
                if resp.status == 200:
                    mine.append((time.perf_counter() - t) * 1000)
                else:
                    errs[str(resp.status)] = errs.get(str(resp.status), 0) + 1
            except OSError as exc:
                errs[type(exc).__name__] = errs.get(type(exc).__name__, 0) + 1
        with lock:
            lat.extend(mine)
            for key, v in errs.items():
                errors[key] = errors.get(key, 0) + v

    c0 = time.process_time()
    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(k,)) for k in range(conc)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    el = time.perf_counter() - t0
    s = sorted(lat) or [float("nan")]

    def pct(q: float) -> float:
        return s[min(len(s) - 1, int(len(s) * q))]

    return {
        "ok": len(lat),
        "seconds": el,
        "p50": med(lat),
        "p90": pct(0.90),
        "p99": pct(0.99),
        "max": s[-1],
        "errors": errors,
        "client_cpu_s": time.process_time() - c0,
        "note": "",
    }


def audit_seq() -> int:
    from django.db import connections

    from rongcuo.audit.models import AuditHead

    connections.close_all()
    return AuditHead.objects.get(id=1).seq


def server_cpu(proc: subprocess.Popen[bytes]) -> float:
    """CPU seconds used so far by the server's process group (gunicorn master and workers)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(stat[2]) == proc.pid:  # process group id
            total += (int(stat[11]) + int(stat[12])) / tick
    return total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", default="100000")
    ap.add_argument("--database-url", default=None)
    ap.add_argument("--seconds", type=int, default=20, help="measured seconds per concurrency level (≤ 120)")
    ap.add_argument("--concurrency", default="8", help="open connections; a comma list runs one level after another")
    ap.add_argument("--tool", choices=["wrk", "python"], default="wrk" if shutil.which("wrk") else "python")
    ap.add_argument("--cases", type=int, default=300, help="different cases requested")
    args = ap.parse_args()
    n = parse_sizes(args.n)[0]
    seconds = min(args.seconds, 120)
    url = bench_url(args.database_url, n)
    banner("load_bench", url, n)
    ensure_data(url, n)
    from rongcuo.accounts.models import User
    from rongcuo.cases.access import visible_cases

    user = User.objects.get(username="bench_province")
    ids = list(visible_cases(user).values_list("pk", flat=True))
    paths = [f"/api/cases/{pk}" for pk in random.Random(5).sample(ids, min(args.cases, len(ids)))]
    token = token_for("bench_province")
    port = free_port()
    log = Path(tempfile.gettempdir()) / f"rongcuo-load-bench-{port}.log"
    proc = start_server(url, port, log)
    results = []
    try:
        wait_ready(port, paths[0], token, proc)
        run = run_wrk if args.tool == "wrk" else run_python
        run(port, paths, token, 3, 2)  # warm both workers
        print(f"server: `rongcuo serve --workers 2` on 127.0.0.1:{port} (pid {proc.pid}), access log {log}")
        print(f"load generator: {args.tool}, {len(paths)} different cases, provincial handler's token\n")
        print(
            f"{'conns':>5} {'req/s':>8} {'ok':>7} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'max ms':>8} "
            f"{'audit +':>8} {'srv CPU':>8} {'gen CPU':>8} {'load':>16}  errors  target ≥ {TARGET_RPS:.0f}/s"
        )
        for conc in parse_sizes(args.concurrency):
            seq0, cpu0, load = audit_seq(), server_cpu(proc), load_average()
            r = run(port, paths, token, seconds, conc)
            added, srv = audit_seq() - seq0, server_cpu(proc) - cpu0
            rps = r["ok"] / r["seconds"]
            errs = ", ".join(f"{k} {v}" for k, v in r["errors"].items()) or "none"
            print(
                f"{conc:>5} {rps:8.1f} {r['ok']:>7} {r['p50']:8.1f} {r['p90']:8.1f} {r['p99']:8.1f} {r['max']:8.1f} "
                f"{added:>8} {srv:7.1f}s {r['client_cpu_s']:7.1f}s {load:>16}  {errs}  "
                f"{verdict(rps, TARGET_RPS, higher_is_better=True)}",
                flush=True,
            )
            results.append({"concurrency": conc, "rps": rps, **r, "audit_added": added, "server_cpu_s": srv})
        if any("read" in r["errors"] for r in results):
            print(f"({results[0]['note']})")
        print("srv CPU: CPU seconds of gunicorn's master and workers during the run; gen CPU: the load generator's")
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=30)
    tail = [x for x in log.read_text(errors="replace").splitlines() if " 500 " in x or "Error" in x][-5:]
    if tail:
        print("server log, last errors:\n  " + "\n  ".join(tail))


if __name__ == "__main__":
    main()
