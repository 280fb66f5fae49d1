"""Decision texts read as the 纪委 clerk who signs them: one decision model, so part 三 and part 四 say the
same thing; no system wording, internal notes or node labels; articles cited by the measure's full title;
a final decision never says 尚未查明; the deciding body is the real one. And the other texts: the 认定书,
the investigation report, the feedback to the cadre, the letter to the organisation department."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from rongcuo.cases import actions as cases
from rongcuo.cases.models import Interview
from rongcuo.documents import actions

from .conftest import TODAY, after_decision, apply, decided, to_defence
from .test_kinds import issue

pytestmark = pytest.mark.django_db

MEASURE = "江苏省《关于建立容错纠错机制激励干部改革创新担当作为的实施意见（试行）》"
# what must never reach an issued text
INTERNAL = (
    "可选处理方式",
    "尚未查明",
    "未查明",
    "反面解释",
    "措辞未",
    "未核实",
    "未经逐字核实",
    "实施意见·",
    "解读·",
    "容错实施机构",
    "不予容错。不予容错",
    "【提示】",
    "o_",
    "rl_",
    "认定结论：免予问责",
)


def clean(text: str) -> None:
    for bad in INTERNAL:
        assert bad not in text, (bad, text)
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", text), re.search(r"\b[a-z]+_[a-z_]+\b", text)


def part(text: str, heading: str, following: str | None) -> str:
    start = text.index(heading)
    end = text.index(following, start) if following else len(text)
    return text[start:end]


def test_exempt_decision(world, body) -> None:
    case = decided(world)
    _, text = issue(world, case, "decision", world.secretary)
    clean(text)
    three = part(text, "三、认定的事实和理由", "四、处理决定")
    four = part(text, "四、处理决定", "五、申诉权利")
    assert "认定张三同志的失误错误符合容错条件、属于容错情形，予以容错，免除相关责任。" in three
    assert "决定对张三同志予以容错，免除相关责任。" in four
    assert f"{MEASURE}规定：“对于符合容错条件、属于容错情形的，可以免除相关责任或从轻、减轻处理。”" in three
    # facts established, each a sentence, not one line of summary
    assert "（一）张三同志未违反党的纪律和国家法律法规的禁止性规定。" in three
    assert "张三同志出于公心" in three and "：否" not in text


@pytest.mark.parametrize(("disposition", "word"), [("从轻处理", "从轻"), ("减轻处理", "减轻")])
def test_mitigated_decision_gives_its_reason_and_does_not_say_exempt(world, body, disposition, word) -> None:
    case = decided(world, disposition, months=6)
    _, text = issue(world, case, "decision", world.secretary)
    clean(text)
    three = part(text, "三、认定的事实和理由", "四、处理决定")
    assert "免予问责" not in three and "免除相关责任。" not in three
    assert f"综合考虑一贯表现，经集体研判，决定予以{word}处理" in three  # the reason, from the record
    assert f"予以容错，{disposition}。" in three
    assert f"决定对张三同志予以容错，{disposition}。" in part(text, "四、处理决定", "五、申诉权利")


def _not_tolerated(w):
    case = apply(w)
    cases.transition(w.unit_reviewer, case.pk, "endorse", {"discussion": "讨论", "opinion": "同意"})
    cases.transition(w.handler, case.pk, "accept", {})
    cases.set_fact(w.investigator, case.pk, {"fact": "violates_discipline_or_law", "value": True})
    cases.transition(w.investigator, case.pk, "submit_report", {"report": "违反纪律"})
    cases.transition(w.handler, case.pk, "find_not_qualifying", {"finding": "违反党纪，不予容错"})
    return case


def test_not_tolerated_decision(world, body) -> None:
    case = _not_tolerated(world)
    _, text = issue(world, case, "decision", world.secretary)
    clean(text)
    assert "存在不予容错的情形：张三同志违反了党的纪律或国家法律法规的禁止性规定" in text
    assert "决定对张三同志不予容错，依规依纪依法予以问责处理。" in text  # a disposition named
    assert "中共中央办公厅《关于进一步激励广大干部新时代新担当新作为的意见》（中办发〔2018〕29号）规定" in text
    assert "经中共江苏省纪律检查委员会研究" in text  # the real body, not 「容错实施机构」
    assert text.count("（措辞") == 0 and "符合容错条件、属于容错情形" not in text


def test_undetermined_evaluation_prints_the_collective_reasons(world, body) -> None:
    """No fact set: the evaluation is undetermined; the deciding body's collective decision governs."""
    w = world
    case = apply(w)
    cases.transition(w.unit_reviewer, case.pk, "endorse", {"discussion": "党组会议讨论", "opinion": "同意上报"})
    cases.transition(w.handler, case.pk, "accept", {})
    cases.transition(w.investigator, case.pk, "submit_report", {"report": "失误属探索性失误"})
    cases.transition(w.handler, case.pk, "find_qualifying", {"finding": "符合容错情形"})
    cases.transition(w.applicant, case.pk, "submit_defence", {"statement": "申辩理由"})
    case.refresh_from_db()
    assert case.engine_outcome == "undetermined"
    reason = "经集体研判，当事人出于公心推进改革，已挽回全部损失"
    cases.transition(
        w.secretary,
        case.pk,
        "deliberate",
        {
            "met_on": str(TODAY),
            "participants": ["赵六", "钱七", "孙八"],
            "opinions": "一致同意予以容错",
            "recommendation": "exempt",
            "disposition": "免除相关责任",
            "departure_reason": reason,
        },
    )
    cases.transition(
        w.secretary,
        case.pk,
        "decide",
        {"disposition": "免除相关责任", "decided_on": str(TODAY), "organ": "省纪委常委会", "departure_reason": reason},
    )
    _, text = issue(w, case, "decision", w.secretary)
    clean(text)
    assert reason in text and "集体研判意见：一致同意予以容错" in text
    assert "决定对张三同志予以容错，免除相关责任。" in text


def test_preliminary_finding_says_it_once_and_does_not_echo(world, body) -> None:
    case = to_defence(world, apply(world))
    _, text = issue(world, case, "preliminary_finding")
    clean(text)
    assert text.count("初步认定") == 1  # the title
    assert "经调查核实，符合容错情形" not in text  # the handler's note is not echoed
    assert "你出于公心" in text and "认定你的失误错误符合容错条件、属于容错情形。" in text


def test_party_body_is_named(world, body) -> None:
    case = to_defence(world, apply(world))
    _, application = issue(world, case, "application_individual", world.applicant)
    _, acceptance = issue(world, case, "acceptance")
    for text in (application, acceptance):
        assert "党委（党组）" not in text
        assert "中共江苏省某县发展和改革局党组" in text


def test_investigation_report_reads_as_a_report(world, body) -> None:
    w = world
    case = to_defence(w, apply(w))
    early = TODAY - dt.timedelta(days=3)  # an interview of the accountability investigation, before acceptance
    Interview.objects.filter(case=case, interviewee="李四").update(held_on=early)
    _, text = issue(w, case, "investigation_report", w.investigator)
    clean(text)
    assert "：否。" not in text and "引用条款" not in text
    assert "（一）张三同志未违反党的纪律和国家法律法规的禁止性规定。" in text
    assert "受理前" in text and f"{early.year}年{early.month}月{early.day}日走访李四的记录载明" in text
    process = part(text, "二、调查核实过程", "三、查明的事实")
    opened = process.index("调查组开始调查核实")
    assert process.index("李四") < opened  # no interview told as if held after the investigation opened


def test_feedback_speaks_to_the_cadre_and_the_letter_says_it_once(world, body) -> None:
    case = after_decision(world, decided(world))
    _, feedback = issue(world, case, "feedback")
    clean(feedback)
    body_text = feedback.split("张三同志：", 1)[1]
    assert "张三同志" not in body_text and "决定对你予以容错，免除相关责任" in body_text
    _, letter = issue(world, case, "organisation_letter", world.org_liaison)
    clean(letter)
    assert letter.count("三、结果运用") == 1
    assert letter.count("同等看待") + letter.count("同样看待") <= 1
    _, filing = issue(world, case, "filing_report")
    clean(filing)
    doc = actions.issue_document(world.secretary, case.pk, "decision")
    assert doc.number.startswith("苏纪发〔")


def test_no_internal_wording_in_any_kind(world, body) -> None:
    from .checks import xml_text
    from .every_kind import docx_bytes, every_kind

    for kind, doc in every_kind(world).items():
        text = xml_text(docx_bytes(doc))
        for bad in INTERNAL:
            if kind == "investigation_report" and bad in ("尚未查明", "未查明"):
                continue  # the internal report may say what is still to be established
            assert bad not in text, (kind, bad)
