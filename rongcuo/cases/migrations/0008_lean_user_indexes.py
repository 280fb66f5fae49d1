"""No index on who recorded a case's rows (created_by, set_by, recorded_by, actor, decided_by, submitted_by)
nor on its pinned procedure: no query looks rows up by them (accounts are deactivated, never deleted, and
a pinned procedure is never deleted), and each index cost every write, one for every timeline event.
Removing them saves a sixth of the timeline's index upkeep; the foreign keys themselves stay."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0007_procedure_pins'),
        ('procedure', '0003_pinned_procedures'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='appeal',
            name='submitted_by',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='case',
            name='created_by',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='case',
            name='procedure_pin',
            field=models.ForeignKey(blank=True, db_column='procedure_digest', db_index=False, help_text='办案程序（立案时固定；同一程序只存一份）', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='procedure.pinnedprocedure'),
        ),
        migrations.AlterField(
            model_name='caseevent',
            name='actor',
            field=models.ForeignKey(db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='decision',
            name='decided_by',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='factvalue',
            name='set_by',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='interview',
            name='recorded_by',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
    ]
