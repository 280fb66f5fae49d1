"""Scope marks gain the block of ids (w<id >> 12>, and j<code>w<id >> 12> per jurisdiction below the root),
PostgreSQL's recency window (backends.py), and the marks' document counts are kept (corpus "marks").

Case documents written before carry neither: their marks are completed here from what they hold (the
jurisdiction marks and the case id), and the counts recomputed, so no reindex is needed. The block size
is frozen at 4096 here, whatever scope.BUCKET_BITS later becomes.
"""

from collections import Counter

from django.db import migrations, models

BUCKET_BITS = 12
CHUNK = 2000


def complete_marks(apps, schema_editor) -> None:
    CaseDoc = apps.get_model("search", "CaseDoc")
    TermStat = apps.get_model("search", "TermStat")
    counts: Counter[str] = Counter()
    changed = []
    for doc in CaseDoc.objects.only("case_id", "scope").order_by("case_id").iterator(chunk_size=CHUNK):
        marks = doc.scope.split()
        if not any(m.startswith("w") for m in marks):
            codes = [m[1:] for m in marks if m.startswith("j")]
            bucket = doc.case_id >> BUCKET_BITS
            marks += [f"w{bucket}", *(f"j{code}w{bucket}" for code in codes[1:])]
            doc.scope = " ".join(marks)
            changed.append(doc)
            if len(changed) == CHUNK:
                CaseDoc.objects.bulk_update(changed, ["scope"])
                changed = []
        counts.update({m for m in marks if m[0] in "juc" and "w" not in m})  # as scope.counted
    CaseDoc.objects.bulk_update(changed, ["scope"])
    TermStat.objects.filter(corpus="marks").delete()
    TermStat.objects.bulk_create(
        [TermStat(corpus="marks", term=term, df=df) for term, df in sorted(counts.items())], batch_size=CHUNK
    )


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="corpusstat",
            name="corpus",
            field=models.CharField(
                choices=[("cases", "案件"), ("public", "公开案例库"), ("marks", "案件范围标记")],
                max_length=8,
                primary_key=True,
                serialize=False,
            ),
        ),
        migrations.AlterField(
            model_name="termstat",
            name="corpus",
            field=models.CharField(
                choices=[("cases", "案件"), ("public", "公开案例库"), ("marks", "案件范围标记")], max_length=8
            ),
        ),
        migrations.RunPython(complete_marks, migrations.RunPython.noop),
    ]
