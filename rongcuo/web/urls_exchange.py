"""Excel import and export pages (included by rongcuo/web/urls.py)."""

from django.urls import path

from .views import exchange

urlpatterns = [
    path("exchange/", exchange.index, name="exchange"),
    path("exchange/import/", exchange.upload, name="exchange_import"),
    path("exchange/import/confirm/", exchange.confirm, name="exchange_confirm"),
    path("exchange/template/", exchange.template, name="exchange_template"),
    path("exchange/export/cases/", exchange.export_cases, name="export_cases"),
    path("exchange/export/stats/", exchange.export_stats, name="export_stats"),
    path("exchange/export/standing/", exchange.export_standing, name="export_standing"),
]
