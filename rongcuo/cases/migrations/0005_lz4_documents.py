"""PostgreSQL: compress the large JSON documents (a case's pinned procedure and evaluation, a decision's
archived evaluation: 6–20 kB each) with lz4 instead of the default pglz. lz4 compresses several times
faster at a similar ratio, which is most of the cost of writing a case (and of loading many).

A server built without lz4 keeps pglz (the documents are stored the same either way, only the speed
differs); the migration says so. SQLite has no such setting.
"""

from django.db import migrations

COLUMNS = [
    ("cases_case", "procedure"),
    ("cases_case", "evaluation"),
    ("cases_case", "policies"),
    ("cases_decision", "evaluation"),
]


def use_lz4(apps, schema_editor) -> None:
    connection = schema_editor.connection
    if connection.vendor != "postgresql" or connection.pg_version < 140000:
        return
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)"
        )
        if cur.fetchone()[0] == 0:
            print("\n  cases.0005: this PostgreSQL has no lz4; the case documents stay compressed with pglz")
            return
        for table, column in COLUMNS:
            cur.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" SET COMPRESSION lz4')


def use_pglz(apps, schema_editor) -> None:
    connection = schema_editor.connection
    if connection.vendor != "postgresql" or connection.pg_version < 140000:
        return
    with connection.cursor() as cur:
        for table, column in COLUMNS:
            cur.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" SET COMPRESSION pglz')


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_lean_indexes"),
    ]

    operations = [migrations.RunPython(use_lz4, use_pglz)]
