"""TOTP second factor for staff (RFC 6238 via pyotp); the QR code is rendered locally as SVG (segno)."""

from __future__ import annotations

import io

import pyotp
import segno
from django.db import transaction

from rongcuo.audit.chain import Actor, append, append_failure
from rongcuo.core import crypto
from rongcuo.core.errors import Invalid

from .models import RoleAssignment, User
from .roles import STAFF_ROLES

ISSUER = "容错纠错"


def needs_second_factor(user: User) -> bool:
    return RoleAssignment.objects.filter(user=user, role__in=STAFF_ROLES, revoked_at__isnull=True).exists()


def start_enrolment(user: User) -> str:
    """A fresh secret, stored encrypted but not enabled until a code from it is confirmed."""
    secret = pyotp.random_base32()
    user.totp_secret_enc = crypto.encrypt(secret)
    user.totp_enabled = False
    user.save(update_fields=["totp_secret_enc", "totp_enabled"])
    return secret


def provisioning_uri(user: User) -> str:
    secret = crypto.decrypt(user.totp_secret_enc)
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    buf = io.BytesIO()
    segno.make(uri, error="m").save(buf, kind="svg", scale=5, xmldecl=False, svgns=True, title="二次验证二维码")
    return buf.getvalue().decode("utf-8")


def verify(user: User, code: str) -> bool:
    if not user.totp_secret_enc:
        return False
    code = (code or "").strip().replace(" ", "")
    if not code.isdigit() or len(code) != 6:
        return False
    return pyotp.TOTP(crypto.decrypt(user.totp_secret_enc)).verify(code, valid_window=1)


def confirm_enrolment(user: User, code: str, *, ip: str = "") -> None:
    if not verify(user, code):
        append_failure(Actor(user.pk, user.username, "", ip), "auth.totp_enrol", "user", user.username)
        raise Invalid("验证码不正确，请核对手机上的六位数字后重试", field="code")
    with transaction.atomic():
        user.totp_enabled = True
        user.save(update_fields=["totp_enabled"])
        append(Actor(user.pk, user.username, "", ip), "auth.totp_enrol", "user", user.username)
