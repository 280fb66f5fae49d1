"""规则起草 pages (included by rongcuo/web/urls.py, namespace "web")."""

from django.urls import path

from rongcuo.web.views import drafting

urlpatterns = [
    path("drafting/", drafting.draft_list, name="drafting"),
    path("drafting/new/", drafting.start, name="drafting_start"),
    path("drafting/<int:pk>/", drafting.editor, name="drafting_editor"),
    path("drafting/<int:pk>/edit/<slug:verb>/", drafting.edit, name="drafting_edit"),
    path("drafting/<int:pk>/export/<slug:part>/", drafting.export, name="drafting_export"),
    path("drafting/<int:pk>/compare/<slug:which>/", drafting.compare, name="drafting_compare"),
    path("drafting/<int:pk>/parent/", drafting.parent_review, name="drafting_parent"),
]
