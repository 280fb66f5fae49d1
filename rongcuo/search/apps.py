from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "rongcuo.search"
    label = "search"
    verbose_name = "全文检索与类案推送"

    def ready(self) -> None:
        from .receivers import connect

        connect()
