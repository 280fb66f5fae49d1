"""URL patterns of one part of the workbench (included by rongcuo/web/urls.py)."""

urlpatterns: list = []
