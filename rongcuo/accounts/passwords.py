"""Password rules per 等保 2.0 level 3, every message in Chinese (settings.AUTH_PASSWORD_VALIDATORS).

Django's own validators answer in English whenever no Chinese translation is active (an API request, a
command), and they miss what the outside review found accepted: `Password@2025` (a common word plus a year),
`Yangchunlin1` (the user's own name), nine spaces + `Aa1`, and the previous password again. These validators
run on every path that sets a password: account creation, change (forced on first sign-in or expiry, or by
choice) and the system administrator's reset (accounts/actions.py validate_password).

- LengthValidator            at least `min_length` characters (10 here; 等保 asks for 8 or more);
- WhitespaceValidator        no leading or trailing whitespace, no control characters, and at least
                             `min_length` characters that are not whitespace;
- ComplexityValidator        at least three of upper case, lower case, digits, symbols; five different characters;
- UserAttributeValidator     not containing the user name (or its parts), the display name, or the display
                             name's pinyin (pypinyin: 杨春林 → yangchunlin, chunlin), in any case or with
                             look-alike digits (0→o, 1→i/l, @→a …);
- CommonPasswordValidator    not in Django's list of 20 000 common passwords, and not a common word dressed up
                             with digits and symbols (Password@2025, Admin123, P@ssw0rd!), keyboard rows and
                             counting (qwer, 1qaz, 1234, abcd) or one character four times in a row;
- PasswordHistoryValidator   not one of the last settings.RONGCUO_PASSWORD_HISTORY passwords (their hashes are
                             kept in PasswordHistory, never the text).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError

CLASSES = (r"[A-Z]", r"[a-z]", r"\d", r"[^A-Za-z0-9\s]")
LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"})
LEET_L = str.maketrans({"0": "o", "1": "l", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "l"})
# Words that, with digits and symbols around them, make the passwords people choose first (beyond Django's list,
# which has most English ones): the system's own name and roles, and common Chinese pinyin.
EXTRA_WORDS = frozenset(
    {
        "admin", "administrator", "root", "system", "sysadmin", "secadmin", "auditadmin", "audit", "test", "guest",
        "user", "welcome", "letmein", "password", "passwd", "pass", "qwer", "qwert", "asdf", "zxcv", "abcd",
        "rongcuo", "rongcuojiucuo", "jiwei", "jijian", "jiancha", "zuzhibu", "zhengfu", "zhongguo", "china",
        "beijing", "woaini", "aini", "nihao", "wangluo", "mima", "zhanghao", "dengbao",
    }
)  # fmt: skip
# Never inside a password, wherever they stand: common words, keyboard rows, counting.
NEVER = ("password", "passwd", "qwer", "asdf", "zxcv", "1qaz", "qazwsx", "1234", "4321", "abcd", "abc123",
         "iloveyou", "woaini", "mima")  # fmt: skip
REPEATED = re.compile(r"(.)\1{3}")  # one character four times in a row


def _fail(message: str, code: str) -> None:
    raise ValidationError(message, code=code)


class LengthValidator:
    def __init__(self, min_length: int = 10) -> None:
        self.min_length = min_length

    def validate(self, password: str, user: object = None) -> None:
        if len(password) < self.min_length:
            _fail(f"密码长度至少为 {self.min_length} 个字符。", "password_too_short")

    def get_help_text(self) -> str:
        return f"密码长度至少为 {self.min_length} 个字符。"


class WhitespaceValidator:
    def __init__(self, min_length: int = 10) -> None:
        self.min_length = min_length

    def validate(self, password: str, user: object = None) -> None:
        if password != password.strip():
            _fail("密码的开头和结尾不能是空格等空白字符。", "password_whitespace")
        if any(unicodedata.category(ch) == "Cc" for ch in password):
            _fail("密码不能包含控制字符。", "password_control")
        spaces = sum(ch.isspace() for ch in password)
        if spaces and len(password) - spaces < self.min_length:
            _fail(f"密码中除空格等空白字符外，至少须有 {self.min_length} 个字符。", "password_mostly_whitespace")

    def get_help_text(self) -> str:
        return "开头和结尾不能是空白字符，也不能大部分由空白组成。"


class ComplexityValidator:
    MESSAGE = "密码须包含大写字母、小写字母、数字、符号中的至少三类。"

    def validate(self, password: str, user: object = None) -> None:
        if sum(bool(re.search(p, password)) for p in CLASSES) < 3:
            _fail(self.MESSAGE, "password_too_simple")
        if len(set(password)) < 5:
            _fail("密码中不同的字符至少须有 5 个。", "password_repetitive")

    def get_help_text(self) -> str:
        return self.MESSAGE


def _variants(password: str) -> set[str]:
    low = password.lower()
    return {low, low.translate(LEET), low.translate(LEET_L)}


def _name_fragments(user: object) -> set[str]:
    """What of the user's names a password may not contain (lower case, 3 letters or more)."""
    out: set[str] = set()
    username = str(getattr(user, "username", "") or "").lower()
    if len(username) >= 3:
        out.add(username)
    letters = re.sub(r"[^a-z]", "", username)
    if len(letters) >= 3:
        out.add(letters)
    out |= {part for part in re.split(r"[^a-z]+", username) if len(part) >= 4}
    display = str(getattr(user, "display_name", "") or "").strip()
    if display:
        if len(display) >= 2 or not display.isascii():
            out.add(display.lower())
        out |= _pinyin_forms(display)
    return {f for f in out if len(f) >= 3 or not f.isascii()}


def _pinyin_forms(name: str) -> set[str]:
    """杨春林 → yangchunlin and chunlin (the given name); a surname read more than one way gives each reading."""
    han = [ch for ch in name if "\u4e00" <= ch <= "\u9fff"]
    if not han:
        return set()
    from pypinyin import Style, lazy_pinyin, pinyin  # imported here: only password changes need it

    given = "".join(lazy_pinyin("".join(han[1:]), style=Style.NORMAL))
    surnames = set(pinyin(han[0], style=Style.NORMAL, heteronym=True)[0])
    out = {s + given for s in surnames}
    if len(given) >= 4:
        out.add(given)
    return out


class UserAttributeValidator:
    MESSAGE = "密码不能包含用户名或姓名（包括姓名的拼音，不分大小写）。"

    def validate(self, password: str, user: object = None) -> None:
        if user is None:
            return
        forms = _variants(password)
        for fragment in _name_fragments(user):
            if any(fragment in form for form in forms):
                _fail(self.MESSAGE, "password_too_similar")

    def get_help_text(self) -> str:
        return self.MESSAGE


def _core(text: str) -> str:
    """The text without the digits and symbols around it: "password@2025" → "password"."""
    return re.sub(r"^[^a-z]+|[^a-z]+$", "", text)


class CommonPasswordValidator(password_validation.CommonPasswordValidator):
    """Django's list of common passwords, and common words dressed with digits and symbols."""

    MESSAGE = "密码过于常见或容易被猜到（例如 Password@2025、Admin123 这类常见单词加数字或年份的组合），请另选一个。"

    def _common(self, word: str) -> bool:
        return len(word) >= 3 and (word in self.passwords or word in EXTRA_WORDS)

    def candidates(self, password: str) -> Iterable[str]:
        low = password.lower().strip()
        yield low
        yield low.translate(LEET)
        for text in (low, low.translate(LEET), low.translate(LEET_L)):
            core = _core(text)
            yield core
            yield core.translate(LEET)
            yield core.translate(LEET_L)
        letters = re.sub(r"[^a-z]", "", low)
        if len(letters) >= 4:
            yield letters

    def validate(self, password: str, user: object = None) -> None:
        low = password.lower()
        if any(self._common(c) for c in self.candidates(password)):
            _fail(self.MESSAGE, "password_too_common")
        if any(word in form for form in (low, low.translate(LEET)) for word in NEVER) or REPEATED.search(low):
            _fail(self.MESSAGE, "password_too_common")

    def get_help_text(self) -> str:
        return "不能使用常见密码。"


class PasswordHistoryValidator:
    """No reuse of the last settings.RONGCUO_PASSWORD_HISTORY passwords (the current one included)."""

    def __init__(self, count: int | None = None) -> None:
        self._count = count

    @property
    def count(self) -> int:
        return settings.RONGCUO_PASSWORD_HISTORY if self._count is None else self._count

    def _hashes(self, user: object) -> list[str]:
        from .models import PasswordHistory

        pk = getattr(user, "pk", None)
        if pk is None or self.count <= 0:
            return []
        kept = list(PasswordHistory.objects.filter(user_id=pk).values_list("password", flat=True)[: self.count])
        current = getattr(user, "password", "")
        return list(dict.fromkeys([current, *kept]))  # the current hash first; each once

    def validate(self, password: str, user: object = None) -> None:
        if any(encoded and check_password(password, encoded) for encoded in self._hashes(user)):
            _fail(f"新密码不能与最近 {self.count} 次使用过的密码相同。", "password_reused")

    def password_changed(self, password: str, user: object = None) -> None:
        """Called by Django after a user with a new password is saved: keep its hash, and only the last N."""
        from .models import PasswordHistory

        pk = getattr(user, "pk", None)
        if pk is None or self.count <= 0:
            return
        PasswordHistory.objects.create(user_id=pk, password=user.password)  # type: ignore[attr-defined]
        keep = list(PasswordHistory.objects.filter(user_id=pk).values_list("id", flat=True)[: self.count])
        PasswordHistory.objects.filter(user_id=pk).exclude(id__in=keep).delete()

    def get_help_text(self) -> str:
        return f"不能与最近 {self.count} 次使用过的密码相同。"
