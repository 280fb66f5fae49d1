"""The evaluator's laws, checked by hypothesis over every shipped policy and the fixture."""

from __future__ import annotations

import contextlib
import itertools
import random

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rongcuo.policy import Library, evaluate, load_policy_file
from rongcuo.policy.batch import OUTCOME_CODES, Columns, evaluate_columns
from rongcuo.policy.errors import PolicyError
from rongcuo.policy.evaluate import run
from rongcuo.policy.expr import FALSE8, TRUE8, UNKNOWN8
from rongcuo.policy.loader import load_policy_text

from .conftest import FIXTURES

VERSIONS = [v for p in Library.default().policies.values() for v in p.versions] + load_policy_file(
    FIXTURES / "demo-county.yaml"
).versions
IDS = [v.ref for v in VERSIONS]
VALUES = st.sampled_from([True, False, None])
MAX_ENUM = 10  # enumerate every completion up to 2**10; sample beyond


def facts_for(version):
    names = list(version.facts_used())
    return st.fixed_dictionaries({n: VALUES for n in names})


def completions(facts: dict, names: list[str], rng: random.Random):
    unknown = [n for n in names if facts.get(n) is None]
    if len(unknown) <= MAX_ENUM:
        for combo in itertools.product([True, False], repeat=len(unknown)):
            yield {**facts, **dict(zip(unknown, combo, strict=True))}
    else:
        for _ in range(400):
            yield {**facts, **{n: rng.random() < 0.5 for n in unknown}}


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("version", VERSIONS, ids=IDS)
@SETTINGS
@given(data=st.data())
def test_determined_means_determined(version, data) -> None:
    facts = data.draw(facts_for(version))
    r = evaluate(version, facts)
    rng = random.Random(0)
    if r.outcome != "undetermined":
        for full in completions(facts, list(version.facts_used()), rng):
            assert run(version, full).outcome == r.outcome, full
        assert r.decisive_facts == []
    elif not _only_the_open_remainder(r):
        assert r.decisive_facts, "undetermined must say what to find out next"


def _only_the_open_remainder(r) -> bool:
    """Undetermined only because of an open list (open_situations, 「等等」): every listed rule is already true or
    false, and what lies outside the list is for the deciding body, so there is no fact left to find out."""
    ev = r.evaluation
    v = ev.version
    return v.open_situations is not None and all(ev.values[n.id] is not None for n in v.all_nodes() if not n.virtual)


@pytest.mark.parametrize("version", VERSIONS, ids=IDS)
@SETTINGS
@given(data=st.data())
def test_decisive_facts_are_sound_and_exact(version, data) -> None:
    facts = data.draw(facts_for(version))
    r = evaluate(version, facts)
    decisive = set(r.decisive_facts)
    names = list(version.facts_used())
    unknown = [n for n in names if facts.get(n) is None]
    rng = random.Random(1)
    others_cache = {}
    for f in unknown:
        changed = False
        others = {k: v for k, v in facts.items() if k != f}
        for full in completions(others, [n for n in names if n != f], rng):
            a = run(version, {**full, f: True}).outcome
            b = run(version, {**full, f: False}).outcome
            if a != b:
                changed = True
                break
        others_cache[f] = changed
        if f not in decisive:
            assert not changed, f"{f} changes the outcome but is not listed as decisive"
        elif len(unknown) <= MAX_ENUM and all(q.influence is not None for q in r.questions):
            assert changed, f"{f} is listed as decisive but can never change the outcome"


@pytest.mark.parametrize("version", VERSIONS, ids=IDS)
@SETTINGS
@given(data=st.data())
def test_exclusions_override_situations(version, data) -> None:
    facts = data.draw(facts_for(version))
    ev = run(version, facts)
    if ev.values["excluded"] is True:
        assert ev.outcome == "not_tolerated"


@pytest.mark.parametrize("version", VERSIONS, ids=IDS)
@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_vectorised_equals_per_case(version, seed) -> None:
    rng = np.random.default_rng(seed)
    names = list(version.facts_used())
    n = 300
    codes = rng.integers(0, 3, size=(n, len(names))).astype(np.int8)
    cols = Columns(n, {name: codes[:, i].copy() for i, name in enumerate(names)})
    out = evaluate_columns(version, cols)
    back = {TRUE8: True, FALSE8: False, UNKNOWN8: None}
    for row in range(n):
        facts = {name: back[codes[row, i]] for i, name in enumerate(names)}
        assert OUTCOME_CODES[out[row]] == run(version, facts).outcome


GOOD = (FIXTURES / "demo-county.yaml").read_text(encoding="utf-8")
YAML_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20) | st.dates(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=300))
def test_loader_only_raises_its_own_error_on_text(text: str) -> None:
    with contextlib.suppress(PolicyError):
        load_policy_text(text, "fuzz.yaml")


@settings(max_examples=200, deadline=None)
@given(value=YAML_VALUES)
def test_loader_only_raises_its_own_error_on_structures(value) -> None:
    with contextlib.suppress(PolicyError):
        load_policy_text(yaml.safe_dump(value, allow_unicode=True), "fuzz.yaml")


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_loader_only_raises_its_own_error_on_mutations(data) -> None:
    doc = yaml.safe_load(GOOD)
    # replace one field somewhere in the document with an arbitrary value
    paths = []

    def walk(node, path):
        paths.append(path)
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, (*path, k))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, (*path, i))

    walk(doc, ())
    path = data.draw(st.sampled_from(paths[1:]))
    target = doc
    for part in path[:-1]:
        target = target[part]
    if data.draw(st.booleans()):
        target[path[-1]] = data.draw(YAML_VALUES)
    elif isinstance(target, dict):
        del target[path[-1]]
    with contextlib.suppress(PolicyError):
        load_policy_text(yaml.safe_dump(doc, allow_unicode=True), "fuzz.yaml")
