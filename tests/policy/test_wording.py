"""Identifiers in readings and notes are put into words for readers; addresses and unknown words are kept."""

from __future__ import annotations

import re

import pytest

from rongcuo.policy import Library
from rongcuo.policy.wording import plain_ids

LIB = Library.default()
IDENT = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")


def _version(pid: str):
    return LIB.policies[pid].versions[-1]


def test_facts_nodes_areas_and_fields_become_words() -> None:
    v = _version("yunnan-changning-2016")
    text = "读作 no_explicit_restriction；x_major_accident 另设 severe_adverse_impact；open_situations，结论 exempt"
    out = plain_ids(text, v)
    assert "no_explicit_restriction" not in out and "“尚无明确限制”" in out
    assert "不予容错情形〔实施意见·容错免责情形（前提）〕" in out  # a node: its group and article
    assert "“造成恶劣影响”" in out  # a local fact: its label
    assert "未尽情形（开放列举）" in out and "“免予问责”" in out


def test_addresses_and_unknown_words_are_left_alone() -> None:
    v = _version("yunnan-changning-2016")
    url = "http://qdubb.cn/html/2016/tiewanfanfu_1023/21644.html"
    assert plain_ids(f"来源 {url} 与 no_such_fact", v) == f"来源 {url} 与 no_such_fact"
    assert plain_ids("", v) == "" and plain_ids(None, v) == ""


@pytest.mark.parametrize("pid", sorted(p for p in LIB.policies))
def test_every_shipped_reading_reads_without_known_identifiers(pid: str) -> None:
    """After wording, what is left of identifiers in a measure's readings are only ones the measure does not
    know (stale names of removed nodes), never a fact or node it has."""
    for v in LIB.policies[pid].versions:
        known = set(v.local_facts) | {n.id for n in v.all_nodes()} | {o.id for o in v.outcomes}
        for r in v.readings:
            left = set(IDENT.findall(re.sub(r"https?://\\S+", "", plain_ids(r.note, v))))
            assert not left & known, (pid, r.ref, left & known)
