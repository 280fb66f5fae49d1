"""Each case's pinned procedure moves from a 6 kB JSON copy in the row to a reference to the procedure
stored once (procedure.PinnedProcedure, content-addressed by SHA-256 of the canonical JSON)."""

import hashlib
import json

from django.db import migrations, models
from django.db.models import deletion

CHUNK = 2000


def digest_of(body) -> str:  # as rongcuo.procedure.pinning.digest_of, frozen here
    canonical = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def to_pins(apps, schema_editor) -> None:
    Case = apps.get_model("cases", "Case")
    Pinned = apps.get_model("procedure", "PinnedProcedure")
    known = set(Pinned.objects.values_list("digest", flat=True))
    changed = []
    for case in Case.objects.only("id", "procedure").order_by("id").iterator(chunk_size=CHUNK):
        if not case.procedure:
            continue
        key = digest_of(case.procedure)
        if key not in known:
            Pinned.objects.create(digest=key, body=case.procedure)
            known.add(key)
        case.procedure_pin_id = key
        changed.append(case)
        if len(changed) == CHUNK:
            Case.objects.bulk_update(changed, ["procedure_pin"])
            changed = []
    Case.objects.bulk_update(changed, ["procedure_pin"])


def to_copies(apps, schema_editor) -> None:
    Case = apps.get_model("cases", "Case")
    Pinned = apps.get_model("procedure", "PinnedProcedure")
    bodies = dict(Pinned.objects.values_list("digest", "body"))
    changed = []
    for case in Case.objects.only("id", "procedure_pin").order_by("id").iterator(chunk_size=CHUNK):
        case.procedure = bodies.get(case.procedure_pin_id, {})
        changed.append(case)
        if len(changed) == CHUNK:
            Case.objects.bulk_update(changed, ["procedure"])
            changed = []
    Case.objects.bulk_update(changed, ["procedure"])


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_scope_indexes"),
        ("procedure", "0003_pinned_procedures"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="procedure_pin",
            field=models.ForeignKey(
                blank=True,
                db_column="procedure_digest",
                help_text="办案程序（立案时固定；同一程序只存一份）",
                null=True,
                on_delete=deletion.PROTECT,
                related_name="+",
                to="procedure.pinnedprocedure",
            ),
        ),
        migrations.RunPython(to_pins, to_copies),
        migrations.RemoveField(model_name="case", name="procedure"),
    ]
