from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "rongcuo.outcomes"
    label = "outcomes"
    verbose_name = "结果运用、纠错整改与澄清正名"
