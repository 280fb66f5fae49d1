"""Search and 「类案推送」 over a generated corpus: 10^5 cases on SQLite, 10^6 on PostgreSQL.

Targets: search median ≤ 50 ms (10^6 cases on PostgreSQL, 10^5 on SQLite); similar-case recommendation
median ≤ 200 ms. Figures are printed with PASS/MISS, never asserted.

The corpus lives in its own database, never the one DATABASE_URL names: a SQLite file (default
/tmp/rongcuo_search_bench.sqlite3), or, when DATABASE_URL names PostgreSQL, the database
`rongcuo_search_bench` on that server (created, and dropped first unless --reuse finds it complete).

Cases are inserted with bulk_create and their search documents through `search.index.bulk_index_cases`,
the bulk path (the per-case path reads four tables per case and would take hours for 10^6). The texts are
drawn from sentence pools with Zipf-like weights, place names, amounts and one or two words from a
20,000-word sample of jieba's dictionary per case (rare terms). On PostgreSQL the GIN index is dropped
during the load and rebuilt after it (a loading shortcut of this script only).

Queries (timed with the grants re-resolved each call, as in a request): two-character words, common and
rare terms, several-word queries, a word found nowhere; by a provincial handler (320000, about 1/20 of
the cases) and by a national one (000000, every case). Similar cases: 30 random cases of the province.

    .venv/bin/python bench/search_bench.py                     # SQLite, 10^5
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x .venv/bin/python bench/search_bench.py   # 10^6
    … --n 20000 --reuse --rounds 5
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SEARCH_TARGET_MS = 50.0
SIMILAR_TARGET_MS = 200.0
PG_BENCH_DB = "rongcuo_search_bench"

TITLES_A = [
    "征地拆迁",
    "招商引资",
    "应急处置",
    "项目审批",
    "土地流转",
    "安置补偿",
    "环境整治",
    "棚户区改造",
    "乡村振兴",
    "营商环境",
    "疫情防控",
    "防汛抗旱",
    "国有资产处置",
    "政府采购",
    "债务化解",
    "基层治理",
]
TITLES_B = [
    "补偿款发放",
    "试点推进",
    "审批程序简化",
    "资金拨付",
    "合同签订",
    "物资调配",
    "工程建设",
    "政策执行",
    "信访处理",
    "历史遗留问题处理",
    "协议履行",
    "项目落地",
]
TITLES_C = ["出现失误", "造成损失", "程序瑕疵", "进度滞后", "引发争议", "被问责", "申请容错"]
SENTENCES = [
    "在推进改革试点中，因缺乏经验造成一定损失",
    "为加快项目进度，经集体研判后先行先试",
    "相关决策经单位党组会议集体讨论通过",
    "事前已按规定向纪委监委进行事前报备",
    "因政策界限不明，执行中出现偏差",
    "突发事件发生后临机决断，事后及时报告",
    "发现问题后积极采取补救措施，挽回大部分损失",
    "当事人主动配合问责调查，如实说明情况",
    "经调查核实，当事人出于公心，未谋取私利",
    "第三方评估认为风险总体可控",
    "群众反映强烈，信访问题较为突出",
    "涉及历史遗留问题，前期手续不完备",
    "上级尚无明确限制，属于探索性试验",
    "在落实决策部署、推动重大项目中大胆履职",
    "为加速推进工作简化审批程序而出现过失",
    "因法律法规修改和国家政策调整造成损失",
    "在权责不对等的情况下积极履行属地管理责任",
    "补偿标准执行不统一，部分群众有意见",
    "合同条款约定不明，导致后续纠纷",
    "资金拨付程序不规范，存在审核疏漏",
    "工程质量验收把关不严",
    "招标文件编制存在瑕疵",
    "安置房分配方案调整未及时公示",
    "应急物资采购未履行完整的政府采购程序",
    "基层治理探索实践中方法不当",
    "容错纠错机制适用条件基本具备",
    "经纪委常委会审定，拟免予问责",
    "建议从轻处理，并开展谈心谈话",
    "建议减轻处理，影响期六个月",
    "不符合容错情形，不予容错，依规问责",
    "在一定范围内澄清正名，消除不良影响",
    "按照四种形态，属于第一种形态",
    "督促其纠错整改，明确整改时限",
    "组织部门在考核、任用中同样看待",
]
NOTES = [
    "调查核实",
    "经集体研判认定",
    "材料齐全，予以受理",
    "符合容错情形",
    "申辩理由成立",
    "初步调查报告已提交",
    "谈话提醒",
    "责令检查",
    "书面澄清",
    "已函告组织部门",
]
BASES = ["依据问责条例第七条", "依据容错纠错办法第四条第三项", "依据实施办法第五条", "依据第十条从轻减轻情形"]
DOMAINS = ["征地拆迁", "招商引资", "应急处置", "历史遗留问题", "基层治理", "项目审批", "生态环境", "安全生产", ""]
FACTS = [
    "exploratory_reform",
    "lacks_precedent",
    "no_explicit_restriction",
    "policy_boundary_unclear",
    "force_majeure",
    "emergency_response",
    "key_project_push",
    "simplified_approval",
    "pre_filed",
    "public_interest",
    "collective_decision",
    "remedied",
    "cooperated",
    "diligent",
]
QUERIES = [
    "容错",
    "问责",
    "拆迁",
    "失误",
    "补偿款",
    "征地拆迁 补偿款",
    "先行先试 简化审批",
    "集体研判 事前报备 免予问责",
    "{rare}",
    "{rare2} 容错",
    "无此词语",
]


def configure(args: argparse.Namespace) -> str:
    """Point Django at the bench database before it is set up; returns a label for the banner."""
    os.environ.setdefault("RONGCUO_DATA_DIR", tempfile.mkdtemp(prefix="rongcuo-bench-"))
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        parts = urlsplit(url)
        admin = urlunsplit(parts._replace(path="/postgres"))
        bench = urlunsplit(parts._replace(path=f"/{PG_BENCH_DB}"))
        _ensure_pg_database(admin, args.reuse)
        os.environ["DATABASE_URL"] = bench
        return f"PostgreSQL {parts.hostname}:{parts.port or 5432}/{PG_BENCH_DB}"
    path = Path(args.sqlite)
    if path.exists() and not args.reuse:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    return f"SQLite {path}"


def _ensure_pg_database(admin_url: str, reuse: bool) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [PG_BENCH_DB]).fetchone()
        if exists and reuse:
            return
        if exists:
            conn.execute(f"DROP DATABASE {PG_BENCH_DB}")
        conn.execute(f"CREATE DATABASE {PG_BENCH_DB}")


# --- the corpus -----------------------------------------------------------------------------------------------


def rare_vocabulary(rng: random.Random, size: int = 20_000) -> list[str]:
    """Words of jieba's dictionary that the segmenter keeps whole (each then names few cases)."""
    from rongcuo.search import segment

    words = sorted(w for w, f in segment.tokenizer().FREQ.items() if f and 2 <= len(w) <= 4)
    rng.shuffle(words)
    out: list[str] = []
    for w in words:
        if segment.query_terms(w) == [w]:
            out.append(w)
            if len(out) == size:
                break
    return out


def zipf_choice(rng: random.Random, items: list[str], s: float = 1.1) -> str:
    weights = [1 / (i + 1) ** s for i in range(len(items))]
    return rng.choices(items, weights)[0]


def make_source(rng: random.Random, place: str, rare: list[str]) -> tuple[object, str]:
    from rongcuo.search.documents import CaseSource

    domain = rng.choice(DOMAINS)
    title = f"{rng.choice(TITLES_A)}{rng.choice(TITLES_B)}{rng.choice(TITLES_C)}"
    sentences = [zipf_choice(rng, SENTENCES) for _ in range(rng.randint(3, 6))]
    sentences.append(f"涉及金额约{rng.randint(1, 9999)}万元")
    sentences.append(f"涉及{rng.choice(rare)}")
    if rng.random() < 0.5:
        sentences.append(f"另涉及{rng.choice(rare)}问题")
    facts = tuple(rng.sample(FACTS, rng.randint(1, 5)))
    notes = [rng.choice(NOTES) for _ in range(rng.randint(1, 4))]
    if rng.random() < 0.4:
        notes.append(rng.choice(BASES))
    src = CaseSource(title, "，".join(sentences) + "。", domain, place, facts, tuple(dict.fromkeys(notes)))
    return src, title


def generate(n: int, seed: int) -> None:
    from django.db import connection, transaction

    from rongcuo.accounts import actions as accounts
    from rongcuo.cases.models import Case
    from rongcuo.org.builders import make_unit
    from rongcuo.org.models import Jurisdiction
    from rongcuo.search import index
    from rongcuo.search.scope import doc_scope

    rng = random.Random(seed)
    rare = rare_vocabulary(rng)
    creator = accounts.create_user(None, "bench_creator", "Perf#2025pw!x", "bench", must_change_password=False)
    for name, code in (("bench_province", "320000"), ("bench_national", "000000")):
        accounts.create_user(None, name, "Perf#2025pw!x", name, must_change_password=False)
        accounts.grant_role(None, name, "handler", jurisdiction=code)
    places = []
    for j in Jurisdiction.objects.exclude(code="000000").order_by("code"):
        for k in range(3):
            unit = make_unit(j, f"{j.name}某{['局', '镇人民政府', '委员会'][k]}")
            places.append((j.code, j.path, unit.pk, f"{j.name} {unit.name}"))
    pg = connection.vendor == "postgresql"
    if pg:
        with connection.cursor() as cur:
            cur.execute("SET synchronous_commit = off")  # a bench load, not data to keep
            cur.execute("DROP INDEX IF EXISTS search_casedoc_tsv")
    t0 = time.perf_counter()
    batch = 5000
    for start in range(0, n, batch):
        rows, sources = [], []
        for i in range(start, min(n, start + batch)):
            code, path, unit_id, place = rng.choice(places)
            src, title = make_source(rng, place, rare)
            rows.append(
                Case(
                    number=f"B-{code}-{i:07d}",
                    jurisdiction_id=code,
                    start_type="proactive",
                    subject_type="unit",
                    unit_id=unit_id,
                    title=title,
                    summary=src.summary,
                    domain=src.domain,
                    stage="investigation",
                    created_by=creator,
                )
            )
            sources.append((src, path, unit_id))
        with transaction.atomic():
            made = Case.objects.bulk_create(rows)
            index.bulk_index_cases(
                (c.pk, replace(src, scope=doc_scope(c.pk, path, unit_id, None)))
                for c, (src, path, unit_id) in zip(made, sources, strict=True)
            )
        done = min(n, start + batch)
        if done % 50_000 == 0 or done == n:
            rate = done / (time.perf_counter() - t0)
            print(f"  loaded {done:,} cases ({rate:,.0f}/s)", flush=True)
    if pg:
        with connection.cursor() as cur:
            cur.execute("SET maintenance_work_mem = '1GB'")
            cur.execute("CREATE INDEX search_casedoc_tsv ON search_casedoc USING gin (tsv, scope_tsv)")
            cur.execute("VACUUM ANALYZE search_casedoc")
            cur.execute("VACUUM ANALYZE cases_case")
            cur.execute("VACUUM ANALYZE search_termstat")
    else:
        with connection.cursor() as cur:
            cur.execute("INSERT INTO search_case_fts(search_case_fts) VALUES ('optimize')")
            cur.execute("ANALYZE")
    print(f"  load took {time.perf_counter() - t0:,.0f} s")


# --- timing ---------------------------------------------------------------------------------------------------


def p95(xs: list[float]) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, int(len(s) * 0.95))]


def verdict(ms: float, target: float) -> str:
    return "PASS" if ms <= target else "MISS"


def pick_rare(rng: random.Random) -> tuple[str, str]:
    from rongcuo.search.models import CORPUS_CASES, TermStat

    rows = list(
        TermStat.objects.filter(corpus=CORPUS_CASES, df__gte=2, df__lte=40)
        .exclude(term__regex=r"^[0-9a-z]")
        .order_by("term")
        .values_list("term", "df")[:5000]
    )
    rows = [r for r in rows if len(r[0]) >= 2 and not r[0].isascii()]
    a, b = rng.sample(rows, 2)
    return a[0], b[0]


def interleaved(calls: dict[str, Callable[[], object]], rounds: int) -> dict[str, list[float]]:
    """Each call once per pass, `rounds` passes: a drift in machine speed touches every call alike."""
    for fn in calls.values():
        fn()  # warm: caches, plans, jieba
    out: dict[str, list[float]] = {k: [] for k in calls}
    for _ in range(rounds):
        for key, fn in calls.items():
            t = time.perf_counter()
            fn()
            out[key].append((time.perf_counter() - t) * 1000)
    return out


def run_queries(rounds: int, seed: int) -> tuple[list[float], list[float]]:
    from rongcuo.accounts.models import User
    from rongcuo.cases.access import forget_grants, visible_cases
    from rongcuo.search import index

    rng = random.Random(seed)
    rare, rare2 = pick_rare(rng)
    calls: dict[str, Callable[[], object]] = {}
    found: dict[str, str] = {}
    for username in ("bench_province", "bench_national"):
        user = User.objects.get(username=username)
        for template in QUERIES:
            q = template.format(rare=rare, rare2=rare2)

            def call(q: str = q, user: User = user) -> object:
                forget_grants(user)  # grants are resolved once per request
                return index.search_cases(user, q, limit=20)

            key = f"{q:44} {username[6:]:9}"
            calls[key] = call
            page: Any = call()
            found[key] = f"{page.total}{'+' if page.truncated else ''}"
    times = interleaved(calls, rounds)
    print(f"\n{'search':44} {'user':9} {'found':>7} {'median ms':>10} {'p95 ms':>8} {'min ms':>8}")
    for key, ts in times.items():
        print(f"{key} {found[key]:>7} {statistics.median(ts):10.1f} {p95(ts):8.1f} {min(ts):8.1f}")
    user = User.objects.get(username="bench_province")
    ids = list(visible_cases(user).order_by("?").values_list("pk", flat=True)[:30])
    shown = []
    similar_calls: dict[str, Callable[[], object]] = {}
    for pk in ids:

        def rec(pk: int = pk) -> object:
            forget_grants(user)
            return index.similar_cases(user, pk, limit=5)

        similar_calls[str(pk)] = rec
        result: Any = rec()
        shown.append(len(result.cases))
    similar = interleaved(similar_calls, max(1, rounds // 3))
    print(f"\nsimilar cases for {len(ids)} cases of the province: {statistics.median(shown):.0f} found (median)")
    return [t for ts in times.values() for t in ts], [t for ts in similar.values() for t in ts]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=None, help="cases (default 10^6 on PostgreSQL, 10^5 on SQLite)")
    ap.add_argument("--rounds", type=int, default=15, help="timed calls per query")
    ap.add_argument("--reuse", action="store_true", help="keep a bench database that already holds n cases")
    ap.add_argument("--sqlite", default="/tmp/rongcuo_search_bench.sqlite3")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    label = configure(args)

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rongcuo.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from rongcuo.cases.models import Case

    n = args.n or (1_000_000 if connection.vendor == "postgresql" else 100_000)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"search_bench: {label}, n={n:,}, Python {platform.python_version()}, {os.cpu_count()} CPUs, load {load}")
    call_command("migrate", verbosity=0)
    have = Case.objects.count()
    if have != n:
        if have:
            sys.exit(f"the bench database holds {have:,} cases, not {n:,}: run without --reuse")
        generate(n, args.seed)
    search, similar = run_queries(args.rounds, args.seed)
    s_med, r_med = statistics.median(search), statistics.median(similar)
    target_n = 1_000_000 if connection.vendor == "postgresql" else 100_000
    note = "" if n >= target_n else f" (target is set for n={target_n:,})"
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\nload average at the end: {load}")
    print(f"{'measure':34} {'median ms':>10} {'p95 ms':>8} {'target':>8}  verdict")
    print(
        f"{'search, all queries above':34} {s_med:10.1f} {p95(search):8.1f} {SEARCH_TARGET_MS:8.0f}  "
        f"{verdict(s_med, SEARCH_TARGET_MS)}{note}"
    )
    print(
        f"{'similar cases (类案推送)':30} {r_med:10.1f} {p95(similar):8.1f} {SIMILAR_TARGET_MS:8.0f}  "
        f"{verdict(r_med, SIMILAR_TARGET_MS)}{note}"
    )


if __name__ == "__main__":
    main()
