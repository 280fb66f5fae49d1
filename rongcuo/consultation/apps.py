from django.apps import AppConfig


class ConsultationConfig(AppConfig):
    name = "rongcuo.consultation"
    label = "consultation"
    verbose_name = "意见征集"

    def ready(self) -> None:
        from . import library  # noqa: F401  (connects the cache invalidation on adoption)
