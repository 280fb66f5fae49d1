"""De-identification as pure functions: pseudonyms, ID numbers, phones, units, the scan."""

from __future__ import annotations

import pytest

from rongcuo.disclosure import deid

ID_TOKEN, PHONE_TOKEN = deid.ID_TOKEN, deid.PHONE_TOKEN


def ctx(*names: str, **kw) -> deid.Context:
    return deid.Context(pseudonyms=deid.assign_pseudonyms(names), **kw)


def test_names_become_consistent_pseudonyms() -> None:
    c = ctx("张三", "李四")
    out = deid.deidentify("张三向李四说明情况，李四认可张三的做法；张 三签字。", c)
    assert out == "张某向李某说明情况，李某认可张某的做法；张某签字。"


def test_surname_collisions_get_stems_in_order_of_appearance() -> None:
    m = deid.assign_pseudonyms(["张三", "李四", "张四", "张三", "张五"])
    assert m == {"张三": "张某甲", "李四": "李某", "张四": "张某乙", "张五": "张某丙"}
    out = deid.deidentify("张三、张四、张五", ctx("张三", "张四", "张五"))
    assert out == "张某甲、张某乙、张某丙"


def test_compound_surnames_and_longest_name_first() -> None:
    assert deid.assign_pseudonyms(["欧阳明华"]) == {"欧阳明华": "欧阳某"}
    out = deid.deidentify("张三丰与张三", ctx("张三", "张三丰"))
    assert out == "张某乙与张某甲"


def test_names_that_cannot_be_names_are_left_alone() -> None:
    # single characters, names already with 某, digits, groups and roles, long phrases: not names
    not_names = ["甲", "张某", "12", "", "居民代表", "人大代表", "单位同事", "常委甲", "单位分管负责同志", "负责同志"]
    assert deid.assign_pseudonyms(not_names) == {}
    text = "居民代表、人大代表资格不受影响"
    assert deid.deidentify(text, ctx(*not_names)) == text
    # a bracketed note is not part of the name; a surname with a title is one person
    assert deid.assign_pseudonyms(["方静（评估中心）", "王主任", "阿依古丽·买买提"]) == {
        "方静": "方某",
        "王主任": "王某",
        "阿依古丽·买买提": "某某",
    }
    # Latin names: whole words only, case-insensitive, pseudonym 某某
    c = ctx("alice", "bob")
    assert deid.deidentify("Alice met BOB; alicexyz stays", c) == "某某甲 met 某某乙; alicexyz stays"


@pytest.mark.parametrize(
    "text",
    [
        "身份证号320102198001011234。",
        "身份证号32010219850202123X，",
        "身份证号32010219850202123x",
        "身份证号 320102 19800101 1234",
        "身份证号３２０１０２１９８００１０１１２３４",
        "旧身份证号320102800101123",
    ],
)
def test_id_numbers_removed(text: str) -> None:
    out = deid.deidentify(text, deid.Context())
    assert ID_TOKEN in out
    assert not any(ch.isdigit() for ch in out.replace(ID_TOKEN, ""))


@pytest.mark.parametrize(
    "text",
    [
        "手机13800001234",
        "手机 138 0000 1234。",
        "手机138-0000-1234",
        "+86 13800001234",
        "电话025-83331234",
        "电话（0871）6123456",
        "座机0871 6123 4567-802",
        "联系电话：83331234",
    ],
)
def test_phones_removed(text: str) -> None:
    out = deid.deidentify(text, deid.Context())
    assert PHONE_TOKEN in out, out
    assert not any(ch.isdigit() for ch in out.replace(PHONE_TOKEN, "")), out


def test_ordinary_numbers_are_kept() -> None:
    text = "2023年5月1日损失120万元，涉及3个村、1456户，文号苏纪发〔2025〕7号，日期2023-05-01。"
    assert deid.deidentify(text, deid.Context()) == text


def test_email_and_case_numbers() -> None:
    c = deid.Context(case_number="RC-320000-2025-00001", public_number="GK-2025-0001")
    out = deid.deidentify(
        "案件RC-320000-2025-00001，关联RC-320000-2025-00002、报备BB-320000-2025-00003，zs@example.com", c
    )
    assert out == f"案件GK-2025-0001，关联{deid.NUMBER_TOKEN}、报备{deid.NUMBER_TOKEN}，{deid.EMAIL_TOKEN}"


def test_known_secrets_removed_in_any_spacing() -> None:
    c = deid.Context(secrets=["13800001234"])
    assert deid.deidentify("号码1380000 1234", c) == f"号码{PHONE_TOKEN}"


@pytest.mark.parametrize(
    ("level", "unit", "jname", "jlevel", "label"),
    [
        ("jurisdiction", "江苏省某县发展和改革局", "江苏省", "province", "江苏省某单位"),
        ("jurisdiction_kind", "江苏省某县发展和改革局", "江苏省", "province", "江苏省某部门"),
        ("jurisdiction_kind", "昌宁县某镇人民政府", "昌宁县", "county", "昌宁县某乡镇"),
        ("jurisdiction_kind", "某村民委员会", "昌宁县", "county", "昌宁县某村（社区）"),
        ("jurisdiction_kind", "某城投集团有限公司", "昌宁县", "county", "昌宁县某企业"),
        ("level", "昌宁县某镇人民政府", "昌宁县", "county", "某县直单位"),
        ("level", "某局", "韩城市", "county", "某市直单位"),
        ("level", "某厅", "江苏省", "province", "某省直单位"),
        ("none", "某厅", "江苏省", "province", "某单位"),
    ],
)
def test_unit_generalisation(level: str, unit: str, jname: str, jlevel: str, label: str) -> None:
    assert deid.generalise_unit(unit, jname, jlevel, level) == label


def test_units_replaced_in_text_before_names() -> None:
    c = deid.Context(
        pseudonyms=deid.assign_pseudonyms(["王强"]),
        units={"江苏省某县发展和改革局": "江苏省某单位", "某县人民政府": "江苏省某政府"},
    )
    out = deid.deidentify("王强在江苏省某县发展和改革局工作，向某县人民政府报告", c)
    assert out == "王某在江苏省某单位工作，向江苏省某政府报告"


def test_scan_finds_names_numbers_and_reports_units_as_warnings() -> None:
    c = deid.Context(
        pseudonyms=deid.assign_pseudonyms(["张三"]),
        units={"某县发展和改革局": "某单位"},
        secrets=["320102198001011234", "13800001234"],
    )
    fields = {
        "summary": "张 三，身份证 320102198001011234，手机13800001234，zs@example.com",
        "title": "某县发展和改革局干部",
    }
    blocking, warnings = deid.scan(fields, c)
    kinds = sorted(f.kind for f in blocking)
    assert kinds == ["email", "id_number", "name", "phone"]
    masked = next(f for f in blocking if f.kind == "id_number").shown
    assert "198001011" not in masked and masked.endswith("1234")
    assert [w.kind for w in warnings] == ["unit"]
    text = next(f for f in blocking if f.kind == "name").describe({"summary": "基本情况"})
    assert text == "“基本情况”中含有姓名“张三”"


def test_scan_of_clean_text_is_clean() -> None:
    c = ctx("张三", secrets=["320102198001011234"])
    out = deid.deidentify("张三，320102198001011234", c)
    assert deid.scan({"summary": out}, c) == ([], [])
