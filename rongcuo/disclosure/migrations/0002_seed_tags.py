"""The typical-case tags named in the policies and the glossary (publishers may add more)."""

from django.db import migrations

TAGS = ["征地拆迁", "招商引资", "应急处置", "历史遗留问题", "基层治理", "重大项目", "改革创新", "优化营商环境"]


def seed(apps, schema_editor):
    Tag = apps.get_model("disclosure", "Tag")
    for i, name in enumerate(TAGS):
        Tag.objects.get_or_create(name=name, defaults={"order": (i + 1) * 10})


def unseed(apps, schema_editor):
    apps.get_model("disclosure", "Tag").objects.filter(name__in=TAGS, typical_cases__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("disclosure", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
