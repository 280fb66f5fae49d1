from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "rongcuo.exchange"
    label = "exchange"
    verbose_name = "数据导入导出"
