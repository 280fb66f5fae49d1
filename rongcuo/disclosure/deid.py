"""De-identification of public renditions 「去标识化」, as pure functions over text (no database).

Rules:
- every personal name known to the case becomes a consistent pseudonym: surname + 某 (张三 → 张某); two
  different people with the same surname get 张某甲, 张某乙 … in order of first appearance; a name not
  written in Chinese characters becomes 某某 (某某甲 …). Names shorter than two characters, or already
  containing 某, are not names for this purpose (they cannot be told apart from ordinary words);
- 18-digit resident ID numbers (last character a digit or X) and 15-digit old ones are removed, also when
  written with spaces or hyphens or in full-width digits;
- mobile numbers (11 digits, optional +86) and landline numbers with an area code (010-12345678,
  (0871)1234567, 0871 6123 4567-8), and any number after 电话/手机/座机/传真, are removed; so are e-mail
  addresses;
- known units become their generalised label (see `generalise_unit`); the live case number becomes the
  public number, other case or pre-filing numbers are removed.

The scan (`scan`) looks for what must not remain: a known name (also with spaces inside), anything
ID-number-like, phone-like or e-mail-like, and the subject's own ID number and phone in any spacing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from rongcuo.core.crypto import mask_id_number, mask_phone

ID_TOKEN = "［身份证号码已隐去］"
PHONE_TOKEN = "［电话号码已隐去］"
EMAIL_TOKEN = "［电子邮箱已隐去］"
NUMBER_TOKEN = "［编号已隐去］"

_D = "[0-9\uff10-\uff19]"  # a digit, half- or full-width
_X = "[0-9\uff10-\uff19Xx\uff38\uff58]"  # last character of an ID number
_S = "[ \u3000\\-\uff0d]?"  # at most one separator between digits
_NOT_ALNUM_BEFORE = "(?<![0-9A-Za-z\uff10-\uff19])"
_NOT_ALNUM_AFTER = "(?![0-9A-Za-z\uff10-\uff19])"
_NOT_DIGIT_BEFORE = f"(?<!{_D})"
_NOT_DIGIT_AFTER = f"(?!{_D})"

_D1 = "[1-9\uff11-\uff19]"  # the first digit of an ID number (an area code never starts with 0)
ID18_RE = re.compile(f"{_NOT_ALNUM_BEFORE}{_D1}{_S}(?:{_D}{_S}){{16}}{_X}{_NOT_ALNUM_AFTER}")
ID15_RE = re.compile(f"{_NOT_ALNUM_BEFORE}{_D1}{_S}(?:{_D}{_S}){{13}}{_D}{_NOT_ALNUM_AFTER}")
MOBILE_RE = re.compile(f"{_NOT_DIGIT_BEFORE}(?:[+＋]?86{_S})?[1１][3-9３-９](?:{_S}{_D}){{9}}{_NOT_DIGIT_AFTER}")
LANDLINE_RE = re.compile(
    f"{_NOT_DIGIT_BEFORE}(?:[(（][0０]{_D}{{2,3}}[)）]{_S}|[0０]{_D}{{2,3}}[ \\-\uff0d—]?)"
    f"{_D}{{3,4}}{_S}{_D}{{4}}(?:(?:[-\uff0d]|转){_D}{{1,6}})?{_NOT_DIGIT_AFTER}"
)
KEYWORD_PHONE_RE = re.compile(
    f"(?:电话|手机|座机|传真|联系方式|[Tt][Ee][Ll])(?:号码?)?[:：]?[ \u3000]*"
    f"({_D}(?:{_S}{_D}){{6,11}}){_NOT_DIGIT_AFTER}"
)
EMAIL_RE = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
CASE_NUMBER_RE = re.compile(r"(?:RC|BB)-\d{6}-\d{4}-\d{5}")

COMPOUND_SURNAME_RE = re.compile(
    "^(?:"
    "欧阳|太史|端木|上官|司马|东方|独孤|南宫|万俟|闻人|夏侯|诸葛|尉迟|公羊"
    "|赫连|澹台|皇甫|宗政|濮阳|公冶|太叔|申屠|公孙|慕容|仲孙|钟离|长孙|宇文"
    "|司徒|鲜于|司空|闾丘|令狐|轩辕|呼延|西门|百里|东郭|南门|第五|拓跋"
    ")(?=.)"
)
STEMS = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥"
_HAN = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+$")
_FULLWIDTH = str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789Xx")


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


# Words that make a listed "person" a group or a role rather than a name (居民代表, 单位同事, 常委甲 …).
ROLE_RE = re.compile(
    "代表|干部|同事|群众|居民|村民|人员|单位|部门|常委|委员|专家|职工|家属"
    "|领导|负责|政府|机关|社区|企业|公司|律师|记者|网友|证人|全体"
)
# "王主任", "李书记": a surname and a title refer to one person; the whole is treated as a name.
TITLE_RE = re.compile(
    "^.{1,2}(?:主任|书记|局长|县长|镇长|乡长|科长|处长|厅长|市长|区长|部长|主席|经理|老师|同志|师傅|先生|女士)$"
)


def _han_name(n: str) -> bool:
    if ROLE_RE.search(n):
        return False
    return bool(TITLE_RE.match(n)) or 2 <= len(n) <= 4


def normalise_name(name: str) -> str | None:
    """The name as matched (whitespace and bracketed notes removed: 「方静（评估中心）」 → 方静), or None
    when the text cannot be told apart from ordinary words: shorter than two characters, containing 某,
    a group or role (居民代表, 单位同事), or more than four Chinese characters without a 「·」."""
    n = _compact(re.sub(r"[（(][^）)]*[）)]", "", name or ""))
    if len(n) < 2 or "某" in n or n.isdigit():
        return None
    if _HAN.match(n):
        return n if _han_name(n) else None
    return n.casefold()


def surname(name: str) -> str:
    if not _HAN.match(name):
        return ""
    m = COMPOUND_SURNAME_RE.match(name)
    return m.group(0) if m else name[0]


def _suffix(i: int) -> str:
    return STEMS[i] if i < len(STEMS) else str(i + 1)


def assign_pseudonyms(names: Iterable[str]) -> dict[str, str]:
    """Normalised name → pseudonym, consistent for one case; `names` in order of first appearance."""
    ordered: list[str] = []
    for raw in names:
        n = normalise_name(raw)
        if n and n not in ordered:
            ordered.append(n)
    groups: dict[str, list[str]] = {}
    for n in ordered:
        s = surname(n)
        groups.setdefault(f"{s}某" if s else "某某", []).append(n)
    out: dict[str, str] = {}
    for base, members in groups.items():
        for i, n in enumerate(members):
            out[n] = base if len(members) == 1 else base + _suffix(i)
    return out


def _name_pattern(name: str) -> str:
    if _HAN.match(name):
        return r"\s*".join(re.escape(ch) for ch in name)
    return f"(?i:(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_]))"


# --- units ------------------------------------------------------------------------------------------------

UNIT_KINDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("村民委员会", "村委会", "居民委员会", "居委会", "社区", "村"), "村（社区）"),
    (("街道办事处", "街道"), "街道"),
    (("乡人民政府", "镇人民政府", "乡政府", "镇政府", "乡", "镇"), "乡镇"),
    (("人民政府", "政府"), "政府"),
    (("公司", "集团", "企业"), "企业"),
    (("学校", "中学", "小学", "大学", "学院", "医院", "卫生院", "研究院", "研究所", "中心", "站", "所"), "事业单位"),
    (("局", "委员会", "委", "办公室", "办", "厅", "部", "署", "院", "庭"), "部门"),
)
LEVEL_WORDS = {"province": "省直", "city": "市直", "county": "县直", "central": "中央"}


def unit_kind(unit_name: str) -> str:
    name = unit_name.strip()
    for suffixes, kind in UNIT_KINDS:
        if name.endswith(suffixes):
            return kind
    return "单位"


def _level_word(jurisdiction_name: str, jurisdiction_level: str) -> str:
    if jurisdiction_level in ("county", "city"):
        for end, word in (("区", "区直"), ("旗", "旗直"), ("县", "县直"), ("市", "市直")):
            if jurisdiction_name.endswith(end):
                return word
    return LEVEL_WORDS.get(jurisdiction_level, "")


def generalise_unit(unit_name: str, jurisdiction_name: str, jurisdiction_level: str, level: str) -> str:
    """The public label of a unit: 「江苏省某单位」「昌宁县某乡镇」「某县直单位」「某单位」 (see conf.py)."""
    if level == "jurisdiction":
        return f"{jurisdiction_name}某单位"
    if level == "jurisdiction_kind":
        return f"{jurisdiction_name}某{unit_kind(unit_name)}"
    if level == "level":
        word = _level_word(jurisdiction_name, jurisdiction_level)
        return f"某{word}单位" if word else "某单位"
    return "某单位"


# --- the context of one case and the two operations ---------------------------------------------------------


@dataclass
class Context:
    """What is known about one case: names, units, the subject's ID number and phone, the numbers."""

    pseudonyms: dict[str, str] = field(default_factory=dict)  # normalised name → pseudonym
    units: dict[str, str] = field(default_factory=dict)  # unit name → generalised label
    secrets: list[str] = field(default_factory=list)  # decrypted ID numbers and phones of the people
    case_number: str = ""
    public_number: str = ""

    @cached_property
    def name_re(self) -> re.Pattern[str] | None:
        names = sorted(self.pseudonyms, key=len, reverse=True)
        return re.compile("|".join(_name_pattern(n) for n in names)) if names else None

    @cached_property
    def unit_re(self) -> re.Pattern[str] | None:
        units = sorted((u for u in self.units if len(_compact(u)) >= 2), key=len, reverse=True)
        if not units:
            return None
        return re.compile("|".join(r"\s*".join(re.escape(ch) for ch in _compact(u)) for u in units))

    def pseudonym_for(self, matched: str) -> str:
        n = _compact(matched)
        return self.pseudonyms.get(n) or self.pseudonyms.get(n.casefold(), "某某")

    def label_for_unit(self, matched: str) -> str:
        n = _compact(matched)
        for u, label in self.units.items():
            if _compact(u) == n:
                return label
        return "某单位"


def _numbers(text: str, ctx: Context) -> str:
    def number(m: re.Match[str]) -> str:
        return ctx.public_number if ctx.case_number and m.group(0) == ctx.case_number else NUMBER_TOKEN

    if ctx.case_number and ctx.public_number:
        text = text.replace(ctx.case_number, ctx.public_number)
    return CASE_NUMBER_RE.sub(number, text)


def _secret_pattern(secret: str) -> re.Pattern[str]:
    chars = [c for c in secret.translate(_FULLWIDTH) if not c.isspace() and c not in "-－"]
    return re.compile(_S.join(re.escape(c) for c in chars), re.IGNORECASE)


def remove_contacts(text: str, secrets: Iterable[str] = ()) -> str:
    """Remove e-mail addresses, ID numbers and phone numbers (regex), and the given known values."""
    text = EMAIL_RE.sub(EMAIL_TOKEN, text)
    for s in secrets:
        if len(_compact(s)) >= 6:
            text = _secret_pattern(s).sub(ID_TOKEN if len(_compact(s)) >= 15 else PHONE_TOKEN, text)
    text = ID18_RE.sub(ID_TOKEN, text)
    text = ID15_RE.sub(ID_TOKEN, text)
    text = MOBILE_RE.sub(PHONE_TOKEN, text)
    text = LANDLINE_RE.sub(PHONE_TOKEN, text)
    return KEYWORD_PHONE_RE.sub(lambda m: m.group(0)[: m.start(1) - m.start(0)] + PHONE_TOKEN, text)


def deidentify(text: str, ctx: Context) -> str:
    """The public form of one text: numbers, contacts, units, then names (see the module docstring)."""
    if not text:
        return ""
    text = _numbers(text, ctx)
    text = remove_contacts(text, ctx.secrets)
    if ctx.unit_re is not None:
        text = ctx.unit_re.sub(lambda m: ctx.label_for_unit(m.group(0)), text)
    if ctx.name_re is not None:
        text = ctx.name_re.sub(lambda m: ctx.pseudonym_for(m.group(0)), text)
    return text


# --- the scan --------------------------------------------------------------------------------------------

KIND_LABELS = {
    "name": "姓名",
    "id_number": "疑似身份证号码",
    "phone": "疑似电话号码",
    "email": "疑似电子邮箱",
    "secret": "当事人的身份证号码或电话号码",
    "unit": "未泛化的单位名称",
}


@dataclass(frozen=True)
class Finding:
    kind: str  # name / id_number / phone / email / secret / unit
    field: str
    shown: str  # what is safe to show: names as found, numbers masked

    def describe(self, field_labels: Mapping[str, str]) -> str:
        where = field_labels.get(self.field, self.field)
        return f"“{where}”中含有{KIND_LABELS[self.kind]}“{self.shown}”"


def _mask(value: str, kind: str) -> str:
    digits = value.translate(_FULLWIDTH)
    return mask_id_number(digits) if kind == "id_number" else mask_phone(digits)


def _scan_text(name: str, text: str, ctx: Context) -> list[Finding]:
    out: list[Finding] = []
    compact = _compact(text)
    for n in ctx.pseudonyms:
        found = n in compact if _HAN.match(n) else re.search(_name_pattern(n), text) is not None
        if found:
            out.append(Finding("name", name, n))
    for regex, kind in ((ID18_RE, "id_number"), (ID15_RE, "id_number"), (MOBILE_RE, "phone"), (LANDLINE_RE, "phone")):
        out.extend(Finding(kind, name, _mask(m.group(0), kind)) for m in regex.finditer(text))
    out.extend(Finding("phone", name, _mask(m.group(1), "phone")) for m in KEYWORD_PHONE_RE.finditer(text))
    out.extend(Finding("email", name, "***@" + m.group(0).split("@", 1)[1]) for m in EMAIL_RE.finditer(text))
    digits_only = re.sub(r"[\s\-－]", "", text.translate(_FULLWIDTH)).upper()
    for s in ctx.secrets:
        plain = re.sub(r"[\s\-－]", "", s.translate(_FULLWIDTH)).upper()
        if len(plain) >= 6 and plain in digits_only:
            shown = _mask(plain, "id_number" if len(plain) >= 15 else "phone")
            if not any(f.shown == shown for f in out):
                out.append(Finding("secret", name, shown))
    return out


def scan(fields: Mapping[str, str], ctx: Context) -> tuple[list[Finding], list[Finding]]:
    """(blocking findings, warnings) over the rendition's text fields. Unit names left are warnings only:
    how far units are generalised is a setting, names and numbers are never allowed."""
    blocking: list[Finding] = []
    for name, text in fields.items():
        for f in _scan_text(name, text or "", ctx):
            if f not in blocking:
                blocking.append(f)
    warnings: list[Finding] = []
    if ctx.unit_re is not None:
        for name, text in fields.items():
            for m in ctx.unit_re.finditer(text or ""):
                f = Finding("unit", name, _compact(m.group(0)))
                if f not in warnings:
                    warnings.append(f)
    return blocking, warnings
