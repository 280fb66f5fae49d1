"""A case's evaluation and pinned policies, a decision's archived evaluation and a timeline event's data
become `DocumentField`s: JSON stored as text on PostgreSQL instead of jsonb (see rongcuo/core/fields.py).
Nothing queries inside them; jsonb parsed each on write (a third of PostgreSQL's CPU when writing cases)
and printed it back on read.

Changing a column's type resets its compression on PostgreSQL, so the large documents get lz4 again
(as in 0005) where the server has it.
"""

from django.db import migrations

import rongcuo.core.fields

LZ4_COLUMNS = [
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
            return  # 0005 has said so already
        for table, column in LZ4_COLUMNS:
            cur.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" SET COMPRESSION lz4')


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0008_lean_user_indexes'),
    ]

    operations = [
        migrations.AlterField(
            model_name='case',
            name='evaluation',
            field=rongcuo.core.fields.DocumentField(default=list, help_text='最新一次规则评估（每项适用政策一条）'),
        ),
        migrations.AlterField(
            model_name='case',
            name='policies',
            field=rongcuo.core.fields.DocumentField(default=list, help_text='适用政策及版本（立案时固定，最基层在前）'),
        ),
        migrations.AlterField(
            model_name='caseevent',
            name='data',
            field=rongcuo.core.fields.DocumentField(default=dict),
        ),
        migrations.AlterField(
            model_name='decision',
            name='evaluation',
            field=rongcuo.core.fields.DocumentField(default=dict, help_text='作出决定时的规则评估（存档）'),
        ),
        migrations.RunPython(use_lz4, migrations.RunPython.noop),
    ]
