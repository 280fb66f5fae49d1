"""「从原文起草」 pages of the drafting workbench (included by rongcuo/urls.py, namespace "drafting_assist")."""

from django.urls import path

from rongcuo.web.views import drafting_assist

app_name = "drafting_assist"

urlpatterns = [
    path("drafting/<int:pk>/assist/", drafting_assist.assist, name="assist"),
    path("drafting/<int:pk>/assist/apply/", drafting_assist.apply, name="apply"),
]
