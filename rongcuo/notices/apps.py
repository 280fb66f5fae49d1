from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "rongcuo.notices"
    label = "notices"
    verbose_name = "站内信"

    def ready(self) -> None:
        from . import signals

        signals.connect()
