"""A case transition including its audit record: the business verbs timed as the API and the web call them.

Target (issue 3 "Case service"): a transition including its audit record ≤ 20 ms median. Printed as
PASS/MISS, never asserted.

Measured on the benchmark database (gen_cases builds it when missing), as the handler of the province
holding the most cases in acceptance (`bench_handler_<code>`, made through the account verbs on first use;
its grants are resolved again on every call, as in a request):

- `actions.transition(user, id, "accept", {"note": …})` on cases in the acceptance stage: row lock and
  scope check, procedure check, payload, the move to investigation (closing and opening the stage
  deadlines in working days), the evaluation refreshed under every pinned policy, the optimistic version
  check, the timeline event and its audit record (SM3 chain under the AuditHead lock), the case hooks
  (search index), the scope re-check and the commit. Each call takes another case (the cases stay moved).
- `actions.set_fact(user, id, {"fact": …, "value": …})` on cases in investigation (a value that differs
  from the one stored, so every call changes the case, re-evaluates and writes its event and audit record).
- The cases taken get their search documents first, untimed (see index_first: real cases have them).
- For reference, the same accept through the API (POST /api/cases/{id}/actions/accept with a bearer token),
  in process with django.test.Client.

Wall-clock and this thread's CPU time per call, and the queries of one call. `--profile` prints a cProfile
table of 20 set_fact calls.

    .venv/bin/python bench/transition_bench.py                 # SQLite, n = 10^5
    .venv/bin/python bench/transition_bench.py --n 100000 --database-url postgres://postgres@127.0.0.1:5432/

Time: under a minute once the data exist.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
from typing import Any

from _casebench import (
    BENCH_PASSWORD,
    banner,
    bench_url,
    ensure_data,
    med,
    p95,
    parse_sizes,
    timed_ms,
    token_for,
    verdict,
)

TARGET_MS = 20.0
FACT = "exploratory_reform"


def cases_in(user: Any, stage: str, count: int) -> list[int]:
    from rongcuo.cases.access import visible_cases

    qs = visible_cases(user).filter(stage=stage, status="open").order_by("?")
    return list(qs.values_list("pk", flat=True)[:count])


def provincial_handler(need: int) -> Any:
    """A handler of the province that holds the most cases still in acceptance (every accept moves its case
    on, so repeated runs go from province to province), made through the account verbs on first use."""
    from rongcuo.accounts import actions as accounts
    from rongcuo.accounts.models import User
    from rongcuo.cases.models import Case
    from rongcuo.org.models import Jurisdiction

    waiting = Case.objects.filter(stage="acceptance", status="open")
    counts = {
        j.code: waiting.filter(jurisdiction__path__startswith=j.path).count()
        for j in Jurisdiction.objects.filter(level="province")
    }
    code = max(counts, key=lambda c: counts[c])
    if counts[code] < need:
        sys.exit(f"no province holds {need} cases in acceptance: use a larger --n or fewer --calls")
    name = f"bench_handler_{code}"
    if not User.objects.filter(username=name).exists():
        accounts.create_user(None, name, BENCH_PASSWORD, f"bench {code}", must_change_password=False)
        accounts.grant_role(None, name, "handler", jurisdiction=code)
    print(f"acting as {name} (handler of {code}: {counts[code]} cases in acceptance)")
    return User.objects.get(username=name)


def index_first(ids: list[int]) -> int:
    """Give the cases their search documents where they have none. A real case has one from its filing on
    (the case hooks of every verb keep it current), so its actions only update it; gen_cases does not build
    them, and without this each timed call would also pay for the case's first document (every one of its
    terms counted in)."""
    from rongcuo.cases.models import Case
    from rongcuo.search.documents import case_sources
    from rongcuo.search.index import bulk_index_cases
    from rongcuo.search.models import CaseDoc

    have = set(CaseDoc.objects.filter(pk__in=ids).values_list("pk", flat=True))
    cases = list(Case.objects.filter(pk__in=[pk for pk in ids if pk not in have]).order_by("pk"))
    return bulk_index_cases(zip([c.pk for c in cases], case_sources(cases), strict=True)) if cases else 0


def queries_of(fn: Any) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def show(label: str, wall: list[float], cpu: list[float], queries: int | str) -> dict[str, Any]:
    md = med(wall)
    print(
        f"{label:<58} {md:8.1f} {p95(wall):8.1f} {med(cpu):8.1f} {queries!s:>7} {len(wall):>5}  "
        f"{verdict(md, TARGET_MS)}",
        flush=True,
    )
    return {"label": label, "median_ms": md, "p95_ms": p95(wall), "cpu_ms": med(cpu), "queries": queries}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", default="100000")
    ap.add_argument("--database-url", default=None)
    ap.add_argument("--calls", type=int, default=40, help="timed calls per verb")
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args()
    n = parse_sizes(args.n)[0]
    url = bench_url(args.database_url, n)
    banner("transition_bench", url, n)
    ensure_data(url, n)
    from django.test import Client

    from rongcuo.audit.models import AuditHead
    from rongcuo.cases import actions
    from rongcuo.cases.access import forget_grants
    from rongcuo.cases.models import FactValue

    calls = args.calls
    user = provincial_handler(2 * calls + 8)
    accept_ids = cases_in(user, "acceptance", 2 * calls + 8)
    fact_ids = cases_in(user, "investigation", calls + 4)
    if len(accept_ids) < 2 * calls + 8 or len(fact_ids) < calls + 4:
        sys.exit(f"not enough open cases for {calls} calls: use a larger --n or fewer --calls")
    indexed = index_first(accept_ids + fact_ids)
    print(f"search documents made before timing (untimed) for {indexed} of the {len(accept_ids + fact_ids)} cases")
    seq0 = AuditHead.objects.get(id=1).seq

    print("\nwall-clock ms per call (median, p95), this thread's CPU ms (median), queries of one call, calls")
    head = f"{'operation':<58} {'median':>8} {'p95':>8} {'cpu':>8} {'queries':>7} {'calls':>5}"
    print(f"{head}  target ≤ {TARGET_MS:.0f} ms")
    rows = []

    # accept: each call moves another case out of acceptance
    it = iter(accept_ids)

    def accept(_: int) -> None:
        forget_grants(user)  # resolved again on every call, as in a request
        actions.transition(user, next(it), "accept", {"note": "材料齐全，予以受理"})

    q = queries_of(lambda: accept(0))
    wall, cpu = timed_ms(accept, calls, warmup=2)
    rows.append(show("transition accept (actions.transition)", wall, cpu, q))

    # set_fact: flip the value stored, so every call is a change
    stored = dict(FactValue.objects.filter(case_id__in=fact_ids, fact=FACT).values_list("case_id", "value"))
    state = {"k": 0}

    def set_fact(_: int) -> None:
        pk = fact_ids[state["k"] % len(fact_ids)]
        state["k"] += 1
        value = stored.get(pk) is not True
        stored[pk] = value
        forget_grants(user)
        actions.set_fact(user, pk, {"fact": FACT, "value": value, "comment": "经调查核实"})

    q = queries_of(lambda: set_fact(0))
    wall, cpu = timed_ms(set_fact, calls, warmup=2)
    rows.append(show(f"set_fact {FACT} (actions.set_fact)", wall, cpu, q))

    # the same accept through the API, in process
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token_for(user.username)}")

    def accept_api(_: int) -> None:
        r = client.post(
            f"/api/cases/{next(it)}/actions/accept", {"note": "材料齐全，予以受理"}, content_type="application/json"
        )
        assert r.status_code == 200, (r.status_code, r.content[:300])

    q = queries_of(lambda: accept_api(0))
    wall, cpu = timed_ms(accept_api, calls, warmup=2)
    rows.append(show("POST /api/cases/{id}/actions/accept (reference)", wall, cpu, q))

    added = AuditHead.objects.get(id=1).seq - seq0
    print(f"\naudit records appended during the run: {added:,} (each act: its timeline record; the API: + token issue)")
    if args.profile:
        prof = cProfile.Profile()
        prof.runcall(lambda: [set_fact(i) for i in range(20)])
        print("\ncProfile of 20 set_fact calls, top 25 by cumulative time:")
        pstats.Stats(prof, stream=sys.stdout).strip_dirs().sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
