from django.urls import include, path

from .views import auth, cases, documents, starts, workbench

app_name = "web"

urlpatterns = [
    path("", workbench.workbench, name="workbench"),
    path("login/", auth.login_view, name="login"),
    path("login/totp/", auth.login_totp_view, name="login_totp"),
    path("logout/", auth.logout_view, name="logout"),
    path("logout/everywhere/", auth.logout_everywhere_view, name="logout_everywhere"),
    path("account/password/", auth.password_view, name="password"),
    path("account/totp/", auth.totp_setup_view, name="totp_setup"),
    path("cases/", cases.case_list, name="case_list"),
    path("cases/<int:pk>/", cases.case_detail, name="case_detail"),
    path("cases/<int:pk>/act/<str:verb>/", cases.case_action, name="case_action"),
    path("cases/<int:pk>/facts/", cases.set_fact, name="set_fact"),
    path("cases/<int:pk>/attachments/", cases.upload, name="upload"),
    path("cases/<int:pk>/attachments/<int:att>/", cases.download, name="download"),
    path("cases/<int:pk>/interviews/", cases.add_interview, name="add_interview"),
    path("cases/<int:pk>/commission/", cases.commission_post, name="commission"),
    path("cases/<int:pk>/documents/", documents.issue, name="document_issue"),
    path("documents/<int:doc_id>/<str:fmt>/", documents.download, name="document_download"),
    path("documents/bodies/", documents.bodies, name="document_bodies"),
    path("apply/", starts.apply, name="apply"),
    path("matters/", starts.matters, name="matters"),
    path("matters/<int:pk>/proactive/", starts.open_proactive, name="open_proactive"),
    path("prefilings/", starts.prefilings, name="prefilings"),
    path("prefilings/<int:pk>/review/", starts.review_prefiling, name="review_prefiling"),
    # policy library and statistics; administrators' consoles; after the decision; documents and Excel
    path("", include("rongcuo.web.urls_policy")),
    path("", include("rongcuo.web.urls_console")),
    path("", include("rongcuo.web.urls_after")),
    path("", include("rongcuo.web.urls_exchange")),
    path("", include("rongcuo.authoring.urls")),  # 规则起草
]
