"""TOTP second factor for staff (RFC 6238 via pyotp); the QR code is rendered locally as SVG (segno)."""

from __future__ import annotations

import hmac
import io
import time

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
    """A code of the current 30-second step (or one either side, for clock drift), each step usable once."""
    if not user.totp_secret_enc:
        return False
    code = (code or "").strip().replace(" ", "")
    if not code.isdigit() or len(code) != 6:
        return False
    otp = pyotp.TOTP(crypto.decrypt(user.totp_secret_enc))
    now = int(time.time())
    for drift in (0, -1, 1):
        step = now // otp.interval + drift
        if step > user.totp_last_step and hmac.compare_digest(otp.generate_otp(step), code):
            # Record the step so a code seen over a shoulder cannot be replayed within its window.
            updated = User.objects.filter(pk=user.pk, totp_last_step__lt=step).update(totp_last_step=step)
            user.totp_last_step = step
            return updated == 1
    return False


def confirm_enrolment(user: User, code: str, *, ip: str = "") -> None:
    if not verify(user, code):
        append_failure(Actor(user.pk, user.username, "", ip), "auth.totp_enrol", "user", user.username)
        raise Invalid("验证码不正确，请核对手机上的六位数字后重试", field="code")
    with transaction.atomic():
        user.totp_enabled = True
        user.save(update_fields=["totp_enabled"])
        append(Actor(user.pk, user.username, "", ip), "auth.totp_enrol", "user", user.username)
