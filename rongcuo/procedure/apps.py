from django.apps import AppConfig


class ProcedureConfig(AppConfig):
    name = "rongcuo.procedure"
    label = "procedure"
    verbose_name = "办案程序与期限"
