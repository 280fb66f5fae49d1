"""The administrators' consoles 「三员分立」 (included by rongcuo/web/urls.py): each answers 404 to anyone else."""

from django.urls import path

from .views import console

urlpatterns = [
    path("console/accounts/", console.accounts_console, name="console_accounts"),
    path("console/accounts/<str:username>/active/", console.set_active, name="console_set_active"),
    path("console/accounts/<str:username>/reset/", console.reset_account, name="console_reset"),
    path("console/accounts/<str:username>/unlock/", console.unlock, name="console_unlock"),
    path("console/grants/", console.grants_console, name="console_grants"),
    path("console/grants/<int:assignment>/revoke/", console.revoke, name="console_revoke"),
    path("console/audit/", console.audit_console, name="console_audit"),
    path("console/audit/verify/", console.audit_verify, name="console_audit_verify"),
    path("console/audit/checkpoints.json", console.audit_export, name="console_audit_export"),
]
