"""Searching cases: indexed by the actions themselves, re-indexed on every change, restricted by
cases.access.visible_cases (missing and forbidden alike), same rows however they were written."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rongcuo.accounts.models import User
from rongcuo.cases import actions
from rongcuo.search import index, query, store
from rongcuo.search.documents import case_source
from rongcuo.search.models import CORPUS_CASES, CORPUS_MARKS, CaseDoc, CorpusStat, TermStat
from rongcuo.search.scope import counted

from .conftest import World, decide, new_case, set_facts

pytestmark = pytest.mark.django_db


def titles(user: User, q: str) -> list[str]:
    return [h.case.title for h in index.search_cases(user, q).items]


def test_a_case_created_through_the_actions_is_found_by_title_and_summary_words(world: World) -> None:
    case = new_case(world, "征地拆迁补偿款发放失误", "推进容错纠错机制时，因缺乏经验造成损失")
    for q in ("征地拆迁", "拆迁", "补偿款", "容错", "纠错", "容错纠错", "缺乏经验", "拆迁 容错"):
        assert titles(world.handler, q) == [case.title], q
    assert titles(world.handler, "招商引资") == []
    assert titles(world.handler, "拆迁 招商引资") == []  # every word must be present


def test_an_application_is_indexed_with_its_statement(world: World) -> None:
    case = actions.submit_application(
        world.applicant,
        {"title": "土地流转试点失误", "summary": "试点中出现偏差", "statement": "本人申请容错免责，已积极挽回损失"},
    )
    assert titles(world.handler, "挽回损失") == [case.title]
    assert titles(world.handler, "免责") == [case.title]


def test_setting_a_fact_and_deciding_reindex_the_case(world: World) -> None:
    case = new_case(world, "项目审批失误", "审批中出现偏差")
    assert titles(world.handler, "先行先试") == []
    set_facts(world, case, {"exploratory_reform": True}, note="属于改革试点")
    assert titles(world.handler, "先行先试") == [case.title]  # the fact's label
    assert titles(world.handler, "改革试点") == [case.title]  # the investigator's note
    assert CaseDoc.objects.get(pk=case.pk).facts == "exploratory_reform"
    set_facts(world, case, {"exploratory_reform": False})
    assert CaseDoc.objects.get(pk=case.pk).facts == ""
    assert titles(world.handler, "先行先试") == []  # a fact found false is not a word of the case
    decide(world, case, basis="依据问责条例第七条免除相关责任")
    assert titles(world.handler, "问责条例") == [case.title]  # the decision's basis
    assert titles(world.handler, "免予问责") == [case.title]  # the outcome
    assert titles(world.handler, "常委会") == [case.title]  # the deciding organ


def test_scope_outsider_and_handler_never_see_each_others_cases_admins_see_nothing(world: World) -> None:
    mine = new_case(world, "征地拆迁容错案件甲", "问责条例适用")
    theirs = new_case(world, "征地拆迁容错案件乙", "问责条例适用", by="outsider")
    assert theirs.jurisdiction_id == "530524" and mine.jurisdiction_id == "320000"
    for q in ("征地拆迁", "容错", "问责条例"):
        assert titles(world.handler, q) == [mine.title]
        assert titles(world.investigator, q) == [mine.title]
        assert titles(world.outsider, q) == [theirs.title]
        for admin in ("sysadmin", "secadmin", "auditadmin", "evaluator"):
            page = index.search_cases(world.users[admin], q)
            assert page.items == [] and page.total == 0
    # a cadre sees their own case only, a unit reviewer their unit's
    own = actions.submit_application(
        world.applicant, {"title": "征地拆迁容错申请", "summary": "x", "statement": "申请"}
    )
    assert titles(world.applicant, "征地拆迁") == [own.title]
    assert set(titles(world.unit_reviewer, "征地拆迁")) == {own.title, mine.title}


def test_ranking_paging_and_totals(world: World) -> None:
    a = new_case(world, "容错案件", "容错容错容错")
    b = new_case(world, "容错与问责案件", "一般情况说明，篇幅较长，包括多个段落与背景材料，另有附件")
    c = new_case(world, "问责案件", "无关")
    page = index.search_cases(world.handler, "容错")
    assert [h.case.pk for h in page.items] == [a.pk, b.pk]  # more occurrences in a shorter text first
    assert page.total == 2 and not page.truncated and page.terms == ["容错"]
    assert page.items[0].score > page.items[1].score > 0
    assert [h.case.pk for h in index.search_cases(world.handler, "容错", limit=1, offset=1).items] == [b.pk]
    assert {h.case.pk for h in index.search_cases(world.handler, "问责").items} == {b.pk, c.pk}


def test_query_count_does_not_grow_with_the_results(world: World) -> None:
    for i in range(4):
        new_case(world, f"征地拆迁案件{i}", "拆迁补偿")
    new_case(world, "招商引资案件", "招商项目")
    user = world.handler
    index.search_cases(user, "征地")  # grants are resolved once per user object

    def count(q: str, expected: int) -> int:
        with CaptureQueriesContext(connection) as ctx:
            page = index.search_cases(user, q)
            assert len(page.items) == expected
            [h.case.jurisdiction.name for h in page.items]  # what the API shows needs no more queries
        return len(ctx.captured_queries)

    assert count("招商引资", 1) == count("征地拆迁", 4)


def rows() -> tuple[list, list, list, list]:
    docs = list(CaseDoc.objects.order_by("pk").values_list("pk", "tokens", "length", "facts", "domain", "scope"))
    terms = list(TermStat.objects.filter(corpus=CORPUS_CASES, df__gt=0).order_by("term").values_list("term", "df"))
    marks = list(TermStat.objects.filter(corpus=CORPUS_MARKS, df__gt=0).order_by("term").values_list("term", "df"))
    corpus = list(CorpusStat.objects.filter(corpus=CORPUS_CASES).values_list("docs", "tokens"))
    return docs, terms, marks, corpus


def recount(docs: list, column: int) -> dict[str, int]:
    out: dict[str, int] = {}
    for doc in docs:
        for t in set(doc[column].split()):
            out[t] = out.get(t, 0) + 1
    return out


def test_bulk_rows_equal_the_rows_of_the_per_case_path_and_statistics_stay_true(world: World) -> None:
    cases = [
        new_case(world, "征地拆迁补偿款发放失误", "推进容错纠错机制", domain="征地拆迁"),
        new_case(world, "招商引资项目审批", "简化审批", domain="招商引资"),
        new_case(world, "应急处置物资采购", "疫情防控中临机决断", domain="应急处置"),
    ]
    set_facts(world, cases[0], {"exploratory_reform": True, "lacks_precedent": True}, note="缺乏经验")
    set_facts(world, cases[0], {"lacks_precedent": None})  # changed again: df must go back down
    set_facts(world, cases[2], {"emergency_response": True})
    incremental = rows()
    docs, terms, marks, corpus = incremental
    # the maintained statistics equal a recount from the documents
    assert dict(terms) == recount(docs, 1)
    assert dict(marks) == {m: n for m, n in recount(docs, 5).items() if counted(m)}  # j…, u…, c… marks only
    assert corpus == [(len(docs), sum(d[2] for d in docs))]
    assert all(d[2] == len(d[1].split()) for d in docs)

    store.clear(CORPUS_CASES)
    assert index.bulk_index_cases((c.pk, case_source(c)) for c in cases) == 3
    assert rows() == incremental
    assert index.reindex_all()[CORPUS_CASES] == 3
    assert rows() == incremental
    assert titles(world.handler, "临机决断") == [cases[2].title]


def test_removing_a_case_document(world: World) -> None:
    case = new_case(world, "征地拆迁案件", "拆迁")
    assert index.remove_case(case) is True
    assert titles(world.handler, "拆迁") == []
    assert not TermStat.objects.filter(corpus=CORPUS_CASES, df__gt=0).exists()
    assert CorpusStat.objects.get(corpus=CORPUS_CASES).docs == 0
    assert index.remove_case(case.pk) is False
    assert index.index_case(case) is True and index.index_case(case) is False  # unchanged: nothing written


@pytest.mark.skipif(connection.vendor != "sqlite", reason="FTS5 external-content check (SQLite only)")
def test_fts5_table_stays_in_step_with_the_documents(world: World) -> None:
    case = new_case(world, "征地拆迁案件", "拆迁")
    set_facts(world, case, {"exploratory_reform": True})
    index.remove_case(case)
    index.index_case(case)
    with connection.cursor() as cur:
        cur.execute("INSERT INTO search_case_fts(search_case_fts, rank) VALUES ('integrity-check', 1)")
        cur.execute("SELECT count(*) FROM search_case_fts WHERE search_case_fts MATCH '\"先行先试\"'")
        assert cur.fetchone()[0] == 1


def test_recency_windows_return_the_same_rows_as_one_unbounded_query(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # PostgreSQL asks large matches window by window (backends.PostgresBackend); force it on a small corpus:
    # one id per bucket, no direct queries, a cap of 3, and a poor estimate (the window must grow).
    from rongcuo.search import backends, scope

    monkeypatch.setattr(scope, "BUCKET_BITS", 0)
    monkeypatch.setattr(backends, "BUCKET_BITS", 0)
    cases = [new_case(world, f"征地拆迁案件{i}", "拆迁" if i % 2 else "招商") for i in range(9)]
    new_case(world, "征地拆迁案件（昌宁）", "拆迁", by="outsider")
    unbounded = index.search_cases(world.handler, "拆迁")
    assert len(unbounded.items) == 9 and not unbounded.truncated
    monkeypatch.setattr(backends, "DIRECT", 0)
    monkeypatch.setattr(backends, "SLACK", 1)
    windows: list[int] = []
    inner = backends.PostgresBackend._inner

    def spy(self, ask, buckets, ids_only):  # type: ignore[no-untyped-def]
        windows.append(len(buckets) if buckets is not None else 0)
        return inner(self, ask, buckets, ids_only)

    monkeypatch.setattr(backends.PostgresBackend, "_inner", spy)
    assert [h.case.pk for h in index.search_cases(world.handler, "拆迁").items] == [h.case.pk for h in unbounded.items]
    monkeypatch.setattr(query, "CANDIDATES", 3)
    capped = index.search_cases(world.handler, "拆迁")
    assert capped.truncated and capped.total == 3
    newest_three = sorted((c.pk for c in cases), reverse=True)[:3]
    assert sorted(h.case.pk for h in capped.items) == sorted(newest_three)
    odd = index.search_cases(world.handler, "招商")  # matches only every other case: windows must grow
    assert odd.truncated
    assert sorted(h.case.pk for h in odd.items) == sorted(c.pk for c in cases if c.summary == "招商")[-3:]
    if connection.vendor == "postgresql":
        assert any(windows) and 0 in windows  # windows were asked, and one grew into an unbounded query
