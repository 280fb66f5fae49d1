from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    name = "rongcuo.disclosure"
    label = "disclosure"
    verbose_name = "公开与典型案例"
