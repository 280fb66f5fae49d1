"""The public portal, mounted at /public/ by rongcuo/urls.py."""

from django.urls import path

from . import views

app_name = "disclosure"

urlpatterns = [
    path("", views.index, name="index"),
    path("decisions/", views.decisions, name="decisions"),
    path("decisions/<str:public_number>/", views.decision, name="decision"),
    path("typical/", views.typical, name="typical"),
    path("policies/", views.policy_list, name="policies"),
    path("policies/<str:policy_id>/", views.policy_detail, name="policy"),
    path("statistics/", views.statistics, name="statistics"),
]
