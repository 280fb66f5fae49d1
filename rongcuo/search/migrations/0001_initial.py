"""Search documents and statistics, then each database's own full-text index over them.

SQLite: an external-content FTS5 table per corpus (`tokenize='unicode61'`: the text is already
segmented, and `trigram` could not find two-character words) over `tokens` (and, for cases, `scope`,
the scope marks), with triggers that keep it in step with the document table. NB: Django rebuilds a
SQLite table to alter it, which drops its triggers; a later migration that alters CaseDoc or PublicDoc
must run `fts_sql()` again.
PostgreSQL: stored generated tsvector columns (`to_tsvector('simple', tokens)`, and `scope_tsv` for
cases) with one GIN index over them (a multicolumn GIN index serves a condition on either or both).
"""

import django.db.models.deletion
from django.db import migrations, models

# (document table, primary key column, FTS5 table, GIN index name, indexed columns: the text, then scope marks)
TABLES = [
    ("search_casedoc", "case_id", "search_case_fts", "search_casedoc_tsv", ["tokens", "scope"]),
    ("search_publicdoc", "rendition_id", "search_public_fts", "search_publicdoc_tsv", ["tokens"]),
]
TSV = {"tokens": "tsv", "scope": "scope_tsv"}


def _sqlite(table: str, pk: str, fts: str, cols: list[str]) -> list[str]:
    names = ", ".join(cols)
    new = ", ".join(f"new.{c}" for c in cols)
    old = ", ".join(f"old.{c}" for c in cols)
    delete = f"INSERT INTO {fts}({fts}, rowid, {names}) VALUES ('delete', old.{pk}, {old});"
    insert = f"INSERT INTO {fts}(rowid, {names}) VALUES (new.{pk}, {new});"
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5({names}, content='{table}', content_rowid='{pk}', "
        "tokenize='unicode61 remove_diacritics 0')",
        f"CREATE TRIGGER {table}_ai AFTER INSERT ON {table} BEGIN {insert} END",
        f"CREATE TRIGGER {table}_ad AFTER DELETE ON {table} BEGIN {delete} END",
        f"CREATE TRIGGER {table}_au AFTER UPDATE ON {table} BEGIN {delete} {insert} END",
    ]


def _postgresql(table: str, gin: str, cols: list[str]) -> list[str]:
    out = [
        f"ALTER TABLE {table} ADD COLUMN {TSV[c]} tsvector "
        f"GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, {c})) STORED"
        for c in cols
    ]
    out.append(f"CREATE INDEX {gin} ON {table} USING gin ({', '.join(TSV[c] for c in cols)})")
    return out


def fts_sql(vendor: str) -> list[str]:
    out = []
    for table, pk, fts, gin, cols in TABLES:
        if vendor == "sqlite":
            out += _sqlite(table, pk, fts, cols)
        elif vendor == "postgresql":
            out += _postgresql(table, gin, cols)
        else:
            raise RuntimeError(f"全文检索不支持数据库 {vendor}（仅支持 SQLite 与 PostgreSQL）")
    return out


def drop_sql(vendor: str) -> list[str]:
    out = []
    for table, _pk, fts, gin, cols in TABLES:
        if vendor == "sqlite":
            out += [f"DROP TRIGGER IF EXISTS {table}_{t}" for t in ("ai", "ad", "au")]
            out.append(f"DROP TABLE IF EXISTS {fts}")
        else:
            out.append(f"DROP INDEX IF EXISTS {gin}")
            out += [f"ALTER TABLE {table} DROP COLUMN IF EXISTS {TSV[c]}" for c in cols]
    return out


def create_fulltext(apps, schema_editor) -> None:
    for sql in fts_sql(schema_editor.connection.vendor):
        schema_editor.execute(sql, params=None)


def drop_fulltext(apps, schema_editor) -> None:
    for sql in drop_sql(schema_editor.connection.vendor):
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("cases", "0002_decision_form"),
    ]

    operations = [
        migrations.CreateModel(
            name="CaseDoc",
            fields=[
                (
                    "case",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="cases.case",
                    ),
                ),
                ("tokens", models.TextField(help_text="分词结果（空格分隔）")),
                ("length", models.IntegerField(help_text="词数（BM25 文档长度）")),
                (
                    "facts",
                    models.CharField(blank=True, help_text="认定为“是”的容错情形事实（空格分隔）", max_length=1000),
                ),
                ("domain", models.CharField(blank=True, max_length=32)),
                (
                    "scope",
                    models.TextField(
                        blank=True, help_text="范围标记：区划及上级 j…、单位 u…、干部 c…、案件 k…（scope.py）"
                    ),
                ),
                ("indexed_at", models.DateTimeField(auto_now=True)),
            ],
        ),
        migrations.CreateModel(
            name="CorpusStat",
            fields=[
                (
                    "corpus",
                    models.CharField(
                        choices=[("cases", "案件"), ("public", "公开案例库")],
                        max_length=8,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("docs", models.BigIntegerField(default=0)),
                ("tokens", models.BigIntegerField(default=0, help_text="全部文档词数之和（求平均文档长度）")),
            ],
        ),
        migrations.CreateModel(
            name="PublicDoc",
            fields=[
                ("rendition_id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("title", models.CharField(max_length=300)),
                ("excerpt", models.CharField(blank=True, max_length=300)),
                ("tokens", models.TextField(help_text="分词结果（空格分隔）")),
                ("length", models.IntegerField(help_text="词数（BM25 文档长度）")),
                ("facts", models.CharField(blank=True, max_length=1000)),
                ("domain", models.CharField(blank=True, max_length=32)),
                ("indexed_at", models.DateTimeField(auto_now=True)),
            ],
        ),
        migrations.CreateModel(
            name="TermStat",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("corpus", models.CharField(choices=[("cases", "案件"), ("public", "公开案例库")], max_length=8)),
                ("term", models.CharField(max_length=64)),
                ("df", models.IntegerField(default=0)),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("corpus", "term"), name="search_term_unique")],
            },
        ),
        migrations.RunPython(create_fulltext, drop_fulltext),
    ]
