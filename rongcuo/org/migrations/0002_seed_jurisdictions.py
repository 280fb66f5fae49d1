from django.db import migrations


def seed(apps, schema_editor):
    from rongcuo.org.seed import seed_jurisdictions

    seed_jurisdictions(apps.get_model("org", "Jurisdiction"))


class Migration(migrations.Migration):
    dependencies = [("org", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
