from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_append_only")]
    operations = [
        migrations.AddField(model_name="auditcheckpoint", name="frontier", field=models.TextField(default="")),
    ]
