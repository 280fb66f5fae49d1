"""Documents after the decision (written feedback, the letter to the organisation department, the filing
report, the correction notice), the written clarification 「澄清正名」, the public notice (from the
de-identified rendition only) and the pre-filing acknowledgement 「报备容错受理决定书」."""

from __future__ import annotations

from pydantic import Field

from rongcuo.cases.models import PreFiling
from rongcuo.cases.payloads import Payload
from rongcuo.core.errors import Conflict
from rongcuo.disclosure.models import Rendition, RenditionStatus
from rongcuo.outcomes.models import Clarification, CorrectionPlan

from .kinds import CASE_STAFF, Ctx, Draft, Kind, register
from .layout import cn_date
from .sources import FORM_LABELS, CaseData, local_date, result_use_text, sentence, strip_end
from .texts_case import _appeal_sentence, _data, _organ, _policy


def _result(d: CaseData) -> str:
    dec = d.require_decision()
    text = f"{dec.organ}于{cn_date(dec.decided_on)}决定对{d.short}"
    if dec.outcome == "exempt":
        text += f"予以容错免责，{dec.disposition}。"
    elif dec.outcome == "mitigate":
        text += f"{dec.disposition}"
        text += f"，影响期{dec.influence_months}个月。" if dec.influence_months else "。"
    else:
        text += "不予容错，依规依纪依法予以处理。"
    if dec.form:
        text += f"本案处理属于“四种形态”中的{FORM_LABELS.get(dec.form, '')}。"
    return text


# --- 书面反馈 ----------------------------------------------------------------------------------------------


def build_feedback(ctx: Ctx) -> Draft:
    d = _data(ctx)
    d.require_decision()
    draft = Draft(title=f"关于{d.short}容错认定结果的书面反馈", addressee=d.addressee)
    how = "申请容错免责" if d.case.start_type != "proactive" else "容错认定"
    draft.p(f"{d.you}{how}一案（案件编号：{d.case.number}），经调查核实、集体研判，现将认定结果反馈如下：")
    draft.p(_result(d))
    text = d.payload("give_feedback").get("text", "")
    if text:
        draft.p(text)
    draft.p(_appeal_sentence(d, _organ(ctx)))
    draft.p("特此反馈。")
    draft.organ, draft.date = _organ(ctx), ctx.today
    draft.cc = [] if d.is_unit else [f"{d.case.unit.name}党委（党组）"]
    draft.fields = {"subject": d.short, "result": _result(d), "feedback_text": text}
    return draft


# --- 函告组织部门 ---------------------------------------------------------------------------------------------


class LetterIn(Payload):
    recipient: str = Field(default="", max_length=128, description="组织部门（默认取函告记录）")


def build_organisation_letter(ctx: Ctx) -> Draft:
    d = _data(ctx)
    dec = d.require_decision()
    recipient = ctx.inputs.recipient or d.payload("notify_organisation").get("recipient", "")
    if not recipient:
        recipient = f"中共{d.case.jurisdiction.name}委员会组织部"
    draft = Draft(title=f"关于{d.short}容错认定结果的函", addressee=f"{recipient}：")
    draft.p(f"现将{d.position_name}容错认定结果函告如下：")
    draft.h1("一、基本情况")
    draft.p(f"{d.description}。", d.case.summary)
    draft.h1("二、认定结果")
    draft.p(_result(d))
    draft.h1("三、结果运用")
    uses = result_use_text(dec)
    if dec.outcome == "exempt":
        draft.p("对予以容错免责的干部，在年度考核、评先评优、选拔任用、职级晋升、职称评聘等方面同等看待，不受影响。")
    elif dec.outcome == "mitigate" and dec.influence_months is not None:
        draft.p(f"影响期{dec.influence_months}个月，期满后按照有关规定正常使用。")
    draft.p(*uses)
    letter = d.payload("notify_organisation").get("letter", "")
    if letter:
        draft.p(letter)
    draft.p("请在干部考核、选拔任用、评先评优等工作中予以运用。", "特此函告。")
    draft.organ, draft.date = _organ(ctx), ctx.today
    draft.fields = {"subject": d.short, "recipient": recipient, "result": _result(d), "letter": letter}
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
    draft.p(_result(d))
    refs = (dec.evaluation or {}).get("citations") or []
    if refs:
        draft.p(f"依据条款：{'；'.join(refs)}。")
    report = d.payload("file_report").get("report", "")
    if report:
        draft.p(report)
    draft.p("特此报告。")
    draft.organ, draft.date = _organ(ctx), ctx.today
    draft.fields = {"subject": d.short, "filed_with": to, "result": _result(d), "citations": refs}
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


def build_public_notice(ctx: Ctx) -> Draft:
    r: Rendition = ctx.source
    if r.status != RenditionStatus.PUBLISHED:
        raise Conflict("公开文本尚未审核公开，不能生成公告", field="kind")
    draft = Draft(title=f"关于{r.region}一起容错纠错案例的公告")
    policy = r.policy_title if "《" in (r.policy_title or "") else f"《{r.policy_title}》"
    draft.p(
        f"根据{policy if r.policy_title else '有关规定'}，现将{r.region}一起容错纠错案例"
        f"（公开编号：{r.public_number}）公开如下："
    )
    draft.h1("一、基本情况")
    draft.p(r.title, r.subject, r.summary)
    draft.h1("二、认定依据")
    draft.p(r.basis)
    from .sources import reasons

    draft.p(*reasons({"explanation": r.explanation}))
    for a in r.cited_articles or []:
        draft.p(f"{a.get('ref', '')}规定：“{strip_end(a.get('text', ''))}。”")
    draft.h1("三、处理结果")
    draft.p(f"{r.organ}于{cn_date(r.decided_on)}作出决定。{r.result}")
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
