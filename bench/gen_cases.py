"""Bulk generator of N synthetic cases for the case-service benchmarks (issue 3 "Case service").

Target: 10^6 cases loaded in ≤ 5 minutes on PostgreSQL. Printed as PASS/MISS, never asserted.

The data goes into a fresh benchmark database (see _casebench.py: a SQLite file under /tmp, or a PostgreSQL
database whose name contains "bench"; never the application's or the tests' database):

1. Seed, through the business verbs: the demo data (`rongcuo.demo.load()`: 26 cases in every stage and
   start type, with their facts, timelines, deadlines, decisions, appeals, interviews and audit records)
   and two bench accounts, a provincial handler (320000 江苏省) and a county handler (530524 昌宁县).
2. Organisation: the 22 shipped jurisdictions grow to a GB/T 2260-shaped tree (31 provinces, 10 cities
   each, 8 counties per city: about 2,800 jurisdictions), 5 units per jurisdiction, 4 cadres per unit
   (ID numbers and phones SM4-encrypted, from a pool of 256 encrypted values).
3. Cases, copied from the demo cases ("templates"): each synthetic case takes a template's stage, start
   type, facts, timeline, deadlines, decision, appeals, interviews and result-use record, moved in time by whole days
   (closed cases 60 days to 3 years old, open ones 0 to 45 days) and put in a jurisdiction
   (70% county, 20% city, 10% province level) with a unit and, for cadre cases, a cadre of that unit.
   Its `policies`, `procedure` and `evaluation` (and the decision's archived evaluation) are what the real
   code computes for that jurisdiction and those facts (evaluation.pin_versions, engine.pin,
   policy.evaluate), once per (applicable policies, template) pair, so they look exactly like real cases.
   A template whose stages the jurisdiction's procedure leaves out is not used there. Stage mix: 60%
   closed; the open ones spread over the stages (see STAGE_WEIGHTS). About 40% of the open cases end up
   overdue. Titles and summaries come from phrase pools.
   Not generated: audit records for the copied timelines (their audit_seq is empty), search documents,
   attachments, reminders.

Rows go in with explicit ids, made by the database itself (bench/_expand.py): this process writes one plan
row per case (its template, jurisdiction, days moved, ids, unit, cadre, texts; binary COPY on PostgreSQL,
executemany on SQLite) and `INSERT … SELECT` statements copy the staged template rows for each batch of
planned cases, on PostgreSQL on parallel connections (`--streams`), each table on one of them (its
primary key then grows at its right edge), while the next batch is planned. The rows are the same as
when this process rendered every row itself (checked table by table on both databases); its own Python at
10^6 is about 57 s instead of 142 s. Secondary
indexes and constraints of the bulk tables (on PostgreSQL their primary keys too) are dropped first and
created again after the load (timed as part of it; on PostgreSQL each bulk table's VACUUM/ANALYZE follows
its constraints on the same connection), then sequences are moved past the ids and the other tables
analysed. bench/check_cases.py checks the result against the product's own code.

    .venv/bin/python bench/gen_cases.py --n 100000                 # SQLite /tmp/rongcuo_case_bench_100000.sqlite3
    .venv/bin/python bench/gen_cases.py --n 1000000 --database-url postgres://postgres@127.0.0.1:5432/rongcuo_case_bench_1000000

Time: the seed takes about 15 s; the load under a minute per 10^5 cases on SQLite, 3 to 5 minutes for 10^6 on
PostgreSQL (about 16 kB per case: its evaluation under every applicable policy, its decision's archived
evaluation, a timeline of 14 events with the evaluation after each change).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from _casebench import (
    BENCH_PASSWORD,
    BENCH_USERS,
    DEFAULT_SEED,
    banner,
    bench_url,
    describe,
    ensure_data,
    generated,
    is_pg,
    verdict,
)
from _expand import RELATED, STREAMS, Expander, Stage, TableSpec, side_connections
from _rowcodec import SIGNATURE, TRAILER, PgBinary, SqliteValues, field_kind

TARGET_S = 300.0  # 10^6 cases on PostgreSQL
BATCH = 5000
CLOSED_SHARE = 0.60
# Open cases by stage (relative weights; the 60% closed are apart).
STAGE_WEIGHTS = {
    "unit_review": 6,
    "acceptance": 10,
    "investigation": 20,
    "preliminary": 7,
    "defence": 6,
    "third_party": 2,
    "hearing": 2,
    "deliberation": 8,
    "decision": 6,
    "feedback": 6,
    "publication": 5,
    "appeal_window": 18,
    "appeal": 4,
}


def words(text: str) -> list[str]:
    return text.split()


PROVINCES = {
    "110000": "北京市", "120000": "天津市", "130000": "河北省", "140000": "山西省", "150000": "内蒙古自治区",
    "210000": "辽宁省", "220000": "吉林省", "230000": "黑龙江省", "310000": "上海市", "320000": "江苏省",
    "330000": "浙江省", "340000": "安徽省", "350000": "福建省", "360000": "江西省", "370000": "山东省",
    "410000": "河南省", "420000": "湖北省", "430000": "湖南省", "440000": "广东省", "450000": "广西壮族自治区",
    "460000": "海南省", "500000": "重庆市", "510000": "四川省", "520000": "贵州省", "530000": "云南省",
    "540000": "西藏自治区", "610000": "陕西省", "620000": "甘肃省", "630000": "青海省",
    "640000": "宁夏回族自治区", "650000": "新疆维吾尔自治区",
}  # fmt: skip
PLACE_NAMES = words(
    "东阳 西林 南平 北安 清河 长宁 永安 新华 安康 平山 兴隆 福田 宁远 丰城 龙泉 临江 金山 白云 太平 青山"
)
DEPARTMENTS = ["发展和改革局", "自然资源局", "住房和城乡建设局", "应急管理局", "人民政府办公室"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = words("建国 志强 秀英 丽华 海涛 文博 晓梅 国栋 振宇 佳琪 永刚 立新 春林 德明 红艳 海燕 明远 茂林 卫东 晓峰")
POSITIONS = [("局长", "正处级"), ("副局长", "副处级"), ("科长", "正科级"), ("副镇长", "副科级")]
TITLES_A = words(
    "征地拆迁 招商引资 应急处置 项目审批 土地流转 安置补偿 环境整治 棚户区改造 乡村振兴 营商环境 防汛抗旱 政府采购"
)
TITLES_B = words("补偿款发放 试点推进 审批程序简化 资金拨付 合同签订 物资调配 工程建设 政策执行 信访处理 协议履行")
TITLES_C = words("出现失误 造成损失 程序瑕疵 进度滞后 引发争议 被问责 申请容错")
SENTENCES = [
    "在推进改革试点中，因缺乏经验造成一定损失",
    "为加快项目进度，经集体研判后先行先试",
    "相关决策经单位党组会议集体讨论通过",
    "事前已按规定向纪委监委进行事前报备",
    "因政策界限不明，执行中出现偏差",
    "突发事件发生后临机决断，事后及时报告",
    "发现问题后积极采取补救措施，挽回大部分损失",
    "涉及历史遗留问题，前期手续不完备",
    "补偿标准执行不统一，部分群众有意见",
    "资金拨付程序不规范，存在审核疏漏",
]
DOMAINS = ["征地拆迁", "招商引资", "应急处置", "历史遗留问题", "基层治理", "重大项目", ""]
BULK_TABLES = (
    "org_accountabilitymatter",
    "cases_case",
    "cases_factvalue",
    "cases_caseevent",
    "procedure_deadline",
    "cases_interview",
    "cases_decision",
    "cases_appeal",
    "outcomes_resultuse",
)


# --- the seed: demo cases and bench accounts, through the business verbs ------------------------------


def seed_verbs() -> None:
    from rongcuo import demo
    from rongcuo.accounts import actions as accounts
    from rongcuo.accounts.models import User

    demo.load()
    for name, code in BENCH_USERS.items():
        if not User.objects.filter(username=name).exists():
            accounts.create_user(None, name, BENCH_PASSWORD, f"bench {code}", must_change_password=False)
            accounts.grant_role(None, name, "handler", jurisdiction=code)


# --- organisation -------------------------------------------------------------------------------------


@dataclass
class Place:
    code: str
    path: str
    level: str
    weight: float
    units: list[int] = field(default_factory=list)
    cadres: dict[int, list[int]] = field(default_factory=dict)  # unit id -> cadre ids


def build_org(rng: random.Random) -> list[Place]:
    from rongcuo.core import crypto
    from rongcuo.org.models import Cadre, Jurisdiction, Unit

    have = {j.code: j for j in Jurisdiction.objects.all()}
    rows: dict[str, tuple[str, str, str | None]] = {c: (j.name, j.level, j.parent_id) for c, j in have.items()}
    for pcode, pname in PROVINCES.items():
        rows.setdefault(pcode, (pname, "province", "000000"))
        cities = [c for c, r in rows.items() if r[2] == pcode and r[1] == "city"]
        k = 1
        while len(cities) < 10:
            code = f"{pcode[:2]}{k:02d}00"
            k += 1
            if code not in rows:
                rows[code] = (f"{rng.choice(PLACE_NAMES)}市", "city", pcode)
                cities.append(code)
        for ccode in cities:
            counties = [c for c, r in rows.items() if r[2] == ccode]
            k = 21
            while len(counties) < 8:
                code = f"{ccode[:4]}{k:02d}"
                k += 1
                if code not in rows:
                    rows[code] = (f"{rng.choice(PLACE_NAMES)}{'县' if k % 3 else '区'}", "county", ccode)
                    counties.append(code)

    def path(code: str) -> str:
        parent = rows[code][2]
        return (path(parent) if parent else "") + code + "/"

    new = [
        Jurisdiction(code=c, name=r[0], level=r[1], parent_id=r[2], path=path(c))
        for c, r in sorted(rows.items(), key=lambda kv: path(kv[0]).count("/"))
        if c not in have
    ]
    Jurisdiction.objects.bulk_create(new, batch_size=2000)

    level_weight = {"province": 0.10, "city": 0.20, "county": 0.70}
    by_level: dict[str, list[str]] = {}
    for c, r in rows.items():
        if r[1] in level_weight:
            by_level.setdefault(r[1], []).append(c)
    places = []
    for c, r in sorted(rows.items()):
        if r[1] in level_weight:
            places.append(Place(c, path(c), r[1], level_weight[r[1]] / len(by_level[r[1]])))

    next_unit = (Unit.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    units: list[tuple[Any, ...]] = []
    for p in places:
        for dept in DEPARTMENTS:
            units.append((next_unit, p.code, None, f"{rows[p.code][0]}{dept}", "", f"{p.code}/{next_unit}/"))
            p.units.append(next_unit)
            next_unit += 1
    insert_rows(Unit, ["id", "jurisdiction_id", "parent_id", "name", "code", "path"], units)

    pool = []
    for i in range(256):
        area = rng.choice(list(PROVINCES))[:2]
        idn = f"{area}0102{1960 + i % 35}0{1 + i % 9}1{i % 10}{i % 7}{i % 10}{i % 3}{i % 10}X"
        phone = f"139{rng.randrange(10**8):08d}"
        pool.append((crypto.encrypt(idn), crypto.blind_index(idn), crypto.encrypt(phone)))
    next_cadre = (Cadre.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    cadres: list[tuple[Any, ...]] = []
    for p in places:
        for uid in p.units:
            ids = []
            for k in range(4):
                enc, index, phone = pool[next_cadre % len(pool)]
                pos, rank = POSITIONS[k]
                name = rng.choice(SURNAMES) + rng.choice(GIVEN)
                cadres.append((next_cadre, name, uid, pos, rank, True, enc, index, phone, now))
                ids.append(next_cadre)
                next_cadre += 1
            p.cadres[uid] = ids
    columns = ["id", "name", "unit_id", "position", "rank", "party_member"]
    insert_rows(Cadre, [*columns, "id_number_enc", "id_number_index", "phone_enc", "created_at"], cadres)
    return places


def insert_rows(model: Any, attnames: list[str], rows: list[tuple[Any, ...]]) -> None:
    """Plain rows into a model's table (COPY on PostgreSQL, executemany on SQLite); datetimes naive UTC."""
    from django.db import connection, transaction

    fields = {f.attname: f for f in model._meta.concrete_fields}
    table = model._meta.db_table
    cols = ", ".join(f'"{fields[a].column}"' for a in attnames)
    connection.ensure_connection()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            pgb = PgBinary()
            kinds = [field_kind(fields[a], connection) for a in attnames]
            data = b"".join([pgb.head(list(r), kinds, len(kinds)) for r in rows])
            sql = f'COPY "{table}" ({cols}) FROM STDIN (FORMAT BINARY)'
            with connection.connection.cursor() as cur, cur.copy(sql) as cp:
                cp.write(SIGNATURE + data + TRAILER)
        else:
            sq = SqliteValues()
            marks = ", ".join("?" * len(attnames))
            data = [sq.fields(list(r), [field_kind(fields[a], connection) for a in attnames]) for r in rows]
            connection.connection.executemany(f'INSERT INTO "{table}" ({cols}) VALUES ({marks})', data)


# --- templates and what each jurisdiction makes of them ----------------------------------------------------


def naive_utc(v: Any) -> Any:
    if isinstance(v, dt.datetime) and v.tzinfo is not None:
        return v.astimezone(dt.UTC).replace(tzinfo=None)
    return v


@dataclass
class Template:
    case: dict[str, Any]
    facts: dict[str, bool | None]
    stages_seen: set[str]
    related: dict[str, list[dict[str, Any]]]  # table -> rows (attname -> value)
    decision: dict[str, Any] | None
    result_use: dict[str, Any] | None
    matter: dict[str, Any] | None


def load_templates() -> list[Template]:
    from rongcuo.cases.models import Appeal, Case, CaseEvent, Decision, FactValue, Interview
    from rongcuo.org.models import AccountabilityMatter
    from rongcuo.outcomes.models import ResultUse
    from rongcuo.procedure.models import Deadline

    out = []
    # Cases made through the verbs: their timelines are in the audit chain (the copies' are not).
    real = Case.objects.filter(events__audit_seq__isnull=False).values("id").distinct()
    for c in Case.objects.filter(id__in=real).order_by("id").values():
        cid = c["id"]
        rel = {
            m._meta.db_table: [
                {k: naive_utc(v) for k, v in r.items()} for r in m.objects.filter(case_id=cid).order_by("id").values()
            ]
            for m in (FactValue, CaseEvent, Deadline, Interview, Appeal)
        }
        stages = {e[k] for e in rel["cases_caseevent"] for k in ("stage_from", "stage_to") if e[k]} | {c["stage"]}
        dec = Decision.objects.filter(case_id=cid).values().first()
        ru = ResultUse.objects.filter(case_id=cid).values().first()
        mat = AccountabilityMatter.objects.filter(pk=c["matter_id"]).values().first() if c["matter_id"] else None
        out.append(
            Template(
                case={k: naive_utc(v) for k, v in c.items()},
                facts={f["fact"]: f["value"] for f in rel["cases_factvalue"]},
                stages_seen=stages - {"closed"},
                related=rel,
                decision={k: naive_utc(v) for k, v in dec.items()} if dec else None,
                result_use={k: naive_utc(v) for k, v in ru.items()} if ru else None,
                matter={k: naive_utc(v) for k, v in mat.items()} if mat else None,
            )
        )
    return out


@dataclass
class Combo:
    """A template as it looks in jurisdictions with one set of applicable policies: the values of its case,
    decision and result-use rows that the real code computes there (the rest is the template's)."""

    no: int  # its number in the staging tables
    template: int
    case: dict[str, Any]
    decision: dict[str, Any] | None
    result_use: dict[str, Any] | None
    months: int | None


class Planner:
    def __init__(self, templates: list[Template]) -> None:
        from rongcuo.cases.models import Appeal, Case, CaseEvent, Decision, FactValue, Interview
        from rongcuo.org.models import AccountabilityMatter
        from rongcuo.outcomes.models import ResultUse
        from rongcuo.policy import Library
        from rongcuo.procedure.models import Deadline

        self.templates = templates
        self.today = dt.date.today()
        self.policy_codes = {p.jurisdiction_code for p in Library.default().policies.values()}
        self.case_spec = TableSpec(
            Case,
            ["id", "number", "jurisdiction_id", "matter_id", "cadre_id", "unit_id", "title", "summary", "domain",
             "overdue"],
        )  # fmt: skip
        self.rel_specs = {m._meta.db_table: TableSpec(m, ["id", "case_id"]) for m in (FactValue, CaseEvent, Deadline,
                                                                                    Interview, Appeal)}  # fmt: skip
        self.decision_spec = TableSpec(Decision, ["id", "case_id"])
        self.result_spec = TableSpec(
            ResultUse,
            ["id", "decision_id", "case_id", "cadre_id", "matter_id", "case_number", "influence_ends_on"],
        )
        self.matter_spec = TableSpec(
            AccountabilityMatter, ["id", "jurisdiction_id", "cadre_id", "unit_id", "title", "domain"]
        )
        self.combos: dict[tuple[tuple[str, ...], int], Combo | None] = {}
        self.keys: dict[str, tuple[str, ...]] = {}  # per jurisdiction: its applicable policies' places

    def key(self, place: Place) -> tuple[str, ...]:
        k = self.keys.get(place.code)
        if k is None:
            k = self.keys[place.code] = tuple(c for c in place.path.split("/") if c in self.policy_codes)
        return k

    def combo(self, place: Place, ti: int) -> Combo | None:
        k = (self.key(place), ti)
        if k not in self.combos:
            self.combos[k] = self._make(place, ti, len(self.combos))
        return self.combos[k]

    def _make(self, place: Place, ti: int, no: int) -> Combo | None:
        from rongcuo.cases import evaluation
        from rongcuo.cases.models import Case
        from rongcuo.org.models import Jurisdiction
        from rongcuo.outcomes.records import _policy_rules
        from rongcuo.outcomes.standing import influence_months_for, rule_kind
        from rongcuo.policy import evaluate
        from rongcuo.procedure import engine, pinning

        t = self.templates[ti]
        c = t.case
        j = Jurisdiction.objects.get(code=place.code)
        pins = evaluation.pin_versions(j, c["conduct_date"], self.today)
        probe = Case(jurisdiction=j, policies=pins, conduct_date=c["conduct_date"])
        versions = evaluation.pinned_versions(probe, t.facts)
        if not versions:
            return None
        procedure = engine.pin(versions, c["start_type"])
        proc = engine.Procedure(procedure)
        if not all(proc.has(s) for s in t.stages_seen):
            return None
        results = [evaluate(v, t.facts).to_dict() for v in versions]
        ev = [evaluation.summarise(r) for r in results]
        case = {
            "procedure_pin_id": pinning.pin(procedure),
            "policies": pins,
            "evaluation": ev,
            "engine_outcome": ev[0]["outcome"],
            "pre_filing_id": None,
        }
        decision = result_use = None
        months = None
        if t.decision is not None:
            d = t.decision
            primary = results[0]
            basis = d["basis"]
            if basis == (d["evaluation"] or {}).get("explanation"):
                basis = primary.get("explanation", basis)
            decision = {
                "policy": primary["policy"],
                "policy_version": primary["version"],
                "evaluation": primary,
                "basis": basis,
            }
            if t.result_use is not None:
                kind = rule_kind(d["disposition"], d["outcome"])
                rules, title = _policy_rules(primary["policy"], primary["version"], kind)
                months, source = influence_months_for(kind, d["influence_months"], rules)
                result_use = {
                    "kind": kind,
                    "influence_months": months,
                    "influence_source": source,
                    "policy": primary["policy"],
                    "policy_version": primary["version"],
                    "policy_title": title[:300],
                    "rules": [r.to_dict() for r in rules],
                }
        return Combo(no, ti, case, decision, result_use, months)

    def stage(self, stage: Stage) -> None:
        """The staging tables for every combo made so far (plan() makes all that the load will use)."""
        combos = [c for c in self.combos.values() if c is not None]
        tps = self.templates
        stage.plan_table()
        given = {a: f"p.{a}" for a in self.case_spec.dyn}
        given["id"] = "p.case_id"
        stage.per_combo(self.case_spec, [(c.no, tps[c.template].case["id"], c.case) for c in combos], given)
        stage.per_combo(
            self.matter_spec,
            [(c.no, tps[c.template].matter["id"], {}) for c in combos if tps[c.template].matter is not None],  # type: ignore[index]
            {**{a: f"p.{a}" for a in self.matter_spec.dyn}, "id": "p.matter_id"},
            where=" AND p.matter_id IS NOT NULL",
        )
        stage.per_combo(
            self.decision_spec,
            [(c.no, tps[c.template].decision["id"], c.decision) for c in combos if c.decision is not None],  # type: ignore[index]
            {"id": "p.decision_id", "case_id": "p.case_id"},
            where=" AND p.decision_id IS NOT NULL",
        )
        stage.per_combo(
            self.result_spec,
            [(c.no, tps[c.template].result_use["id"], c.result_use) for c in combos if c.result_use is not None],  # type: ignore[index]
            {
                "id": "p.resultuse_id",
                "decision_id": "p.decision_id",
                "case_id": "p.case_id",
                "cadre_id": "p.cadre_id",
                "matter_id": "p.matter_id",
                "case_number": "p.number",
                "influence_ends_on": "p.influence_ends_on",
            },
            where=" AND p.resultuse_id IS NOT NULL",
        )
        cases = [t.case["id"] for t in tps]
        due = stage.shift('t."due_on"', False)
        extra = {
            # The copied timeline has no audit records of its own: audit_seq stays empty.
            "cases_caseevent": {"audit_seq": "NULL"},
            "procedure_deadline": {
                "overdue": f'CASE WHEN t."completed_at" IS NULL AND {due} < {stage.today_literal()} '
                "THEN TRUE ELSE FALSE END"
            },
        }
        for table, spec in self.rel_specs.items():
            stage.per_template(spec, cases, extra.get(table, {}))
        stage.finish_staging(BULK_TABLES)


# --- the load -----------------------------------------------------------------------------------------------


def _texts(rng: random.Random) -> tuple[str, str, str]:
    title = f"{rng.choice(TITLES_A)}{rng.choice(TITLES_B)}{rng.choice(TITLES_C)}"
    summary = "，".join(rng.sample(SENTENCES, rng.randint(2, 4))) + f"，涉及金额约{rng.randint(1, 9999)}万元。"
    return title, summary, rng.choice(DOMAINS)


def _next_ids() -> dict[str, int]:
    from django.db import connection

    out = {}
    with connection.cursor() as cur:
        for table in BULK_TABLES:
            cur.execute(f'SELECT MAX(id) FROM "{table}"')
            out[table] = (cur.fetchone()[0] or 0) + 1
    return out


def plan(n: int, places: list[Place], planner: Planner, nprng: np.random.Generator) -> dict[str, np.ndarray]:
    """Per case (in id order): place, template, creation time; grouped by applicable-policy key so a
    template is only used where its stages exist."""
    templates = planner.templates
    weights = np.array([p.weight for p in places])
    pidx = nprng.choice(len(places), size=n, p=weights / weights.sum())
    closed = nprng.random(n) < CLOSED_SHARE
    tidx = np.empty(n, dtype=np.int64)
    keys: dict[tuple[str, ...], list[int]] = {}
    for i, p in enumerate(places):
        keys.setdefault(planner.key(p), []).append(i)
    place_key = np.empty(len(places), dtype=np.int64)
    for ki, members in enumerate(keys.values()):
        place_key[members] = ki
    case_key = place_key[pidx]
    for ki, members in enumerate(keys.values()):
        rep = places[members[0]]
        for want_closed in (True, False):
            sel = np.nonzero((case_key == ki) & (closed == want_closed))[0]
            if not len(sel):
                continue
            cand, w = [], []
            by_stage: dict[str, list[int]] = {}
            for ti, t in enumerate(templates):
                is_closed = t.case["stage"] == "closed"
                if is_closed == want_closed and planner.combo(rep, ti) is not None:
                    by_stage.setdefault(t.case["stage"], []).append(ti)
            for stage, tis in by_stage.items():
                for ti in tis:
                    cand.append(ti)
                    w.append((1.0 if want_closed else STAGE_WEIGHTS.get(stage, 1)) / len(tis))
            if not cand:
                raise SystemExit(f"no usable template for jurisdictions under {rep.path}")
            warr = np.array(w)
            tidx[sel] = np.array(cand)[nprng.choice(len(cand), size=len(sel), p=warr / warr.sum())]
    now = time.time()
    age = np.where(closed, nprng.uniform(60, 1095, n), nprng.uniform(0, 45, n)) * 86400
    created = now - age
    # An open case with a running deadline is placed so that its deadline falls between 8 days ago and
    # 30 days ahead, never created in the future (so copies of the demo's overdue cases, whose deadlines
    # lie in the past, stay overdue: about 40% of the open cases are overdue in all).
    to_due = np.array(
        [
            (t.case["stage_due_on"] - t.case["created_at"].date()).days
            if t.case["stage_due_on"] and t.case["status"] == "open"
            else np.nan
            for t in templates
        ]
    )[tidx]
    placed = now + (nprng.uniform(-8, 30, n) - to_due) * 86400
    placed = np.minimum(placed, now - nprng.uniform(0, 2 * 86400, n))
    created = np.where(np.isnan(to_due), created, placed)
    # Whole days, at a time of day fixed per (template, day): cases of one template created on one day
    # share their timeline's timestamps, so those rows are rendered once per day (see load()).
    day = np.floor(created / 86400).astype(np.int64)
    stamp = day * 86400 + (tidx * 7919 + day * 104729) % 86400
    stamp = np.where(stamp > now, stamp - 86400, stamp)
    order = np.lexsort((nprng.random(n), stamp))
    return {"place": pidx[order], "template": tidx[order], "created": stamp[order]}


def load(n: int, seed: int, places: list[Place], log: Any = print, *, streams: int = STREAMS) -> dict[str, Any]:
    from django.db import connection
    from django.utils import timezone

    from rongcuo.cases.models import CaseCounter
    from rongcuo.outcomes.standing import influence_end

    rng = random.Random(seed)
    nprng = np.random.default_rng(seed)
    templates = load_templates()
    planner = Planner(templates)
    t0 = time.perf_counter()
    p = plan(n, places, planner, nprng)
    today = timezone.localdate()
    stage = Stage(connection.vendor, today)
    planner.stage(stage)
    log(
        f"  planned {n:,} cases and staged their templates in {time.perf_counter() - t0:.1f} s "
        f"({len(planner.combos)} template variants)"
    )

    tz_offset = dt.timedelta(hours=8)  # case numbers by the year in Beijing time
    counters = {(c.jurisdiction_id, c.year): c.last for c in CaseCounter.objects.filter(kind="case")}
    ids = _next_ids()
    counts = [{table: len(t.related[table]) for table in RELATED} for t in templates]
    rows = 0
    expander = Expander(stage, streams)
    epoch = dt.date(1970, 1, 1).toordinal()
    t_write = time.perf_counter()
    # Per (combo, day): the values that follow from the template moved to that day.
    day_values: dict[tuple[int, int], tuple[int, int, bool, dt.date | None]] = {}
    current = None
    batch: list[Any] = []
    first = ids["cases_case"]

    def on_day(t: Template, combo: Combo, day: int) -> tuple[int, int, bool, dt.date | None]:
        c = t.case
        days = epoch + day - c["created_at"].toordinal()
        ddays = dt.timedelta(days=days)
        due = c["stage_due_on"] + ddays if c["stage_due_on"] else None
        ends = None
        if combo.result_use is not None:
            ends = influence_end(t.result_use["decided_on"] + ddays, combo.months)  # type: ignore[index]
        year = (c["created_at"] + ddays + tz_offset).year
        return days, year, c["status"] == "open" and due is not None and due < today, ends

    for i in range(n):
        place = places[p["place"][i]]
        ti = int(p["template"][i])
        t = templates[ti]
        combo = planner.combo(place, ti)
        assert combo is not None
        c = t.case
        # Moved by whole days (times of day stay the template's).
        day = int(p["created"][i]) // 86400
        if day != current:
            current = day
            day_values.clear()
        key = (combo.no, day)
        v = day_values.get(key)
        if v is None:
            v = day_values[key] = on_day(t, combo, day)
        days, year, overdue, ends = v

        case_id = ids["cases_case"]
        ids["cases_case"] += 1
        seq = counters.get((place.code, year), 0) + 1
        counters[(place.code, year)] = seq
        number = f"RC-{place.code}-{year}-{seq:05d}"
        unit = place.units[rng.randrange(len(place.units))]
        cadre = rng.choice(place.cadres[unit]) if c["cadre_id"] else None
        title, summary, domain = _texts(rng)
        rows += 1
        matter_id = dec_id = ru_id = None
        if t.matter is not None:
            matter_id = ids["org_accountabilitymatter"]
            ids["org_accountabilitymatter"] += 1
            rows += 1
        firsts = []
        for table, m in counts[ti].items():
            firsts.append(ids[table])
            ids[table] += m
            rows += m
        if combo.decision is not None:
            dec_id = ids["cases_decision"]
            ids["cases_decision"] += 1
            rows += 1
            if combo.result_use is not None and cadre is not None:
                ru_id = ids["outcomes_resultuse"]
                ids["outcomes_resultuse"] += 1
                rows += 1
        batch.append(
            expander.encode(
                [
                    case_id,
                    c["id"],
                    combo.no,
                    days,
                    number,
                    place.code,
                    matter_id,
                    cadre,
                    unit,
                    title,
                    summary,
                    domain,
                    overdue,
                    dec_id,
                    ru_id,
                    ends if ru_id else None,
                    *firsts,
                ]
            )
        )
        done = i + 1
        if done % BATCH == 0 or done == n:
            expander.write(batch, first, case_id)
            batch, first = [], case_id + 1
            if done % (BATCH * 20) == 0 or done == n:
                el = time.perf_counter() - t_write
                log(
                    f"  {done:,} cases, {rows:,} rows, {el:.0f} s ({done / el:,.0f} cases/s; "
                    f"{expander.wait_s:.0f} s waiting for the database)",
                    flush=True,
                )
    expander.close()
    stage.drop()
    write_s = time.perf_counter() - t_write
    CaseCounter.objects.bulk_create(
        [
            CaseCounter(jurisdiction_id=code, kind="case", year=year, last=last)
            for (code, year), last in counters.items()
        ],
        update_conflicts=True,
        unique_fields=["jurisdiction", "kind", "year"],
        update_fields=["last"],
        batch_size=2000,
    )
    return {"rows": rows, "write_s": write_s, "wait_s": expander.wait_s, "variants": len(planner.combos)}


# --- indexes: off during the load, back after it ---------------------------------------------------------


def drop_secondary() -> list[str]:
    """Drop the secondary indexes of the bulk tables, and on PostgreSQL their primary keys and unique and
    foreign-key constraints too (with the foreign keys of other tables that reference them); return the
    statements that create them again.

    Primary keys too: a key maintained row by row costs an index entry and a WAL record per row (about 30
    million of each at 10^6), a key built afterwards one sort and whole pages."""
    from django.db import connection

    again: list[str] = []
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # Foreign keys first ('f' < 'p' < 'u'): a key another table references cannot be dropped before it.
            cur.execute(
                "SELECT c.conname, c.conrelid::regclass::text, pg_get_constraintdef(c.oid), c.contype, "
                "pg_get_indexdef(c.conindid) FROM pg_constraint c WHERE c.contype IN ('p', 'u', 'f') "
                "AND (c.conrelid::regclass::text = ANY(%s) "
                "OR (c.contype = 'f' AND c.confrelid::regclass::text = ANY(%s))) "
                "ORDER BY c.contype, c.conname",
                [list(BULK_TABLES), list(BULK_TABLES)],
            )
            constraints = cur.fetchall()
            cur.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) AND indexname NOT IN "
                "(SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u'))",
                [list(BULK_TABLES)],
            )
            indexes = cur.fetchall()
            for name, table, *_ in constraints:
                cur.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
            for name, _ in indexes:
                cur.execute(f'DROP INDEX "{name}"')
            again = [d for _, d in indexes]
            # A key's index is built like the others (CREATE INDEX share-locks its table, so builds on one table
            # run side by side) and then made the constraint (a moment's exclusive lock).
            keys = [(n, t, k, idx) for n, t, _, k, idx in constraints if k in ("p", "u")]
            again += [idx for *_, idx in keys]
            again += [
                f'ALTER TABLE "{t}" ADD CONSTRAINT "{n}" {"PRIMARY KEY" if k == "p" else "UNIQUE"} USING INDEX "{n}"'
                for n, t, k, _ in keys
            ]
            again += [f'ALTER TABLE "{t}" ADD CONSTRAINT "{n}" {d}' for n, t, d, k, _ in constraints if k == "f"]
        else:
            marks = ", ".join("?" * len(BULK_TABLES))
            rows = connection.connection.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                f"AND tbl_name IN ({marks})",
                BULK_TABLES,
            ).fetchall()
            for name, sql in rows:
                cur.execute(f'DROP INDEX "{name}"')
                again.append(sql)
    return again


def restore_secondary(statements: list[str], streams: int = STREAMS, log: Any = print) -> None:
    """Create the indexes and constraints again. On PostgreSQL on `streams` connections at once: first every
    index, those of the primary keys and unique constraints included (CREATE INDEX only share-locks its
    table, so they run side by side), then the keys made constraints over their indexes and the foreign keys
    added NOT VALID (both instant), then the foreign keys validated in parallel, one table per connection
    (a validation only share-locks the table it checks)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        with connection.cursor() as cur:
            for sql in statements:
                cur.execute(sql)
        return
    from concurrent.futures import ThreadPoolExecutor

    # No parallel workers per index build: the streams already use the CPUs.
    conns = side_connections(streams, "SET maintenance_work_mem = '512MB'", "SET max_parallel_maintenance_workers = 0")

    took: list[tuple[float, str]] = []

    def run(sqls: list[str]) -> None:
        conn = conns.get()
        try:
            for sql in sqls:
                t = time.perf_counter()
                conn.execute(sql)
                took.append((time.perf_counter() - t, sql))
        finally:
            conns.put(conn)

    def table_of(sql: str) -> str:
        return sql.split(" ON ", 1)[1].split()[0] if sql.startswith("CREATE") else sql.split('"')[1]

    foreign = [sql for sql in statements if "FOREIGN KEY" in sql]
    keys = [sql for sql in statements if " USING INDEX " in sql]
    rest = [sql for sql in statements if sql not in foreign and sql not in keys]
    # Biggest tables first, so the long builds start early and the short ones fill the gaps.
    order = {t: i for i, t in enumerate(("public.cases_caseevent", "cases_caseevent", "public.cases_case"))}
    rest.sort(key=lambda sql: order.get(table_of(sql), 9))
    with ThreadPoolExecutor(max(1, streams)) as pool:
        for f in [pool.submit(run, [sql]) for sql in rest]:
            f.result()
        run([*keys, *[f"{sql} NOT VALID" for sql in foreign]])
        by_table: dict[str, list[str]] = {}
        for sql in foreign:
            table, name = sql.split('"')[1], sql.split('"')[3]
            by_table.setdefault(table, []).append(f'ALTER TABLE "{table}" VALIDATE CONSTRAINT "{name}"')
        # Then what autovacuum would do soon after a real load, on the same connection as the table's
        # validations (both take its self-conflicting lock) and beside the other tables' work: statistics,
        # and for the case table the visibility map too, so scoped counts and lists are answered from the
        # indexes alone (its TOAST table, 3 GB of documents at 10^6, serves no index-only scan: left out).
        for table in BULK_TABLES:
            by_table.setdefault(table, []).append(
                f'VACUUM (ANALYZE, PROCESS_TOAST FALSE) "{table}"' if table == "cases_case" else f'ANALYZE "{table}"'
            )
        longest_first = sorted(by_table.values(), key=lambda sqls: -len(sqls))
        for f in [pool.submit(run, sqls) for sqls in longest_first]:
            f.result()
    while not conns.empty():
        conns.get().close()
    for seconds, sql in sorted(took, reverse=True)[:10]:
        log(f"    {seconds:5.1f} s  {sql[:100]}")


def finish() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            for table in (*BULK_TABLES, "org_unit", "org_cadre"):
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), (SELECT MAX(id) FROM \"{table}\"))"
                )
            # The bulk tables were vacuumed and analysed with their constraints (restore_secondary).
            cur.execute(
                "SELECT relname FROM pg_stat_user_tables WHERE relname <> ALL(%s) ORDER BY relname",
                [list(BULK_TABLES)],
            )
            for (table,) in cur.fetchall():
                cur.execute(f'ANALYZE "{table}"')
        else:
            cur.execute("ANALYZE")


# --- entry points -----------------------------------------------------------------------------------------


def build(n: int, seed: int = DEFAULT_SEED, log: Any = print, *, streams: int = STREAMS) -> dict[str, Any]:
    """Fill the (freshly migrated, empty) bench database Django is set up on; return the figures."""
    from django.db import connection

    from rongcuo.audit.chain import Actor, append

    rng = random.Random(seed)
    t_seed = time.perf_counter()
    seed_verbs()
    seed_s = time.perf_counter() - t_seed
    from rongcuo.cases.models import Case

    # Cases from here on are synthetic (the record says so: other benchmarks later act on some of them).
    first_case = (Case.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    log(f"  seed (demo data and bench accounts, through the business verbs): {seed_s:.1f} s")

    t_load = time.perf_counter()
    places = build_org(rng)
    org_s = time.perf_counter() - t_load
    log(f"  organisation: {len(places):,} jurisdictions with units and cadres in {org_s:.1f} s")
    again = drop_secondary()
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SET synchronous_commit = off")
    figures = load(n, seed, places, log, streams=streams)
    t_idx = time.perf_counter()
    restore_secondary(again, streams, log)
    index_s = time.perf_counter() - t_idx
    log(f"  indexes and constraints re-created (PostgreSQL: with VACUUM/ANALYZE of the bulk tables) in {index_s:.1f} s")
    t_an = time.perf_counter()
    finish()
    analyze_s = time.perf_counter() - t_an
    load_s = time.perf_counter() - t_load
    out = {
        "n": n,
        "seed": seed,
        "first_case": first_case,
        "vendor": connection.vendor,
        "seed_s": round(seed_s, 1),
        "org_s": round(org_s, 1),
        "write_s": round(figures["write_s"], 1),
        "wait_s": round(figures["wait_s"], 1),
        "streams": streams if connection.vendor == "postgresql" else 1,
        "index_s": round(index_s, 1),
        "analyze_s": round(analyze_s, 1),
        "load_s": round(load_s, 1),
        "rows": figures["rows"],
        "variants": figures["variants"],
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    append(Actor.system("bench"), "bench.generate", "bench", str(n), detail=out)
    return out


def report(url: str, fig: dict[str, Any]) -> None:
    n = fig["n"]
    print(f"\n{'measurement':<44} {'value':>14}")
    print(f"{'seed through the verbs (not in the load)':<44} {fig['seed_s']:>12.1f} s")
    print(f"{'organisation (jurisdictions, units, cadres)':<44} {fig['org_s']:>12.1f} s")
    print(f"{'cases and related rows written':<44} {fig['write_s']:>12.1f} s")
    if "wait_s" in fig:
        print(f"{'  of which waiting for the database':<44} {fig['wait_s']:>12.1f} s")
    print(f"{'indexes and constraints re-created (1)':<44} {fig['index_s']:>12.1f} s")
    print(f"{'sequences and ANALYZE of the rest (1)':<44} {fig['analyze_s']:>12.1f} s")
    print(f"{'rows written (cases and related)':<44} {fig['rows']:>14,}")
    rate = n / fig["load_s"]
    rows_s = fig["rows"] / fig["load_s"]
    print(f"{'load total':<44} {fig['load_s']:>12.1f} s  ({rate:,.0f} cases/s, {rows_s:,.0f} rows/s)")
    # The organisation is the same at every size; the rest grows with n.
    projected = fig["org_s"] + (fig["load_s"] - fig["org_s"]) * 1_000_000 / n
    note = "" if n == 1_000_000 else f" (projected linearly from n={n:,})"
    if is_pg(url):
        goal = f"≤ {TARGET_S:.0f} s {verdict(projected, TARGET_S)}"
        print(f"{'10^6 cases on PostgreSQL':<44} {projected:>12.1f} s  {goal}{note}")
    else:
        print(f"{'10^6 cases at this rate (SQLite, no target)':<44} {projected:>12.1f} s{note}")
    print(
        "(1) on PostgreSQL the bulk tables' VACUUM/ANALYZE runs with their constraints, beside the other tables' "
        "work;\n    on SQLite ANALYZE is in the second line"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--database-url", default=None, help="sqlite:///… or postgres://…/NAME (NAME containing 'bench')")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--reuse", action="store_true", help="keep a database that already holds n cases")
    ap.add_argument(
        "--streams", type=int, default=STREAMS, help="PostgreSQL: connections writing rows and building indexes"
    )
    args = ap.parse_args()
    url = bench_url(args.database_url, args.n)
    banner("gen_cases", url, args.n)
    fig = ensure_data(url, args.n, args.seed, rebuild=not args.reuse, streams=args.streams)
    if args.reuse:
        fig = generated() or fig
    print(f"database: {describe(url)}")
    report(url, fig)


if __name__ == "__main__":
    main()
