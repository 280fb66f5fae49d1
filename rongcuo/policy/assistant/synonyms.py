"""The synonym table: words the shipped measures use for each catalog fact, learnt from their rule nodes.

`build_table(nodes)` reads (text, facts) pairs — a node's article words and the catalog facts its `when`
reads — and attributes each clause of the text to the fact of that node it matches best on the catalog's own
label and question (a node reading one fact gets all its clauses; a fact left without a clause shares the
clauses no fact matched, or else all of them: 「无意过失」 names `intentional` by no catalog word). A word is
kept for a fact when at least 60 % of the clauses it occurs in were attributed to that fact.

Rebuild (from the tuning set only, see bench/bench_assistant.py TUNING):
    .venv/bin/python bench/bench_assistant.py --rebuild-synonyms
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path

import yaml

TABLE_FILE = Path(__file__).with_name("synonyms.yaml")
MIN_SHARE = 0.6
MAX_WEIGHT = 2.0


@cache
def load_table(path: Path = TABLE_FILE) -> dict[str, dict[str, float]]:
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {fid: {str(w): float(x) for w, x in words.items()} for fid, words in (data.get("facts") or {}).items()}


def build_table(nodes: Iterable[tuple[str, tuple[str, ...]]]) -> dict[str, dict[str, float]]:
    from ..catalog import catalog
    from . import segment
    from .suggest import clauses, profiles, rank

    cat = catalog()
    extra = profiles(cat, use_synonyms=False).extra_words
    pair: dict[tuple[str, str], int] = {}  # (fact, word) -> clauses attributed to the fact holding the word
    total: dict[str, int] = {}  # word -> clauses holding it
    for text, facts in nodes:
        facts = tuple(f for f in facts if f in cat.facts)
        if not facts:
            continue
        assigned: dict[str, list[int]] = {f: [] for f in facts}
        parts = clauses(text)
        loose: list[int] = []
        for i, clause in enumerate(parts):
            scores = {s.fact: s.score for s in rank(clause, cat, use_synonyms=False) if s.fact in facts}
            if len(facts) == 1:
                assigned[facts[0]].append(i)
            elif scores:
                assigned[max(facts, key=lambda f: (scores.get(f, 0), -facts.index(f)))].append(i)
            else:
                loose.append(i)
        for f in facts:
            if not assigned[f]:  # a fact no clause names by the catalog's words: the unclaimed clauses, else all
                assigned[f] = loose or list(range(len(parts)))
        words = [segment.words(c, extra) for c in parts]
        for ws in words:
            for w in ws:
                total[w] = total.get(w, 0) + 1
        for fact, idx in assigned.items():
            for i in idx:
                for w in words[i]:
                    pair[(fact, w)] = pair.get((fact, w), 0) + 1
    table: dict[str, dict[str, float]] = {}
    for (fact, word), n in sorted(pair.items()):
        share = n / total[word]
        if share >= MIN_SHARE:
            table.setdefault(fact, {})[word] = round(min(MAX_WEIGHT, share * (1 + n) / 2 * MAX_WEIGHT / 1.5), 2)
    return table


def write_table(table: dict[str, dict[str, float]], sources: list[str], path: Path = TABLE_FILE) -> None:
    header = (
        "# 同义词表：已发布办法条文用词与要件库要件的对应。\n"
        "# 由 bench/bench_assistant.py --rebuild-synonyms 生成，勿手工编辑。\n"
        f"# 来源（调试集）：{', '.join(sources)}\n"
    )
    body = yaml.safe_dump({"sources": sources, "facts": table}, allow_unicode=True, sort_keys=True, width=200)
    path.write_text(header + body, encoding="utf-8")
    load_table.cache_clear()
