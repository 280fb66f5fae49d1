"""Search documents, one row per case and per published rendition, and the corpus statistics BM25 needs.

`tokens` holds the segmented text (rongcuo/search/segment.py) joined with spaces. The database's own
full-text index over it is created by migration 0001 and is not a Django field: on SQLite an FTS5
table (`search_case_fts`, `search_public_fts`) kept in step by triggers, on PostgreSQL a generated
`tsv` column with a GIN index. So every way of writing a row (one case, a bulk load) indexes it alike.

The case index and the public library index are separate tables: a public query cannot reach a live
case even by mistake, and the public one holds only the de-identified rendition's text.
"""

from __future__ import annotations

from django.db import models

CORPUS_CASES = "cases"
CORPUS_PUBLIC = "public"
CORPUS_MARKS = "marks"  # document frequencies of the case documents' scope marks (scope.py)
CORPORA = [(CORPUS_CASES, "案件"), (CORPUS_PUBLIC, "公开案例库"), (CORPUS_MARKS, "案件范围标记")]


class CaseDoc(models.Model):
    case = models.OneToOneField("cases.Case", primary_key=True, on_delete=models.CASCADE, related_name="+")
    tokens = models.TextField(help_text="分词结果（空格分隔）")
    length = models.IntegerField(help_text="词数（BM25 文档长度）")
    facts = models.CharField(max_length=1000, blank=True, help_text="认定为“是”的容错情形事实（空格分隔）")
    domain = models.CharField(max_length=32, blank=True)
    scope = models.TextField(blank=True, help_text="范围标记：区划及上级 j…、单位 u…、干部 c…、案件 k…（scope.py）")
    indexed_at = models.DateTimeField(auto_now=True)


class PublicDoc(models.Model):
    # The rendition's id; no foreign key, so the library index does not depend on disclosure's tables.
    rendition_id = models.BigIntegerField(primary_key=True)
    title = models.CharField(max_length=300)
    excerpt = models.CharField(max_length=300, blank=True)
    tokens = models.TextField(help_text="分词结果（空格分隔）")
    length = models.IntegerField(help_text="词数（BM25 文档长度）")
    facts = models.CharField(max_length=1000, blank=True)
    domain = models.CharField(max_length=32, blank=True)
    indexed_at = models.DateTimeField(auto_now=True)


class TermStat(models.Model):
    """Document frequency of a term in one corpus, kept up to date by every index write (BM25's idf).

    Both databases rank with these numbers, so a ranking is the same on SQLite and PostgreSQL."""

    corpus = models.CharField(max_length=8, choices=CORPORA)
    term = models.CharField(max_length=64)
    df = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["corpus", "term"], name="search_term_unique")]


class CorpusStat(models.Model):
    corpus = models.CharField(max_length=8, choices=CORPORA, primary_key=True)
    docs = models.BigIntegerField(default=0)
    tokens = models.BigIntegerField(default=0, help_text="全部文档词数之和（求平均文档长度）")
