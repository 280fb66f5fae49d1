from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "rongcuo.stats"
    label = "stats"
    verbose_name = "统计"
