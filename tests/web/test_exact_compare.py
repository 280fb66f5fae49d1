"""The exact comparison on the diff page, the matrix page of every pair, and 「规则校验」 on a policy's page.

What the pages say is checked against brute force (evaluate.run on every fact pattern of a pair of shipped
measures with few facts) and against the solver's finding on a measure written for the test that opts
out of a red line, not against the library's own output.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections import Counter
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pyotp
import pytest
from django.template.loader import render_to_string
from django.test import Client

from rongcuo import policy_exact
from rongcuo.accounts import totp
from rongcuo.core import crypto
from rongcuo.policy import Library, PolicyVersion
from rongcuo.policy.catalog import OUTCOME_LABELS, catalog
from rongcuo.policy.evaluate import run
from rongcuo.policy.loader import load_policy_text
from rongcuo.policy.verify import Finding, verify_version
from rongcuo.web.views import library
from tests.api import test_policy_exact_api as api_tests

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

A, B = "guizhou-tongren", "yunnan-dali-2019"
ON = dt.date(2024, 6, 1)
VALUES = (True, False, None)
WORDS = {True: "是", False: "否", None: "未查明"}

# the measure files of the API tests: one opting out of a red line, one holding to all of them
OPT_OUT, CLEAN = api_tests.OPT_OUT, api_tests.CLEAN


def signed_in(user) -> Client:
    c = Client()
    if totp.needs_second_factor(user):
        totp.start_enrolment(user)
        user.totp_enabled = True
        user.save()
    r = c.post("/login/", {"username": user.username, "password": PASSWORD})
    if r.status_code == 302 and r["Location"].startswith("/login/totp"):
        code = pyotp.TOTP(crypto.decrypt(user.totp_secret_enc)).now()
        r = c.post("/login/totp/", {"code": code})
    assert r.status_code == 302, r.content[:300]
    return c


def no_external_urls(page: str) -> None:
    assert not re.search(r"""(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?//""", page, re.I), "external URL in page"


def text_of(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", html))


def label(v: PolicyVersion, point: dict[str, Any]) -> str:
    return run(v, {f: x for f, x in point.items() if f in v.known_fact_ids()}).outcome


def fact_label(fid: str, a: PolicyVersion, b: PolicyVersion) -> str:
    f = catalog().facts.get(fid) or a.local_facts.get(fid) or b.local_facts.get(fid)
    assert f is not None, fid
    return f.label


def condition(facts: dict[str, list], a: PolicyVersion, b: PolicyVersion) -> str:
    """The condition of a region as the page must word it (written here independently of the view)."""
    parts = []
    for fid, values in facts.items():
        name = fact_label(fid, a, b)
        if set(values) == {True, False}:
            parts.append(f"{name}已查明")
        else:
            parts.append(f"{name}={'或'.join(WORDS[x] for x in values)}")
    return "、".join(parts)


@pytest.fixture(scope="module")
def pair() -> tuple[PolicyVersion, PolicyVersion, list[str], dict[tuple, tuple[str, str]]]:
    """The two versions, the facts either reads, and every differing pattern → (outcome A, outcome B)."""
    lib = Library.default()
    a, b = lib.get(A).version_on(ON), lib.get(B).version_on(ON)
    facts = sorted(set(a.facts_used()) | set(b.facts_used()))
    assert len(facts) <= 11, "pick two measures reading fewer facts"
    differing = {}
    for values in itertools.product(VALUES, repeat=len(facts)):
        point = dict(zip(facts, values, strict=True))
        x, y = label(a, point), label(b, point)
        if x != y:
            differing[values] = (x, y)
    return a, b, facts, differing


def diff_url(a: PolicyVersion, b: PolicyVersion, **extra: str) -> str:
    query = "&".join(f"{k}={v}" for k, v in extra.items())
    return f"/policies/diff/?a={a.policy.id}@{a.version}&b={b.policy.id}@{b.version}" + (f"&{query}" if query else "")


def test_diff_page_totals_and_summary_match_brute_force(world, pair) -> None:
    a, b, facts, differing = pair
    r = signed_in(world.handler).get(diff_url(a, b))
    assert r.status_code == 200
    page = r.content.decode()
    no_external_urls(page)
    assert "精确比较：结论不同的全部情形" in page
    total = 3 ** len(facts)
    k = r.context["exact"]["region_count"]
    totals = (
        f"共 {total:,} 种事实组合，结论不同 {len(differing):,} 种，占 {len(differing) / total:.2%}，分为 {k} 个区域。"
    )
    assert totals in text_of(page)
    # the summary table: one row per (A outcome, B outcome) with brute force's count, both-determined first
    table = page[page.index('<table class="list exact-pairs">') : page.index("</table>", page.index("exact-pairs"))]
    rows = re.findall(r"<tr class=\"(pair-\w+)\">(.*?)</tr>", table, re.S)
    by_pair = Counter(differing.values())
    assert len(rows) == len(by_pair)
    seen = {}
    for cls, row in rows:
        cells = [text_of(c).strip() for c in re.findall(r"<td>(.*?)</td>", row, re.S)]
        la, lb = cells[0], cells[1].replace("均已确定、结论不同", "").strip()
        seen[(la, lb)] = int(cells[2].replace(",", ""))
        assert (cls == "pair-both") == ("待定" not in (la, lb))
    assert seen == {(OUTCOME_LABELS[x], OUTCOME_LABELS[y]): n for (x, y), n in by_pair.items()}
    kinds = [cls for cls, _ in rows]
    assert kinds == sorted(kinds)  # pair-both before pair-open


def test_diff_page_regions_are_right(world, pair) -> None:
    a, b, facts, differing = pair
    c = signed_in(world.handler)
    r = c.get(diff_url(a, b))
    comparison = policy_exact.comparison(a, b)  # the object the page showed (kept per process)
    k = len(comparison.regions)
    assert k > library.EXACT_SHOWN, "the pair should have more regions than are shown at first"
    page = r.content.decode()
    items = re.findall(r'<li class="region( both)?" value="(\d+)">(.*?)</li>', page, re.S)
    assert len(items) == library.EXACT_SHOWN
    assert f"显示全部 {k} 个区域" in page and "all=1" in page

    r_all = c.get(diff_url(a, b, all="1"))
    page_all = r_all.content.decode()
    items_all = re.findall(r'<li class="region( both)?" value="(\d+)">(.*?)</li>', page_all, re.S)
    assert len(items_all) == k and "all=1" not in page_all and f"已显示全部 {k} 个区域" in page_all
    assert [int(n) for _, n, _ in items_all] == list(range(1, k + 1))

    pa, pb = a.policy.jurisdiction_name, b.policy.jurisdiction_name
    covered = 0
    for (both, _, html), region in zip(items_all, comparison.regions, strict=True):
        text = " ".join(text_of(html).split())
        # the condition in fact labels, never raw ids
        assert f"当 {condition(region.facts, a, b)} 时（{region.count:,} 种）" in text
        assert not any(re.search(rf"\b{re.escape(fid)}\b", text) for fid in facts), text
        # the stated outcomes are what evaluate.run gives at every point of the region
        allowed = [region.facts.get(f, list(VALUES)) for f in facts]
        outcomes = {differing.get(p) for p in itertools.product(*allowed)}
        assert len(outcomes) == 1 and None not in outcomes, "a region must lie inside the differing patterns"
        x, y = outcomes.pop()
        assert f"{pa}{OUTCOME_LABELS[x]}" in text and f"；{pb}{OUTCOME_LABELS[y]}" in text
        if x == "undetermined":
            assert f"{pa}待定（尚需查明：" in text
        if y == "undetermined":
            assert f"{pb}待定（尚需查明：" in text
        assert bool(both) == ("undetermined" not in (x, y))
        covered += region.count
    assert covered == len(differing)
    # both-determined disagreements are listed first and marked
    flags = [bool(both) for both, _, _ in items_all]
    assert any(flags) and flags == sorted(flags, reverse=True)
    assert '<span class="badge both">均已确定、结论不同</span>' in page_all


def test_diff_page_same_version_has_no_differing_pattern(world) -> None:
    page = signed_in(world.handler).get("/policies/diff/?a=jiangsu-2017@2017&b=jiangsu-2017@2017").content.decode()
    assert "两者在任何事实组合下结论相同" in page and '<li class="region' not in page


def test_matrix_page(world, pair) -> None:
    a, b, facts, differing = pair
    c = signed_in(world.handler)
    assert 'href="/policies/matrix/"' in c.get("/policies/").content.decode()
    r = c.get("/policies/matrix/?on=2024-06-01")
    assert r.status_code == 200
    page = r.content.decode()
    no_external_urls(page)
    assert "各地办法两两比较" in page
    lib = Library.default()
    in_force = [pid for pid in lib.ids() if any(v.in_force_on(ON) for v in lib.policies[pid].versions)]
    rows = r.context["rows"]
    assert [row["v"].policy.id for row in rows] == in_force
    for i, row in enumerate(rows):
        assert len(row["cells"]) == len(rows) and row["cells"][i] is None
    # the brute-forced pair: its share, both ways round, each cell linking to the diff page of the pair
    i, j = in_force.index(A), in_force.index(B)
    share = f"{len(differing) / 3 ** len(facts):.2%}"
    for x, y, cell in ((a, b, rows[i]["cells"][j]), (b, a, rows[j]["cells"][i])):
        assert cell["percent"] == share
        spec_x, spec_y = quote(f"{x.policy.id}@{x.version}"), quote(f"{y.policy.id}@{y.version}")
        link = f'href="/policies/diff/?a={spec_x}&amp;b={spec_y}#exact-h"'
        assert link in page
    assert len(re.findall(r'<td class="cell s\d"><a href="/policies/diff/', page)) == len(rows) * (len(rows) - 1)
    # following a cell's link shows that pair's exact comparison
    diff = c.get(f"/policies/diff/?a={A}@{a.version}&b={B}@{b.version}")
    assert f"结论不同 {len(differing):,} 种，占 {share}" in text_of(diff.content.decode())


def test_matrix_page_dates(world) -> None:
    c = signed_in(world.handler)
    assert Client().get("/policies/matrix/").status_code == 302
    page = c.get("/policies/matrix/?on=yesterday").content.decode()
    assert "日期格式应为 年-月-日" in page
    page = c.get("/policies/matrix/?on=1900-01-01").content.decode()
    assert "所选日期没有有效的办法" in page and "未参与比较" in page


def _with(monkeypatch, tmp_path: Path, text: str) -> PolicyVersion:
    path = tmp_path / "demo-optout.yaml"
    path.write_text(text, encoding="utf-8")
    policy = load_policy_text(path.read_text(encoding="utf-8"), str(path), path)
    lib = Library([*Library.default().policies.values(), policy])
    monkeypatch.setattr(library, "effective_library", lambda: lib)
    return policy.latest()


def test_detail_page_shows_the_red_line_finding(world, monkeypatch, tmp_path: Path) -> None:
    v = _with(monkeypatch, tmp_path, OPT_OUT)
    found = [f for f in verify_version(v) if f.code == "weaker-than-base"]
    assert len(found) == 1 and found[0].witness is not None
    witness = found[0].witness
    assert witness["private_gain"] is True
    assert run(v, {k: x for k, x in witness.items() if k in v.known_fact_ids()}).outcome == "exempt"

    r = signed_in(world.handler).get("/policies/demo-optout/")
    assert r.status_code == 200
    page = r.content.decode()
    section = text_of(page[page.index('<section aria-labelledby="verify-h"') :].split("</section>", 1)[0])
    assert "规则校验" in section and "错误" in section and "宽于共同红线" in section
    assert "经求解器校验，未发现问题" not in section
    witness_line = next(line.strip() for line in section.splitlines() if line.strip().startswith("反例："))
    assert "谋取私利=是" in witness_line and "private_gain" not in witness_line
    # every fact the witness fixes is named by its label with its value
    for fid, value in witness.items():
        if value is not None:
            assert f"{catalog().facts[fid].label}={WORDS[value]}" in witness_line


def test_detail_page_of_a_clean_measure(world, monkeypatch, tmp_path: Path) -> None:
    v = _with(monkeypatch, tmp_path, CLEAN)
    assert verify_version(v) == []
    page = signed_in(world.handler).get("/policies/demo-optout/").content.decode()
    assert "规则校验" in page and "经求解器校验，未发现问题" in page and '<li class="finding' not in page


def test_verify_section_renders_each_severity() -> None:
    findings = [
        Finding("warning", "dead-rule", "规则 c_x（第一条）从不影响结论", "p", "1", "c_x"),
        Finding(
            "error",
            "weaker-than-base",
            "共同红线不予容错，本办法却给出免予问责：宽于共同红线",
            "p",
            "1",
            None,
            {"private_gain": True},
            "谋取私利=是，其余未查明",
        ),
    ]
    ctx = library.verify_section(findings)
    assert ctx["finding_errors"] == 1 and ctx["finding_warnings"] == 1
    assert [f["severity_label"] for f in ctx["findings"]] == ["错误", "警告"]  # errors first
    html = render_to_string("web/library/_verify.html", ctx)
    text = text_of(html)
    assert "发现 1 项错误、1 项警告" in text
    assert "错误" in text and "警告" in text and "宽于共同红线" in text and "规则从不影响结论" in text
    assert "反例：谋取私利=是，其余未查明" in text
    assert text.index("宽于共同红线") < text.index("规则从不影响结论")
    assert "经求解器校验，未发现问题" in text_of(
        render_to_string("web/library/_verify.html", library.verify_section([]))
    )
