"""政策库 and 统计 pages of the workbench (included by rongcuo/web/urls.py, namespace "web")."""

from django.urls import path

from .views import dashboard, library

urlpatterns = [
    path("policies/", library.policy_list, name="policies"),
    # fixed paths before "<policy_id>/", so that they are matched first
    path("policies/compare/", library.compare, name="policy_compare"),
    path("policies/diff/", library.diff, name="policy_diff"),
    path("policies/matrix/", library.policy_matrix, name="policy_matrix"),
    path("policies/<slug:policy_id>/", library.policy_detail, name="policy_detail"),
    path("stats/", dashboard.dashboard, name="stats"),
]
