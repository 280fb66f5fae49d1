from django.apps import AppConfig


class ConsultationConfig(AppConfig):
    name = "rongcuo.consultation"
    label = "consultation"
    verbose_name = "意见征集"
