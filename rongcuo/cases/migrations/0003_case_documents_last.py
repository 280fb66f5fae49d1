"""Move the case's large JSON documents (pinned procedure, pinned policies, latest evaluation: 20–30 kB a
case) to the end of the row.

SQLite stores a row's columns in order and spills a large row onto overflow pages: every column after
the documents (outcome, stage due date, jurisdiction, unit …) then costs a walk through 5–8 overflow pages,
so a scoped case list read ~8 pages per candidate row. With the documents last, list and filter columns
sit in the row's first page. (PostgreSQL keeps such values out of line in TOAST either way.)

The columns are added anew at the end, filled, the old ones dropped, and the new ones renamed.
"""

from django.db import migrations, models
from django.db.models import F

DOCUMENTS = {
    "procedure": (dict, "办案程序（立案时固定）"),
    "policies": (list, "适用政策及版本（立案时固定，最基层在前）"),
    "evaluation": (list, "最新一次规则评估（每项适用政策一条）"),
}


def copy_forward(apps, schema_editor) -> None:
    Case = apps.get_model("cases", "Case")
    Case.objects.update(**{f"{name}_last": F(name) for name in DOCUMENTS})


def copy_backward(apps, schema_editor) -> None:
    Case = apps.get_model("cases", "Case")
    Case.objects.update(**{name: F(f"{name}_last") for name in DOCUMENTS})


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0002_decision_form"),
    ]

    operations = [
        *(
            migrations.AddField(
                model_name="case",
                name=f"{name}_last",
                field=models.JSONField(default=default, help_text=text),
            )
            for name, (default, text) in DOCUMENTS.items()
        ),
        migrations.RunPython(copy_forward, copy_backward),
        *(migrations.RemoveField(model_name="case", name=name) for name in DOCUMENTS),
        *(migrations.RenameField(model_name="case", old_name=f"{name}_last", new_name=name) for name in DOCUMENTS),
    ]
