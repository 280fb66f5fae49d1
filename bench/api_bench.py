"""Case list and case detail through the API, in process: server time and queries per request.

Target (issue 3 "Case service"): with 10^5 cases on SQLite and 10^6 on PostgreSQL, case list (scoped,
filtered, paginated) and case detail median ≤ 25 ms server time, with a query count that does not grow
with the data. Printed as PASS/MISS, never asserted.

Requests go through django.test.Client with a bearer token (rongcuo.accounts.actions.issue_token), so the
whole Django stack runs (middleware, ninja, token check, scope, the "case.list"/"case.read" audit append,
JSON rendering); the time is the wall time of the client call in this process, without a network.
Each request kind is timed --calls times (after 2 untimed calls); then 3 more calls run inside
CaptureQueriesContext for the number of queries and the time the database calls took.

Users: a provincial handler (320000 江苏省, about 1/30 of the cases) and a county handler (530524 昌宁县,
a few dozen cases per 10^5). List requests: first page; filters by stage, open and overdue, outcome,
start type and stage, a city (jurisdiction filter), a title word (`q`, a substring match); the last page
(deep pagination) and page 10. Detail: a different visible case on every call (the detail also writes
its "case.read" audit record).

    .venv/bin/python bench/api_bench.py                        # SQLite, n = 10^4 then 10^5
    .venv/bin/python bench/api_bench.py --n 1000000 --database-url postgres://postgres@127.0.0.1:5432/
    … --calls 30

Time: about 1 minute per size once the data exist (gen_cases builds them when missing: see there).
"""

from __future__ import annotations

import argparse
import random
from typing import Any

from _casebench import (
    BENCH_USERS,
    COUNTY,
    PROVINCE,
    banner,
    bench_url,
    ensure_data,
    measure_paths,
    parse_sizes,
    per_size_main,
    print_header,
    print_row,
    print_summary,
    richest_demo_case,
    token_for,
    write_result,
)

TARGET_MS = 25.0


def detail_paths(user: Any, count: int, rng: random.Random) -> list[str]:
    from rongcuo.cases.access import visible_cases

    ids = list(visible_cases(user).values_list("pk", flat=True))
    return [f"/api/cases/{pk}" for pk in rng.sample(ids, min(count, len(ids)))]


def child(args: argparse.Namespace) -> None:
    n = parse_sizes(args.n)[0]
    url = bench_url(args.database_url, n)
    banner("api_bench", url, n)
    ensure_data(url, n)
    from django.test import Client

    from rongcuo.accounts.models import User
    from rongcuo.cases.access import visible_cases
    from rongcuo.org.models import Jurisdiction

    rng = random.Random(7)
    rows: list[dict[str, Any]] = []
    groups: dict[str, list[dict[str, Any]]] = {}
    print_header(TARGET_MS)
    for uname, code in BENCH_USERS.items():
        user = User.objects.get(username=uname)
        scope = "province" if code == PROVINCE else "county"
        client = Client(HTTP_AUTHORIZATION=f"Bearer {token_for(uname)}")
        total = visible_cases(user).count()
        last = max(1, -(-total // 20))
        city = Jurisdiction.objects.filter(parent_id=PROVINCE).order_by("code").first()
        where = city.code if code == PROVINCE and city else COUNTY
        lists = [
            ("list, first page", "/api/cases"),
            ("list, page 10 (or the last)", f"/api/cases?page={min(10, last)}"),
            ("list, last page", f"/api/cases?page={last}"),
            ("list, stage=investigation", "/api/cases?stage=investigation"),
            ("list, status=open&overdue=true", "/api/cases?status=open&overdue=true"),
            ("list, outcome=exempt", "/api/cases?outcome=exempt"),
            ("list, start_type=individual&stage=closed", "/api/cases?start_type=individual&stage=closed"),
            ("list, jurisdiction (city or county)", f"/api/cases?jurisdiction={where}"),
            ("list, q=征地 (title/number substring)", "/api/cases?q=%E5%BE%81%E5%9C%B0"),
        ]
        for label, path in lists:
            r = print_row(f"{label} [{scope}]", measure_paths(client, [path], args.calls), TARGET_MS)
            groups.setdefault(f"list ({scope})", []).append(r)
            rows.append(r)
        paths = detail_paths(user, args.calls + 5, rng)
        m = measure_paths(client, paths, args.calls, count_path=f"/api/cases/{richest_demo_case(user)}")
        r = print_row(f"detail, a different case each call [{scope}]", m, TARGET_MS)
        groups.setdefault(f"detail ({scope})", []).append(r)
        rows.append(r)
    summary = print_summary(groups, TARGET_MS)
    write_result(args.result_file, {"n": n, "url": url, "rows": rows, "summary": summary})


if __name__ == "__main__":
    per_size_main(__file__, __doc__ or "", child, "timed calls per request kind")
