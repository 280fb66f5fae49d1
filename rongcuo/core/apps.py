from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "rongcuo.core"
    label = "core"
    verbose_name = "公共"
