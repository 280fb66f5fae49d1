"""After-decision pages (included by rongcuo/web/urls.py): correction plans, reports and clarifications,
publication review, the result-use standing query, and consultation drafts."""

from django.urls import path

from .views import clarify, consult, correction, publication, standing

urlpatterns = [
    # 纠错整改
    path("cases/<int:pk>/correction/", correction.plan_page, name="correction"),
    path("cases/<int:pk>/correction/<str:verb>/", correction.plan_action, name="correction_action"),
    # 检举控告、澄清正名
    path("reports/", clarify.reports, name="reports"),
    path("reports/<int:pk>/", clarify.report, name="report"),
    path("reports/<int:pk>/conclude/", clarify.conclude, name="report_conclude"),
    path("reports/<int:pk>/clarify/", clarify.clarify, name="report_clarify"),
    path("reports/<int:pk>/refer/", clarify.refer, name="report_refer"),
    # 公开审核与典型案例
    path("publication/", publication.index, name="publication"),
    path("publication/cases/<int:case_pk>/generate/", publication.generate, name="publication_generate"),
    path("publication/<int:pk>/", publication.rendition, name="rendition"),
    path("publication/<int:pk>/edit/", publication.edit, name="rendition_edit"),
    path("publication/<int:pk>/scan/", publication.scan, name="rendition_scan"),
    path("publication/<int:pk>/approve/", publication.approve, name="rendition_approve"),
    path("publication/<int:pk>/withdraw/", publication.withdraw, name="rendition_withdraw"),
    path("publication/<int:pk>/typical/", publication.curate, name="rendition_typical"),
    path("publication/<int:pk>/typical/remove/", publication.uncurate, name="rendition_uncurate"),
    # 结果运用查询
    path("standing/", standing.standing, name="standing"),
    path("standing/print/", standing.standing_print, name="standing_print"),
    # 意见征集
    path("consultation/", consult.drafts, name="consult"),
    path("consultation/new/", consult.new_draft, name="consult_new"),
    path("consultation/<int:pk>/", consult.draft_page, name="consult_draft"),
    path("consultation/<int:pk>/edit/", consult.edit_draft, name="consult_edit"),
    path("consultation/<int:pk>/publish/", consult.publish, name="consult_publish"),
    path("consultation/<int:pk>/close/", consult.close, name="consult_close"),
    path("consultation/<int:pk>/adopt/", consult.adopt, name="consult_adopt"),
    path("consultation/<int:pk>/export/<str:fmt>/", consult.export_draft, name="consult_export"),
]
