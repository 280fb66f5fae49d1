"""Web pages of the workbench: server time and queries per page at two data sizes.

Target (web issue): with 10^5 cases on SQLite, median server time ≤ 100 ms for the workbench, the case
list and the case detail pages; no page's query count grows with the data. Printed as PASS/MISS, never
asserted.

Pages are fetched in process with django.test.Client, signed in with force_login (the session goes
through the session middleware and the session policy as in service): the workbench (/), the case list
(first page, a filter by stage, open cases, overdue cases, the last page) and the case detail (a different
visible case on every call; each read writes its "case.read" audit record). Each page is timed --calls
times after 2 untimed calls; then 3 calls inside CaptureQueriesContext give the queries per page.
Users: the provincial handler (320000) and the county handler (530524).

    .venv/bin/python bench/web_bench.py                        # SQLite, n = 10^4 then 10^5
    .venv/bin/python bench/web_bench.py --n 100000 --calls 30

Time: about a minute per size once the data exist.
"""

from __future__ import annotations

import argparse
import random
from typing import Any

from _casebench import (
    BENCH_USERS,
    PROVINCE,
    banner,
    bench_url,
    enrol_totp,
    ensure_data,
    measure_paths,
    parse_sizes,
    per_size_main,
    print_header,
    print_row,
    print_summary,
    richest_demo_case,
    write_result,
)

TARGET_MS = 100.0


def child(args: argparse.Namespace) -> None:
    n = parse_sizes(args.n)[0]
    url = bench_url(args.database_url, n)
    banner("web_bench", url, n)
    ensure_data(url, n)
    from django.test import Client

    from rongcuo.accounts.models import User
    from rongcuo.cases.access import visible_cases

    rng = random.Random(11)
    rows: list[dict[str, Any]] = []
    groups: dict[str, list[dict[str, Any]]] = {}
    print_header(TARGET_MS)
    for uname, code in BENCH_USERS.items():
        user = User.objects.get(username=uname)
        scope = "province" if code == PROVINCE else "county"
        enrol_totp(user)
        client = Client()
        client.force_login(user)
        total = visible_cases(user).count()
        last = max(1, -(-total // 25))
        pages = [
            ("workbench", "workbench /", ["/"]),
            ("case list", "case list, first page", ["/cases/"]),
            ("case list", "case list, stage=investigation", ["/cases/?stage=investigation"]),
            ("case list", "case list, status=open", ["/cases/?status=open"]),
            ("case list", "case list, overdue=1", ["/cases/?overdue=1"]),
            ("case list", "case list, last page", [f"/cases/?page={last}"]),
        ]
        ids = list(visible_cases(user).values_list("pk", flat=True))
        detail = [f"/cases/{pk}/" for pk in rng.sample(ids, min(len(ids), args.calls + 5))]
        pages.append(("case detail", "case detail, a different case each call", detail))
        fixed = f"/cases/{richest_demo_case(user)}/"
        for group, label, paths in pages:
            m = measure_paths(client, paths, args.calls, count_path=fixed if group == "case detail" else None)
            r = print_row(f"{label} [{scope}]", m, TARGET_MS)
            groups.setdefault(f"{group} ({scope})", []).append(r)
            rows.append(r)
    summary = print_summary(groups, TARGET_MS)
    write_result(args.result_file, {"n": n, "url": url, "rows": rows, "summary": summary})


if __name__ == "__main__":
    per_size_main(__file__, __doc__ or "", child, "timed calls per page")
