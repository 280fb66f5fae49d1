"""Accounts with the 等保 features (lockout, expiry, TOTP, sign-out everywhere, password history), role grants and
API tokens."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from .roles import Role


class User(AbstractUser):
    display_name = models.CharField(max_length=64, blank=True)
    failed_logins = models.IntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    password_changed_at = models.DateTimeField(null=True, blank=True)
    must_change_password = models.BooleanField(default=False)
    totp_secret_enc = models.TextField(blank=True)
    totp_enabled = models.BooleanField(default=False)
    totp_last_step = models.BigIntegerField(default=0, help_text="最近一次使用的验证码时间步，防止重放")
    # Incremented by "sign out everywhere": sessions carrying an older epoch are refused.
    session_epoch = models.IntegerField(default=0)

    def __str__(self) -> str:
        return self.display_name or self.username


class RoleAssignment(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="assignments")
    role = models.CharField(max_length=20, choices=Role.choices)
    jurisdiction = models.ForeignKey("org.Jurisdiction", null=True, blank=True, on_delete=models.PROTECT)
    unit = models.ForeignKey("org.Unit", null=True, blank=True, on_delete=models.PROTECT)
    cadre = models.ForeignKey("org.Cadre", null=True, blank=True, on_delete=models.PROTECT)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT)
    granted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "role"])]

    def __str__(self) -> str:
        return f"{self.user} {self.get_role_display()}"


class ApiToken(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="tokens")
    name = models.CharField(max_length=64)
    prefix = models.CharField(max_length=8, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)
    # The user's session epoch when the token was issued. The epoch moves on sign-out everywhere, a password
    # change or reset, enabling or disabling the account, second-factor enrolment or reset: a token never
    # outlives the credentials and factor state it was issued under (accounts/actions.py user_for_token).
    session_epoch = models.IntegerField(default=0)


class PasswordHistory(models.Model):
    """The hashes of a user's most recent passwords (settings.RONGCUO_PASSWORD_HISTORY), never the text:
    a new password may not be one of them (accounts/passwords.py PasswordHistoryValidator)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["user", "-id"])]
