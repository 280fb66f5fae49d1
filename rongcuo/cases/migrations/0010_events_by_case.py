"""The timeline is indexed by case alone instead of (case, verb). Every query of events names one case
(its timeline, or whether it has had a verb: a few dozen rows read from the case's entries), and a
single bigint key deduplicates: 112 MB instead of 391 MB for 13.8 million events (10^6 bench cases),
so each event written touches a smaller index.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0009_documents_as_text'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='caseevent',
            name='cases_casee_case_id_017a6b_idx',
        ),
        migrations.AlterField(
            model_name='caseevent',
            name='case',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='cases.case'),
        ),
    ]
