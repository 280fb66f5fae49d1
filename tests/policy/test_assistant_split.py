"""Splitting official texts into 条/款/项 with refs in the style of the shipped rule files (no database)."""

from __future__ import annotations

import pytest

from rongcuo.policy.assistant import split
from rongcuo.policy.assistant.numerals import format_number, parse

# 《中国共产党问责条例》（2019年修订）第十七条、第十八条 (the text carried in cn-accountability-2019.yaml).
ART17 = (
    "第十七条　有下列情形之一的，可以不予问责或者免予问责：（一）在推进改革中因缺乏经验、先行先试出现的失误，"
    "尚无明确限制的探索性试验中的失误，为推动发展的无意过失；（二）在集体决策中对错误决策提出明确反对意见或者"
    "保留意见的；（三）在决策实施中已经履职尽责，但因不可抗力、难以预见等因素造成损失的。\n"
    "对上级错误决定提出改正或者撤销意见未被采纳，而出现本条例第七条所列问责情形的，依照前款规定处理。"
    "上级错误决定明显违法违规的，应当承担相应的责任。\n"
)
ART18 = (
    "第十八条　有下列情形之一的，可以从轻或者减轻问责：（一）及时采取补救措施，有效挽回损失或者消除不良影响的；"
    "（二）积极配合问责调查工作，主动承担责任的；（三）党内法规规定的其他从轻、减轻情形。\n"
)
# 《琼海市干事创业容错免责实施办法》容错免责情形 (hainan-qionghai-2018.yaml): （1）… inline, 意见-style heading.
QIONGHAI = (
    "琼海市干事创业容错免责实施办法\n"
    "一、容错免责条件\n"
    "在单位或个人守住“不触犯法律、经集体决策、要惠及群众、不谋取私利”四条底线的前提下，有下列情形之一的，可以申请容错免责：\n"
    "二、容错免责情形\n"
    "（1）法律法规尚未明确禁止，或因法律法规修改、国家政策调整造成损失的； （2）落实中央和省委、省政府及市委，"
    "市政府决策部署主观上为公为民，客观上尽职尽责，加速推进工作中简化审批程序出现过失的； （3）因特殊情况，"
    "先行先试、干事创业中出现失误或未达到预期效果的； （4）权责不对等情况下，积极履行属地或行业管理责任中出现失误的；"
    " （5）积极参与突发应急事件处置，主动承担急难险重工作任务，因情形紧迫临机处置出现失误的； （6）法律法规已有规定"
    "可以从轻、减轻或免于问责的情形等情形之一的，不予追究相关责任或从轻、减轻处理。\n"
)


def refs(doc) -> list[str]:
    return [p.ref for p in doc.pieces()]


@pytest.mark.parametrize(
    ("text", "value"),
    [("一", 1), ("十", 10), ("十二", 12), ("二十", 20), ("二十三", 23), ("一百", 100), ("一百零五", 105),
     ("一百一十", 110), ("两", 2), ("23", 23)],
)
def test_numerals(text: str, value: int) -> None:
    assert parse(text) == value
    if not text.isdigit() and text != "两":
        assert format_number(value) == text


def test_numerals_refuse_words() -> None:
    assert parse("条") is None
    assert parse("") is None


def test_article_with_inline_items_and_two_paragraphs() -> None:
    doc = split("中国共产党问责条例\n" + ART17 + ART18)
    assert doc.title == "中国共产党问责条例"
    assert doc.style == "articles"
    assert refs(doc) == [
        "第十七条", "第十七条第一款", "第十七条第一款第（一）项", "第十七条第一款第（二）项",
        "第十七条第一款第（三）项",
        "第十七条第二款", "第十八条", "第十八条", "第十八条第（一）项", "第十八条第（二）项", "第十八条第（三）项",
    ]
    items = doc.articles[0].items()
    assert items[1].text == "在集体决策中对错误决策提出明确反对意见或者保留意见的"
    assert doc.articles[0].children[0].lead == "有下列情形之一的，可以不予问责或者免予问责："
    assert doc.articles[0].children[1].text.startswith("对上级错误决定提出改正或者撤销意见未被采纳")
    assert doc.articles[1].items()[2].text == "党内法规规定的其他从轻、减轻情形"


def test_numbers_up_to_twenty_three_and_arabic() -> None:
    lines = [f"第{format_number(n)}条　本条是第{n}条的内容。" for n in range(1, 24)]
    lines[5] = "第6条 本条用阿拉伯数字编号。"
    doc = split("某某办法\n第一章　总则\n" + "\n".join(lines[:10]) + "\n第二章　附则\n" + "\n".join(lines[10:]))
    assert [a.ref for a in doc.articles] == [f"第{format_number(n)}条" for n in range(1, 24)]
    assert doc.articles[22].ref == "第二十三条" and doc.articles[22].number == 23
    assert doc.articles[5].text == "本条用阿拉伯数字编号。"
    assert doc.chapters == [{"ref": "第一章", "title": "总则"}, {"ref": "第二章", "title": "附则"}]
    assert doc.articles[0].chapter.startswith("第一章") and doc.articles[15].chapter.startswith("第二章")


def test_a_citation_at_line_start_is_not_an_article() -> None:
    doc = split("某某办法\n第三条　总则。\n第十七条第一款规定的情形，从其规定。\n")
    assert [a.ref for a in doc.articles] == ["第三条"]
    assert "第十七条第一款规定的情形" in doc.articles[0].text


def test_item_lines_and_subitems() -> None:
    text = (
        "某某办法\n第五条　同时具备下列条件的，可以容错：\n（一）出于公心；\n（二）程序合规，包括：\n"
        "1.经过集体决策；\n2.依法报备。\n"
    )
    doc = split(text)
    assert refs(doc) == ["第五条", "第五条", "第五条第（一）项", "第五条第（二）项", "第五条第（二）项第1目",
                         "第五条第（二）项第2目"]
    assert doc.articles[0].items()[0].text == "出于公心"


def test_yijian_style_headings() -> None:
    doc = split(QIONGHAI)
    assert doc.kind == "办法" and doc.style == "headings"
    assert refs(doc)[:4] == ["办法·容错免责条件", "办法·容错免责条件", "办法·容错免责情形", "办法·容错免责情形"]
    items = doc.articles[1].items()
    assert [i.ref for i in items] == [f"办法·容错免责情形（{n}）" for n in range(1, 7)]
    assert items[3].text == "权责不对等情况下，积极履行属地或行业管理责任中出现失误的"


def test_heading_with_body_on_the_same_line_and_kind_from_title() -> None:
    doc = split(
        "昌宁县党员干部容错免责实施意见（试行）\n"
        "二、认定程序。经申请、受理、核实、认定、报备五个程序认定免予追责。\n"
    )
    assert doc.kind == "实施意见"
    assert doc.articles[0].ref == "实施意见·认定程序"
    assert doc.articles[0].text == "经申请、受理、核实、认定、报备五个程序认定免予追责。"


def test_implicit_items_in_an_enumeration() -> None:
    # 怀来县 容错免责情形 (hebei-huailai.yaml): two situations separated by 「；」, closed by 「等」.
    text = (
        "怀来县党员干部容错纠错机制实施办法（试行）\n一、容错免责情形\n《办法》列出了容错免责的情形，如在落实党委、"
        "政府决策部署中，出现工作失误和偏差，但经过民主决策程序，没有为个人、他人或单位谋取私利，且积极主动消除影响"
        "或挽回损失的；在处置突发事件或执行其他急难险重任务中，因主动揽责涉险、积极担当作为，出现一定失误或非议行为的等。\n"
    )
    items = split(text).articles[0].items()
    assert [i.ref for i in items] == ["办法·容错免责情形（一）", "办法·容错免责情形（二）"]
    assert all(i.implicit for i in items)
    assert items[0].text.startswith("在落实党委、政府决策部署中")
    assert items[1].text.endswith("出现一定失误或非议行为的")


def test_plain_text_without_structure() -> None:
    doc = split("有下列情形之一的，可以容错：（一）先行先试出现失误的；（二）因不可抗力造成损失的。", kind="意见")
    assert doc.style == "plain"
    assert [i.ref for i in doc.articles[0].items()] == ["意见（一）", "意见（二）"]


def test_half_width_punctuation_is_read_and_the_original_kept() -> None:
    text = "某某办法\n第二条 有下列情形之一的,可以容错:(1)先行先试出现失误的;(2)因不可抗力造成损失的.\n"
    doc = split(text)
    items = doc.articles[0].items()
    assert [i.ref for i in items] == ["第二条第（1）项", "第二条第（2）项"]
    assert items[0].text == "先行先试出现失误的"
    assert doc.articles[0].text == "有下列情形之一的,可以容错:(1)先行先试出现失误的;(2)因不可抗力造成损失的."
    for p in doc.pieces():
        assert text[p.start : p.end] == p.text  # offsets point into the original


def test_hard_wrapped_lines_join_their_paragraph() -> None:
    doc = split(
        "某某办法\n第四条　对给予容错免责的干部，在考核、\n提拔任用等方面不受影响。\n"
        "对从轻处理的干部，期满后正常使用。\n"
    )
    paras = doc.articles[0].children
    assert [p.ref for p in paras] == ["第四条第一款", "第四条第二款"]
    assert "提拔任用等方面不受影响" in paras[0].text


def test_to_dict_is_json_ready() -> None:
    import json

    d = split("中国共产党问责条例\n" + ART17).to_dict()
    assert json.loads(json.dumps(d, ensure_ascii=False)) == d
    assert d["articles"][0]["children"][0]["children"][0]["ref"] == "第十七条第一款第（一）项"


def test_inline_list_ends_with_its_last_sentence() -> None:
    # 《深圳经济特区改革创新促进条例》第四十一条 as reported (guangdong-shenzhen-2006.yaml)
    text = (
        "深圳经济特区改革创新促进条例\n第四十一条　改革创新工作未达到预期效果，但同时符合以下情形的，可以免于追究有关"
        "人员的责任：（一）改革创新方案制定和实施程序符合有关规定；（二）个人和所在单位没有牟取私利；（三）未与其他单位"
        "或者个人恶意串通，损害公共利益的。法律、行政法规另有规定的，从其规定。\n"
    )
    items = split(text).articles[0].items()
    assert items[2].text == "未与其他单位或者个人恶意串通，损害公共利益的"
    assert "从其规定" in split(text).articles[0].text


def test_a_long_numbered_paragraph_is_body_not_heading() -> None:
    body = "对经认定符合容错免责条件的单位或个人，在年度考核、评先评优、提拔任用等方面不受影响，不作负面评价"
    doc = split("某县实施意见\n一、" + body + "。\n")
    assert doc.articles[0].ref == "实施意见·对经认定符合容错免责条件的单位或个人"
    assert doc.articles[0].text == body + "。"
