"""TOTP second factor for staff (RFC 6238 via pyotp); the QR code is rendered locally as SVG (segno).

Who must have one: every holder of a staff or administrator role (roles.STAFF_ROLES). Until they enrol, their
sessions and tokens reach only enrolment, password change, /api/me and sign-out (web/middleware.py on the web
pages, core/api_auth.py on the API). Enrolling, and the system administrator's reset, move the session epoch:
every other session and every API token of the user ends, so none opened with a password alone outlives it.
An account with a second factor enters its code at every sign-in, staff or not.
"""

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

from .models import ApiToken, User
from .roles import STAFF_ROLES

ISSUER = "容错纠错"


def needs_second_factor(user: User) -> bool:
    """Does this account hold a staff or administrator role? (Its grants, read once per request.)"""
    from rongcuo.cases.access import role_names  # cases.access imports this app's models

    return bool(role_names(user) & STAFF_ROLES)


def second_factor_missing(user: User) -> bool:
    """A staff or administrator account that has not enrolled: confined to enrolment."""
    return not user.totp_enabled and needs_second_factor(user)


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
        # Sessions opened with a password alone (another browser, before enrolment) end, and so do tokens: the
        # caller keeps its own session by taking the new epoch (web/views/auth.py).
        epoch = User.objects.select_for_update().values_list("session_epoch", flat=True).get(pk=user.pk) + 1
        User.objects.filter(pk=user.pk).update(totp_enabled=True, session_epoch=epoch)
        user.totp_enabled, user.session_epoch = True, epoch
        ApiToken.objects.filter(user=user, revoked=False).update(revoked=True)
        append(Actor(user.pk, user.username, "", ip), "auth.totp_enrol", "user", user.username)
