"""Documents after the decision (written feedback, the letter to the organisation department, the filing
report, the correction notice), the written clarification 「澄清正名」, the public notice (from the
de-identified rendition only) and the pre-filing acknowledgement 「报备容错受理决定书」."""

from __future__ import annotations

import re

from pydantic import Field

from rongcuo.cases.models import PreFiling
from rongcuo.cases.payloads import Payload
from rongcuo.core.errors import Conflict
from rongcuo.disclosure.models import Rendition, RenditionStatus
from rongcuo.outcomes.models import Clarification, CorrectionPlan

from .decision_model import ARTICLE_REF, BASE_MEASURES, PLACEHOLDER_ORGANS, Citation, DecisionModel, measure_title
from .kinds import CASE_STAFF, Ctx, Draft, Kind, register
from .layout import cn_date
from .sources import local_date, sentence, strip_end
from .texts_case import _appeal_sentence, _data, _organ, _policy, party_body


def _model(ctx: Ctx) -> DecisionModel:
    return DecisionModel.build(_data(ctx), _organ(ctx))


# --- 书面反馈 ----------------------------------------------------------------------------------------------


def build_feedback(ctx: Ctx) -> Draft:
    """Addressed to the cadre (or unit) and speaking to them: 你 / 你单位."""
    d = _data(ctx)
    m = _model(ctx)
    you = d.you
    draft = Draft(title=f"关于{d.short}容错认定结果的书面反馈", addressee=d.addressee)
    how = "提出的容错免责申请" if d.case.start_type != "proactive" else "的容错认定"
    draft.p(f"{you}{how}（案件编号：{d.case.number}），经调查核实、集体研判，现将认定结果反馈如下：")
    draft.p(m.result(you))
    if m.grounds:
        draft.p("主要理由：" + "；".join(m.grounds).replace(d.short, you) + "。")
    if m.tolerated and m.result_use:
        draft.p("".join(m.result_use))
    text = d.payload("give_feedback").get("text", "")
    if text:
        draft.p(sentence(text))
    draft.p(_appeal_sentence(d, _organ(ctx)))
    draft.p("特此反馈。")
    draft.organ, draft.date = _organ(ctx), ctx.today
    draft.cc = [] if d.is_unit else [party_body(d.case.unit.name)]
    draft.fields = {"subject": d.short, "result": m.result(you), "feedback_text": text}
    return draft


# --- 函告组织部门 ---------------------------------------------------------------------------------------------


class LetterIn(Payload):
    recipient: str = Field(default="", max_length=128, description="组织部门（默认取函告记录）")


DEFAULT_RESULT_USE = {
    "exempt": "对予以容错免责的干部，在年度考核、评先评优、选拔任用、职级晋升、职称评聘等方面同等看待，不受影响。",
    "mitigate": "对从轻、减轻处理的干部，影响期满后按照有关规定正常使用。",
}


def build_organisation_letter(ctx: Ctx) -> Draft:
    d = _data(ctx)
    m = _model(ctx)
    recipient = ctx.inputs.recipient or d.payload("notify_organisation").get("recipient", "")
    if not recipient:
        recipient = f"中共{d.case.jurisdiction.name}委员会组织部"
    draft = Draft(title=f"关于{d.short}容错认定结果的函", addressee=f"{recipient}：")
    draft.p(f"现将{d.position_name}容错认定结果函告如下：")
    draft.h1("一、基本情况")
    draft.p(f"{d.description}。", d.case.summary)
    draft.h1("二、认定结果")
    draft.p(m.result())
    if m.tolerated:
        draft.h1("三、结果运用")
        # the measure's own result-use articles, or the general rule where it has none: one paragraph
        draft.p(*(m.result_use or [DEFAULT_RESULT_USE[m.outcome]]))
    letter = d.payload("notify_organisation").get("letter", "")
    if letter:
        draft.p(sentence(letter))
    draft.p("特此函告。")
    draft.organ, draft.date = _organ(ctx), ctx.today
    draft.fields = {"subject": d.short, "recipient": recipient, "result": m.result(), "letter": letter}
    return draft


# --- 备案报告 -------------------------------------------------------------------------------------------------


class FilingIn(Payload):
    filed_with: str = Field(default="", max_length=128, description="报备机关（默认取报备记录）")
    signer: str = Field(default="", max_length=32, description="签发人（默认取发文机关设置）")


def build_filing_report(ctx: Ctx) -> Draft:
    d = _data(ctx)
    dec = d.require_decision()
    to = ctx.inputs.filed_with or d.payload("file_report").get("filed_with", "")
    if not to:
        to = f"中共{d.case.jurisdiction.name}委员会"
    word = {"exempt": "容错免责", "mitigate": "从轻减轻处理"}.get(dec.outcome, "容错认定")
    draft = Draft(title=f"关于{d.short}{word}情况的备案报告", addressee=f"{to}：")
    draft.p(f"根据{_policy(d)}有关规定，现将{d.position_name}容错认定情况报备如下：")
    draft.h1("一、基本情况")
    draft.p(f"{d.description}。", d.case.summary)
    draft.h1("二、认定过程")
    from .texts_case import _process

    draft.p(*_process(d))
    draft.h1("三、认定结果和依据")
    m = _model(ctx)
    draft.p(m.result())
    if m.grounds:
        draft.p("认定理由：" + "；".join(m.grounds) + "。")
    draft.p(*(c.sentence() for c in m.citations))
    refs = [f"{c.measure}{c.ref}" for c in m.citations]
    report = d.payload("file_report").get("report", "")
    if report:
        draft.p(sentence(report))
    draft.p("特此报告。")
    draft.organ, draft.date = _organ(ctx), ctx.today
    draft.fields = {"subject": d.short, "filed_with": to, "result": m.result(), "citations": refs}
    return draft


# --- 纠错整改通知书 -----------------------------------------------------------------------------------------------


def build_correction_notice(ctx: Ctx) -> Draft:
    d = _data(ctx)
    dec = d.require_decision()
    plan = CorrectionPlan.objects.filter(case=d.case).first()
    if plan is None:
        raise Conflict("本案尚未制定纠错整改方案", field="kind")
    to = d.case.unit.name
    draft = Draft(title="纠错整改通知书", addressee=f"{to}：")
    draft.p(
        f"根据{dec.organ}{cn_date(dec.decided_on)}作出的决定，现就“{d.case.title}”中的失误错误通知"
        f"{'你单位' if d.is_unit else f'你单位及{d.short}'}纠错整改。有关事项如下："
    )
    draft.h1("一、整改依据")
    draft.p(plan.basis)
    draft.h1("二、整改责任人")
    draft.p(f"{strip_end(plan.responsible)}。")
    draft.h1("三、整改措施")
    draft.p(plan.measures)
    draft.h1("四、整改时限")
    for i, m in enumerate(plan.milestones.order_by("seq")):
        draft.h2(f"（{'一二三四五六七八九十'[i % 10]}）{m.title}")
        draft.p(f"{cn_date(m.due_on)}前完成。" + sentence(m.description))
    draft.p(f"全部整改措施须于{cn_date(plan.deadline_on)}前完成。")
    draft.h1("五、工作要求")
    draft.p(
        "请按照整改节点报告纠偏进度，接受过程考核；整改完成后报送整改情况及佐证材料，经核验后销号。",
        "对拒不纠错或者整改不力的，依规依纪依法追究责任。",
    )
    draft.organ, draft.date = _organ(ctx), local_date(plan.created_at) or ctx.today
    draft.fields = {
        "subject": d.short,
        "responsible": plan.responsible,
        "basis": plan.basis,
        "measures": plan.measures,
        "deadline_on": cn_date(plan.deadline_on),
        "milestones": [{"title": m.title, "due_on": cn_date(m.due_on)} for m in plan.milestones.order_by("seq")],
    }
    return draft


# --- 澄清正名 ---------------------------------------------------------------------------------------------------


def build_clarification(ctx: Ctx) -> Draft:
    cl: Clarification = ctx.source
    report = cl.report
    cadre = report.cadre
    who = f"{cadre.name}同志"
    matters = list(cl.matters.order_by("seq"))
    draft = Draft(title=f"关于为{who}澄清正名的通知", addressee=f"{report.unit.name}：")
    draft.p(
        f"{cn_date(report.received_on)}，{cl.organ}收到反映{report.unit.name}{cadre.position}{who}有关问题的检举控告。"
        f"经核实，所反映的下列问题不属实："
    )
    for i, m in enumerate(matters):
        draft.p(f"{'一二三四五六七八九十'[i % 10]}、{strip_end(m.text)}。核实结论：{m.get_finding_display()}。")
    draft.p(cl.written_text)
    draft.p(
        f"现以{'、'.join(cl.method_labels())}方式，在{strip_end(cl.scope)}范围内予以澄清，消除不良影响，为{who}正名。"
        "任何组织和个人不得借此对其进行打击报复、另眼相看。"
    )
    if report.false_accusation_referred:
        draft.p(f"对诬告陷害行为，已移送{report.referred_to}依规依纪依法处理。")
    draft.organ, draft.date = ctx.body.name if ctx.body else cl.organ, cl.held_on
    draft.fields = {
        "subject": who,
        "received_on": cn_date(report.received_on),
        "matters": [{"text": m.text, "finding": m.get_finding_display()} for m in matters],
        "written_text": cl.written_text,
        "scope": cl.scope,
        "methods": cl.method_labels(),
    }
    return draft


# --- 公开公告（只取去标识化的公开文本） -----------------------------------------------------------------------------


_INTERNAL_REF = re.compile(r"（[^（）]*·[^（）]*）")


def build_public_notice(ctx: Ctx) -> Draft:
    """From the de-identified rendition only; the same rules as the decision: the outcome and the
    disposition stated once, articles by the measure's title (verified texts only), no engine wording."""
    r: Rendition = ctx.source
    if r.status != RenditionStatus.PUBLISHED:
        raise Conflict("公开文本尚未审核公开，不能生成公告", field="kind")
    draft = Draft(title=f"关于{r.region}一起容错纠错案例的公告")
    measure = measure_title(r.policy_title)
    draft.p(f"根据{measure}，现将{r.region}一起容错纠错案例（公开编号：{r.public_number}）公开如下：")
    draft.h1("一、基本情况")
    draft.p(r.title, r.subject, r.summary)
    draft.h1("二、认定依据")
    explanation = (r.explanation or "").strip()
    basis = (r.basis or "").strip()
    if basis and basis != explanation and not basis.startswith("依据"):
        draft.p(sentence(basis))
    if r.outcome in ("exempt", "mitigate"):
        draft.p("经审查，当事人的失误错误符合容错条件、属于容错情形。")
    elif r.outcome == "not_tolerated":
        draft.p("经审查，当事人的失误错误存在不予容错的情形。")
    for a in r.cited_articles or []:
        ref = a.get("ref", "")
        if not a.get("verified") or not a.get("text"):
            continue  # wording not verified word for word: not quoted as the measure's text
        if ref in BASE_MEASURES:
            draft.p(Citation(BASE_MEASURES[ref], "", a["text"]).sentence())
        elif "未核实" not in ref and "解读" not in ref:
            draft.p(Citation(measure, ref if ARTICLE_REF.match(ref) else "", a["text"]).sentence())
    draft.h1("三、处理结果")
    if r.outcome == "not_tolerated":
        handling = "不予容错，依规依纪依法予以问责处理"
    else:
        handling = f"予以容错，{r.disposition}" + (f"，影响期{r.influence_months}个月" if r.influence_months else "")
    organ = r.organ if r.organ not in PLACEHOLDER_ORGANS else (ctx.body.name if ctx.body else "")
    draft.p(f"{organ}于{cn_date(r.decided_on)}决定对当事人{handling}。")
    uses = _INTERNAL_REF.sub("", (r.result or "").split("结果运用：", 1)[1]) if "结果运用：" in (r.result or "") else ""
    if uses:
        draft.p("结果运用：" + sentence(strip_end(uses)))
    draft.p("欢迎社会各界予以监督。")
    draft.organ = ctx.body.name if ctx.body else r.organ
    draft.date = local_date(r.published_at) or r.decided_on
    draft.note = "此件公开发布"
    draft.fields = {
        "public_number": r.public_number,
        "region": r.region,
        "case_title": r.title,
        "subject": r.subject,
        "summary": r.summary,
        "basis": r.basis,
        "explanation": r.explanation,
        "result": r.result,
        "decided_on": cn_date(r.decided_on),
        "citations": [{"ref": a.get("ref", ""), "text": a.get("text", "")} for a in r.cited_articles or []],
    }
    return draft


# --- 报备容错受理决定书 ----------------------------------------------------------------------------------------------


def build_prefiling_ack(ctx: Ctx) -> Draft:
    pre: PreFiling = ctx.source
    if pre.status != "acknowledged":
        raise Conflict("该事前报备尚未受理（或已退回），不能出具受理决定书", field="kind")
    submitted = local_date(pre.submitted_at)
    draft = Draft(title="报备容错受理决定书", addressee=f"{pre.unit.name}：")
    draft.p(
        f"你单位于{cn_date(submitted)}报备的“{pre.title}”事项（报备编号：{pre.number}）收悉。经审查，"
        "该事项属于改革创新、先行先试的探索性工作，风险防控措施基本可行，决定予以受理备案。"
    )
    draft.h1("一、报备事项")
    draft.p(pre.measure)
    draft.h1("二、风险及防控措施")
    draft.p(pre.risks, pre.safeguards)
    draft.h1("三、预期效果")
    draft.p(pre.expected_effect)
    draft.h1("四、审查意见")
    draft.p(pre.response)
    draft.p(
        "请你单位严格按照报备方案组织实施，健全风险防控措施，发现问题及时纠正并报告。"
        "实施过程中因先行先试出现失误错误、符合容错条件的，依照有关规定予以容错免责；"
        "未按报备方案实施或者借改革之名谋取私利的，不予容错。"
    )
    draft.organ, draft.date = ctx.body.name if ctx.body else "", local_date(pre.acknowledged_at) or ctx.today
    draft.fields = {
        "prefiling_number": pre.number,
        "unit_name": pre.unit.name,
        "measure_title": pre.title,
        "measure": pre.measure,
        "risks": pre.risks,
        "safeguards": pre.safeguards,
        "expected_effect": pre.expected_effect,
        "response": pre.response,
        "submitted_on": cn_date(submitted),
    }
    return draft


LIAISON = CASE_STAFF | {"org_liaison"}

register(Kind("feedback", "书面反馈", build_feedback, ("subject", "result", "feedback_text"), series="函"))
register(
    Kind(
        "organisation_letter",
        "函告组织部门",
        build_organisation_letter,
        ("subject", "recipient", "result", "letter"),
        roles=LIAISON,
        series="函",
        inputs=LetterIn,
        readers=LIAISON,
    )
)
register(
    Kind(
        "filing_report",
        "备案报告",
        build_filing_report,
        ("subject", "filed_with", "result", "citations"),
        upward=True,
        inputs=FilingIn,
        readers=LIAISON,
    )
)
register(
    Kind(
        "correction_notice",
        "纠错整改通知书",
        build_correction_notice,
        ("subject", "responsible", "basis", "measures", "deadline_on", "milestones"),
    )
)
register(
    Kind(
        "clarification",
        "澄清正名通知",
        build_clarification,
        ("subject", "received_on", "matters", "written_text", "scope", "methods"),
        roles=frozenset({"handler"}),
        source="clarification",
    )
)
register(
    Kind(
        "public_notice",
        "容错纠错案例公告",
        build_public_notice,
        (
            "public_number",
            "region",
            "case_title",
            "subject",
            "summary",
            "basis",
            "explanation",
            "result",
            "decided_on",
            "citations",
        ),
        roles=frozenset({"publisher"}),
        source="rendition",
    )
)
register(
    Kind(
        "prefiling_ack",
        "报备容错受理决定书",
        build_prefiling_ack,
        (
            "prefiling_number",
            "unit_name",
            "measure_title",
            "measure",
            "risks",
            "safeguards",
            "expected_effect",
            "response",
            "submitted_on",
        ),
        roles=frozenset({"handler"}),
        source="prefiling",
    )
)
