"""The standing query 「结果运用查询」 through the API: does any matter count against a cadre?

Target (after-decision issue): the standing API median ≤ 20 ms. Printed as PASS/MISS, never asserted.

GET /api/outcomes/standing?cadre=ID as the provincial handler (a standing role over 320000), in process
with django.test.Client and a bearer token: for every purpose (all areas), for one purpose
(promotion, 提拔任用), on a past date, and as the printable text statement. Cadres: ones in the province
with recorded decisions (result-use records copied from the demo's decisions, see gen_cases) and ones with
none; a different cadre on every call. Each query also writes its "standing.read" audit record.

    .venv/bin/python bench/standing_bench.py                   # SQLite, n = 10^4 then 10^5
    .venv/bin/python bench/standing_bench.py --n 100000 --database-url postgres://postgres@127.0.0.1:5432/

Time: under a minute per size once the data exist.
"""

from __future__ import annotations

import argparse
import random
from typing import Any

from _casebench import (
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
    token_for,
    write_result,
)

TARGET_MS = 20.0


def child(args: argparse.Namespace) -> None:
    n = parse_sizes(args.n)[0]
    url = bench_url(args.database_url, n)
    banner("standing_bench", url, n)
    ensure_data(url, n)
    from django.test import Client

    from rongcuo.org.models import Cadre
    from rongcuo.outcomes.models import ResultUse

    rng = random.Random(3)
    in_province = Cadre.objects.filter(unit__jurisdiction__path__startswith=f"000000/{PROVINCE}/")
    with_decisions = list(
        in_province.filter(result_uses__isnull=False).distinct().values_list("pk", flat=True)[: 20 * args.calls]
    )
    without = list(in_province.filter(result_uses__isnull=True).values_list("pk", flat=True)[: 20 * args.calls])
    k = args.calls + 5
    with_decisions = rng.sample(with_decisions, min(k, len(with_decisions)))
    without = rng.sample(without, min(k, len(without)))
    per = ResultUse.objects.filter(cadre_id__in=with_decisions).count() / max(1, len(with_decisions))
    print(f"cadres: {len(with_decisions)} with decisions ({per:.1f} records each on average), {len(without)} without")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token_for('bench_province')}")
    rows: list[dict[str, Any]] = []
    groups: dict[str, list[dict[str, Any]]] = {}
    print_header(TARGET_MS)
    kinds = [
        ("all purposes, cadre with decisions", with_decisions, ""),
        ("purpose=promotion, cadre with decisions", with_decisions, "&purpose=promotion"),
        ("on=2024-06-30, cadre with decisions", with_decisions, "&on=2024-06-30"),
        ("format=text, cadre with decisions", with_decisions, "&format=text"),
        ("all purposes, cadre without decisions", without, ""),
    ]
    for label, cadres, extra in kinds:
        paths = [f"/api/outcomes/standing?cadre={pk}{extra}" for pk in cadres]
        r = print_row(label, measure_paths(client, paths, args.calls), TARGET_MS)
        groups.setdefault("standing API", []).append(r)
        rows.append(r)
    summary = print_summary(groups, TARGET_MS)
    write_result(args.result_file, {"n": n, "url": url, "rows": rows, "summary": summary})


if __name__ == "__main__":
    per_size_main(__file__, __doc__ or "", child, "timed calls per kind of query")
