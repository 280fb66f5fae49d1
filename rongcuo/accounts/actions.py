"""Account verbs of the three separated administrators 「三员分立」 and sign-in.

- system administrator 系统管理员: creates, disables and resets accounts (password, second factor) of everyone
  but administrators; grants nothing; sees no cases;
- security administrator 安全管理员: grants and revokes roles and scopes; creates no accounts;
- audit administrator 审计管理员: reads and exports the audit log only.
One administrative role per account; an administrator holds no case role.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from rongcuo.audit.chain import Actor, append, append_failure
from rongcuo.core.errors import Conflict, Forbidden, Invalid, NotFound, Unauthenticated
from rongcuo.core.prepared import PreparedQuery
from rongcuo.org.models import Cadre, Jurisdiction, Unit

from . import throttle
from .models import ApiToken, RoleAssignment, User
from .roles import ADMIN_ROLES, SCOPE, Role


def _actor(user: User | None, role: str = "", ip: str = "") -> Actor:
    if user is None:
        return Actor.system()
    return Actor(user.pk, user.username, role, ip)


def _require(user: User, role: str) -> None:
    if not RoleAssignment.objects.filter(user=user, role=role, revoked_at__isnull=True).exists():
        raise Forbidden("您没有执行该操作的管理员角色")


def validate_password(password: str, user: User | None = None) -> None:
    """settings.AUTH_PASSWORD_VALIDATORS (accounts/passwords.py), every message Chinese; on every path that sets
    a password: create_user, change_password, reset_password."""
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise Invalid("；".join(exc.messages), field="password") from None


def create_user(
    admin: User | None,
    username: str,
    password: str,
    display_name: str = "",
    *,
    ip: str = "",
    must_change_password: bool = True,
) -> User:
    """System administrator creates an account (admin=None: set-up and demo scripts)."""
    if not username or len(username) > 150:
        raise Invalid("用户名不能为空，且不超过150个字符", field="username")
    with transaction.atomic():
        if admin is not None:
            _require(admin, Role.SYSADMIN)
        if User.objects.filter(username=username).exists():
            raise Conflict("用户名已存在", field="username")
        user = User(username=username, display_name=display_name, must_change_password=must_change_password)
        validate_password(password, user)
        user.set_password(password)
        user.password_changed_at = timezone.now()
        user.save()
        append(_actor(admin, Role.SYSADMIN, ip), "account.create", "user", user.username)
    return user


def set_active(admin: User, username: str, active: bool, *, ip: str = "") -> User:
    with transaction.atomic():
        _require(admin, Role.SYSADMIN)
        user = User.objects.select_for_update().filter(username=username).first()
        if user is None:
            raise NotFound("账号不存在")
        user.is_active = active
        user.session_epoch += 1
        user.save(update_fields=["is_active", "session_epoch"])
        append(_actor(admin, Role.SYSADMIN, ip), "account.enable" if active else "account.disable", "user", username)
    return user


def unlock_account(admin: User, username: str, *, ip: str = "") -> User:
    """Lift a sign-in lockout before it expires (the user called the office); the failure count starts again."""
    with transaction.atomic():
        _require(admin, Role.SYSADMIN)
        user = User.objects.select_for_update().filter(username=username).first()
        if user is None:
            raise NotFound("账号不存在")
        if user.locked_until is None or user.locked_until <= timezone.now():
            raise Conflict(f"账号 {username} 当前未被锁定")
        was = user.locked_until
        user.locked_until = None
        user.failed_logins = 0
        user.save(update_fields=["locked_until", "failed_logins"])
        detail = {"locked_until": was.isoformat(timespec="seconds")}
        append(_actor(admin, Role.SYSADMIN, ip), "account.unlock", "user", username, detail=detail)
    return user


def grant_role(
    admin: User | None,
    username: str,
    role: str,
    *,
    jurisdiction: str | None = None,
    unit_id: int | None = None,
    cadre_id: int | None = None,
    case_id: int | None = None,
    ip: str = "",
) -> RoleAssignment:
    """Security administrator grants a role with its scope (admin=None: set-up and demo scripts)."""
    if role not in Role.values:
        raise Invalid(f"未知的角色 {role}", field="role")
    kind = SCOPE[Role(role)]
    with transaction.atomic():
        if admin is not None:
            _require(admin, Role.SECADMIN)
        user = User.objects.filter(username=username).first()
        if user is None:
            raise NotFound("账号不存在", field="username")
        held = set(RoleAssignment.objects.filter(user=user, revoked_at__isnull=True).values_list("role", flat=True))
        if role in ADMIN_ROLES and held:
            raise Conflict("管理员账号只能担任一个管理员角色，且不能兼任业务角色", field="role")
        if held & ADMIN_ROLES:
            raise Conflict("该账号是管理员账号，不能再授予其他角色", field="role")
        ra = RoleAssignment(user=user, role=role, granted_by=admin)
        if kind == "jurisdiction":
            ra.jurisdiction = Jurisdiction.objects.filter(code=jurisdiction or "").first()
            if ra.jurisdiction is None:
                raise Invalid("须指定有效的管辖区划代码", field="jurisdiction")
        elif kind == "unit":
            ra.unit = Unit.objects.filter(pk=unit_id).first()
            if ra.unit is None:
                raise Invalid("须指定有效的单位", field="unit_id")
        elif kind == "cadre":
            ra.cadre = Cadre.objects.filter(pk=cadre_id).first()
            if ra.cadre is None:
                raise Invalid("须指定申请人本人的干部记录", field="cadre_id")
        elif kind == "case":
            from rongcuo.cases.models import Case

            ra.case = Case.objects.filter(pk=case_id).first()
            if ra.case is None:
                raise Invalid("须指定案件", field="case_id")
        ra.save()
        scope = jurisdiction or unit_id or cadre_id or case_id or ""
        append(
            _actor(admin, Role.SECADMIN, ip), "role.grant", "user", username, detail={"role": role, "scope": str(scope)}
        )
    return ra


def revoke_role(admin: User, assignment_id: int, *, ip: str = "") -> None:
    with transaction.atomic():
        _require(admin, Role.SECADMIN)
        ra = RoleAssignment.objects.select_for_update().filter(pk=assignment_id, revoked_at__isnull=True).first()
        if ra is None:
            raise NotFound("授权不存在或已撤销")
        ra.revoked_at = timezone.now()
        ra.save(update_fields=["revoked_at"])
        append(_actor(admin, Role.SECADMIN, ip), "role.revoke", "user", ra.user.username, detail={"role": ra.role})


# --- signing in ------------------------------------------------------------------------------------------


def bad_credentials() -> Unauthenticated:
    """The one answer to an unknown account, a wrong password, a locked or a disabled account: the same text and
    status, so that an anonymous caller cannot tell whether an account exists (the audit record says which)."""
    return Unauthenticated(
        f"用户名或密码错误（连续错误 {settings.RONGCUO_LOCKOUT_THRESHOLD} 次，账号将锁定 "
        f"{settings.RONGCUO_LOCKOUT_MINUTES} 分钟）"
    )


def check_credentials(username: str, password: str, *, ip: str = "") -> User:
    """Password check with lockout after repeated failures; every attempt is audited.

    An address that has used up its failed sign-ins (accounts/throttle.py) is refused before anything is
    looked up. Otherwise every attempt costs one password hash, for an unknown account too (Django's
    ModelBackend does the same), and every refusal answers alike (bad_credentials)."""
    if throttle.blocked(ip):
        append_failure(Actor(None, username[:150], "", ip), "auth.login", "user", username[:64], reason="throttled")
        raise throttle.refusal()
    now = timezone.now()
    with transaction.atomic():
        user = User.objects.select_for_update().filter(username=username).first()
        if user is None:
            make_password(password)  # the work of a password check, so that the time taken tells nothing
            failure = "unknown_user"
        elif not user.is_active:
            check_password(password, user.password)  # the same work; refused whatever it says
            failure = "disabled"
        elif user.locked_until and user.locked_until > now:
            check_password(password, user.password)
            failure = "locked"
        elif not user.check_password(password):
            failure = "bad_password"
            user.failed_logins += 1
            if user.failed_logins >= settings.RONGCUO_LOCKOUT_THRESHOLD:
                user.locked_until = now + dt.timedelta(minutes=settings.RONGCUO_LOCKOUT_MINUTES)
                user.failed_logins = 0
            user.save(update_fields=["failed_logins", "locked_until"])
        else:
            failure = ""
            # With a second factor still to come, failures keep counting until the code is right too:
            # otherwise someone who knows the password could guess codes without ever being locked out.
            if not user.totp_enabled:
                user.failed_logins = 0
            user.locked_until = None
            user.last_login = now
            user.save(update_fields=["failed_logins", "locked_until", "last_login"])
            append(Actor(user.pk, user.username, "", ip), "auth.login", "user", user.username)
    if failure:
        throttle.count_failure(ip)
        append_failure(
            Actor(user.pk if user else None, username[:150], "", ip),
            "auth.login",
            "user",
            username[:64],
            reason=failure,
        )
        raise bad_credentials()
    return user


def password_expired(user: User) -> bool:
    if user.must_change_password:
        return True
    if not user.password_changed_at:
        return True
    return timezone.now() - user.password_changed_at > dt.timedelta(days=settings.RONGCUO_PASSWORD_MAX_AGE_DAYS)


def change_password(user: User, old: str, new: str, *, ip: str = "") -> None:
    if not user.check_password(old):
        append_failure(_actor(user, "", ip), "auth.change_password", "user", user.username)
        raise Invalid("原密码不正确", field="old_password")
    if old == new:
        raise Invalid("新密码不能与原密码相同", field="new_password")
    validate_password(new, user)
    with transaction.atomic():
        user.set_password(new)
        user.password_changed_at = timezone.now()
        user.must_change_password = False
        user.session_epoch += 1
        user.save()
        ApiToken.objects.filter(user=user, revoked=False).update(revoked=True)
        append(_actor(user, "", ip), "auth.change_password", "user", user.username)


def sign_out_everywhere(user: User, *, ip: str = "") -> None:
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(session_epoch=user.session_epoch + 1)
        ApiToken.objects.filter(user=user, revoked=False).update(revoked=True)
        append(_actor(user, "", ip), "auth.logout_everywhere", "user", user.username)
    user.session_epoch += 1


def issue_token(user: User, name: str = "api", *, days: int = 30, ip: str = "") -> str:
    """An API token: shown once; only its SHA-256 is stored. It carries the user's session epoch: whatever moves
    the epoch (sign-out everywhere, a password change or reset, second-factor enrolment or reset, disabling or
    enabling the account) ends the token too."""
    raw = "rc_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        ApiToken.objects.create(
            user=user,
            name=name[:64],
            prefix=raw[3:11],
            key_hash=token_hash(raw),
            expires_at=timezone.now() + dt.timedelta(days=days),
            session_epoch=user.session_epoch,
        )
        append(_actor(user, "", ip), "auth.token_issue", "user", user.username, detail={"name": name[:64]})
    return raw


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


_TOKEN = PreparedQuery(
    lambda key_hash: ApiToken.objects.select_related("user").filter(key_hash=key_hash, revoked=False), str
)


def user_for_token(raw: str) -> User | None:
    tok = _TOKEN.first(token_hash(raw))  # key_hash is unique
    if tok is None or (tok.expires_at and tok.expires_at < timezone.now()) or not tok.user.is_active:
        return None
    if tok.session_epoch != tok.user.session_epoch:
        return None  # issued under credentials or a second factor that have changed since
    return tok.user


def describe(user: User) -> dict[str, Any]:
    rows = RoleAssignment.objects.filter(user=user, revoked_at__isnull=True).select_related("jurisdiction", "unit")
    return {
        "username": user.username,
        "display_name": user.display_name,
        "roles": [
            {
                "id": r.id,
                "role": r.role,
                "label": r.get_role_display(),
                "jurisdiction": r.jurisdiction_id,
                "unit": r.unit_id,
                "cadre": r.cadre_id,
                "case": r.case_id,
            }
            for r in rows
        ],
    }


def second_factor_failed(user: User, *, ip: str = "") -> bool:
    """A wrong TOTP code counts like a wrong password toward lockout, and toward the address's failed sign-ins.
    Returns True when now locked."""
    throttle.count_failure(ip)
    with transaction.atomic():
        u = User.objects.select_for_update().get(pk=user.pk)
        u.failed_logins += 1
        locked = u.failed_logins >= settings.RONGCUO_LOCKOUT_THRESHOLD
        if locked:
            u.locked_until = timezone.now() + dt.timedelta(minutes=settings.RONGCUO_LOCKOUT_MINUTES)
            u.failed_logins = 0
        u.save(update_fields=["failed_logins", "locked_until"])
    append_failure(_actor(user, "", ip), "auth.totp", "user", user.username)
    return locked


def second_factor_passed(user: User, *, ip: str = "") -> None:
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(failed_logins=0)
        append(_actor(user, "", ip), "auth.totp", "user", user.username)


# --- the system administrator's resets --------------------------------------------------------------------


def _resettable(admin: User | None, username: str) -> User:
    """The account a reset is for, locked. Administrators' credentials are not the system administrator's to
    reset (三员分立: resetting the security or audit administrator's password and second factor would let the
    system administrator become them); nor their own (that is change_password)."""
    user = User.objects.select_for_update().filter(username=username).first()
    if user is None:
        raise NotFound("账号不存在", field="username")
    if admin is not None:
        if user.pk == admin.pk:
            raise Forbidden("不能重置本人账号：请在“修改密码”中修改本人密码")
        if RoleAssignment.objects.filter(user=user, role__in=ADMIN_ROLES, revoked_at__isnull=True).exists():
            raise Forbidden("管理员账号的密码和二次验证不能由系统管理员重置（三员分立），须按应急流程在服务器上处理")
    return user


def _end_sessions_and_tokens(user: User) -> None:
    user.session_epoch += 1
    ApiToken.objects.filter(user=user, revoked=False).update(revoked=True)


def reset_password(admin: User | None, username: str, password: str, *, ip: str = "") -> User:
    """The system administrator sets a temporary password: to be changed at the next sign-in; the account is
    unlocked; its sessions and tokens end. The same password rules as any other (validate_password)."""
    with transaction.atomic():
        if admin is not None:
            _require(admin, Role.SYSADMIN)
        _resettable(admin, username)
    target = User.objects.get(username=username)
    validate_password(password, target)  # outside the transaction: the history check hashes several times
    with transaction.atomic():
        user = _resettable(admin, username)
        user.set_password(password)
        user.password_changed_at = timezone.now()
        user.must_change_password = True
        user.failed_logins = 0
        user.locked_until = None
        _end_sessions_and_tokens(user)
        user.save()
        append(_actor(admin, Role.SYSADMIN, ip), "account.password_reset", "user", username)
    return user


def reset_second_factor(admin: User | None, username: str, *, ip: str = "") -> User:
    """The system administrator clears a lost second factor: the user enrols a new one at the next sign-in
    (confined to enrolment until then); every session and token issued under the old one ends."""
    with transaction.atomic():
        if admin is not None:
            _require(admin, Role.SYSADMIN)
        user = _resettable(admin, username)
        user.totp_enabled = False
        user.totp_secret_enc = ""
        _end_sessions_and_tokens(user)
        user.save(update_fields=["totp_enabled", "totp_secret_enc", "session_epoch"])
        append(_actor(admin, Role.SYSADMIN, ip), "account.totp_reset", "user", username)
    return user
