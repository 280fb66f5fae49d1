"""Documents of the procedure up to the decision: applications, acceptance or refusal, the investigation
report, the preliminary finding that opens 申辩, the receipt of a defence, the commission of a third-party
evaluation, the hearing notice and the decision with its variants."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from rongcuo.cases.payloads import Payload
from rongcuo.core.errors import Conflict, Invalid

from .decision_model import (
    PLACEHOLDER_ORGANS,
    DecisionModel,
    citations,
    cn_numeral,
    established_facts,
    measure_title,
)
from .kinds import CASE_STAFF, Ctx, Draft, Kind, register
from .layout import cn_date
from .sources import (
    FORM_LABELS,
    CaseData,
    local_date,
    sentence,
    strip_end,
)

NUMERALS = "一二三四五六七八九十"


def _data(ctx: Ctx) -> CaseData:
    assert ctx.data is not None
    return ctx.data


def _organ(ctx: Ctx) -> str:
    """The real deciding body: the issuing body set for the case's jurisdiction (or the nearest above it),
    else the jurisdiction's 纪委 by name; never a role such as 「容错实施机构」."""
    if ctx.body is not None:
        return ctx.body.name
    d = _data(ctx)
    named = (d.case.procedure or {}).get("deciding_body") or ""
    if named and named not in PLACEHOLDER_ORGANS:
        return named
    return f"中共{d.case.jurisdiction.name}纪律检查委员会"


def party_body(unit_name: str) -> str:
    """The unit's Party organisation: a town's 党委 (中共某镇委员会), a department's 党组 (中共某局党组),
    another unit's 党委 (中共某公司委员会)."""
    name = unit_name.strip()
    if name.endswith("人民政府"):
        return f"中共{name.removesuffix('人民政府')}委员会"
    if name.endswith(("局", "厅", "委员会", "委", "办公室", "办", "署", "院", "部")):
        return f"中共{name}党组"
    return f"中共{name}委员会"


def _policy(d: CaseData) -> str:
    title = d.policy_title
    return title if "《" in title else f"《{title}》"


def _appeal_sentence(d: CaseData, organ: str) -> str:
    days = d.stage_days("appeal_window")
    within = f"自收到本决定之日起{days[0]}{days[1]}内" if days else "在规定期限内"
    return f"如对本决定不服，可以{within}向{organ}提出申诉。申诉期间，不停止本决定的执行。"


# --- 容错免责申请书 ----------------------------------------------------------------------------------------


def _application_common(d: CaseData, draft: Draft) -> None:
    draft.h1("一、申请事项")
    draft.p(f"申请对{'本单位' if d.is_unit else '本人'}在“{d.case.title}”中出现的失误错误予以容错免责。")
    draft.h1("二、事实和理由")
    draft.p(d.case.summary)
    if d.case.conduct_date:
        draft.p(f"上述行为发生于{cn_date(d.case.conduct_date)}。")
    if d.case.matter_id:
        m = d.case.matter
        draft.p(f"{m.initiating_organ}已于{cn_date(m.started_on)}就“{m.title}”启动问责程序。")
    draft.p(d.payload("apply").get("statement", ""))


def build_application_individual(ctx: Ctx) -> Draft:
    d = _data(ctx)
    if d.is_unit:
        raise Conflict("本案为单位申请，请生成单位容错免责申请书", field="kind")
    endorse = d.require("endorse", "单位党委（党组）尚未审核同意，申请书须载明单位党委（党组）意见")
    party = party_body(d.case.unit.name)
    p = d.payload("endorse")
    draft = Draft(title="容错免责申请书", addressee=f"{_organ(ctx)}：")
    draft.p(f"申请人：{d.description}。")
    _application_common(d, draft)
    draft.p("本人保证所述情况属实，愿意配合组织调查核实。")
    draft.h1(f"{NUMERALS[2]}、{party}意见")
    draft.p(
        f"{cn_date(local_date(endorse.at))}，{party}对该申请进行了集体讨论。"
        f"讨论情况：{sentence(p.get('discussion', ''))}",
        f"审核意见：{sentence(p.get('opinion', ''))}",
    )
    draft.organ = f"申请人：{d.name}"
    draft.date = local_date(d.require("apply", "本案不是依申请启动的").at)
    draft.fields = {
        "applicant_name": d.name,
        "applicant_description": d.description,
        "unit_name": d.case.unit.name,
        "statement": d.payload("apply").get("statement", ""),
        "unit_discussion": p.get("discussion", ""),
        "unit_opinion": p.get("opinion", ""),
        "endorsed_on": cn_date(local_date(endorse.at)),
    }
    return draft


def build_application_unit(ctx: Ctx) -> Draft:
    d = _data(ctx)
    if not d.is_unit:
        raise Conflict("本案为个人申请，请生成个人容错免责申请书", field="kind")
    apply = d.require("apply", "本案不是依申请启动的")
    draft = Draft(title="容错免责申请书", addressee=f"{_organ(ctx)}：")
    draft.p(f"申请单位：{d.case.unit.name}。")
    _application_common(d, draft)
    draft.h1("三、对照免责清单自查情况")
    draft.p(d.payload("apply").get("self_check", ""))
    draft.p("本单位经集体讨论并听取干部职工意见后提出本申请，保证所述情况属实，愿意配合组织调查核实。")
    draft.organ = d.case.unit.name
    draft.date = local_date(apply.at)
    draft.fields = {
        "unit_name": d.case.unit.name,
        "statement": d.payload("apply").get("statement", ""),
        "self_check": d.payload("apply").get("self_check", ""),
    }
    return draft


# --- 受理 / 不予受理 -----------------------------------------------------------------------------------------


def _applied(d: CaseData) -> str:
    return d.on("apply") or d.started_on


def build_acceptance(ctx: Ctx) -> Draft:
    d = _data(ctx)
    ev = d.require("accept", "本案尚未受理")
    due = d.due("investigation")
    draft = Draft(title="容错免责申请受理通知书", addressee=d.addressee)
    draft.p(
        f"{d.you}于{_applied(d)}提出的容错免责申请（案件编号：{d.case.number}）收悉。经审查，"
        "该申请符合受理条件，决定予以受理。",
        f"我机关将依照{_policy(d)}等有关规定开展调查核实，重点了解主观动机、客观条件制约和结果危害程度等情况。"
        f"请{d.you}积极配合，如实提供有关材料。"
        + (f"调查核实工作一般应于{cn_date(due.due_on)}前完成。" if due else ""),
    )
    note = d.payload("accept").get("note", "")
    if note:
        draft.p(f"受理意见：{sentence(note)}")
    draft.p("特此通知。")
    draft.organ, draft.date = _organ(ctx), local_date(ev.at)
    draft.cc = [] if d.is_unit else [party_body(d.case.unit.name)]
    draft.fields = {"subject": d.short, "applied_on": _applied(d), "accept_note": note}
    return draft


def build_refusal(ctx: Ctx) -> Draft:
    d = _data(ctx)
    ev = d.require("refuse", "本案没有不予受理的决定")
    reason = d.payload("refuse").get("reason", "")
    draft = Draft(title="容错免责申请不予受理通知书", addressee=d.addressee)
    draft.p(
        f"{d.you}于{_applied(d)}提出的容错免责申请（案件编号：{d.case.number}）收悉。经审查，"
        f"{strip_end(reason)}，根据{_policy(d)}等有关规定，决定不予受理。",
        f"{d.you}如有新的事实和证据，可以依照有关规定重新提出申请。",
        "特此通知。",
    )
    draft.organ, draft.date = _organ(ctx), local_date(ev.at)
    draft.cc = [] if d.is_unit else [party_body(d.case.unit.name)]
    draft.fields = {"subject": d.short, "applied_on": _applied(d), "reason": reason}
    return draft


# --- 调查核实报告 -------------------------------------------------------------------------------------------


def build_investigation_report(ctx: Ctx) -> Draft:
    d = _data(ctx)
    ev = d.require("submit_report", "调查组尚未提交调查核实报告")
    who = d.short
    draft = Draft(title=f"关于{who}有关问题的调查核实报告", addressee=f"{_organ(ctx)}：")
    draft.p(f"根据工作安排，调查组对{d.position_name}容错认定有关问题进行了调查核实。现将有关情况报告如下：")
    draft.h1("一、基本情况")
    draft.p(f"{d.description}。", d.case.summary)
    draft.h1("二、调查核实过程")
    opened_at = d.event("accept") or d.event("open_proactive")
    opened = local_date(opened_at.at) if opened_at else local_date(d.case.created_at)
    interviews = list(d.case.interviews.order_by("held_on", "id"))
    earlier = [iv for iv in interviews if opened and iv.held_on < opened]
    if earlier:
        names = "、".join(iv.interviewee for iv in earlier)
        draft.p(f"受理前，有关部门在问责调查中已走访{names}，调查组调阅了相应记录。")
    draft.p(f"{cn_date(opened)}，调查组开始调查核实，调阅了有关文件资料，并走访了解有关情况。")
    for iv in interviews:
        if iv in earlier:
            draft.p(f"{cn_date(iv.held_on)}走访{iv.interviewee}的记录载明：{sentence(iv.content)}")
        else:
            draft.p(f"{cn_date(iv.held_on)}，调查组走访{iv.interviewee}。{sentence(iv.content)}")
    draft.h1("三、查明的事实")
    facts = established_facts(d)
    if facts:
        draft.p("经调查核实，查明以下事实：")
        for i, f in enumerate(facts):
            draft.p(f"（{cn_numeral(i + 1)}）{f.sentence(who)}")
    unknown = [label for label, value, _ in d.facts() if value == "未查明"]
    if unknown:
        draft.p(f"以下事项尚未查明，有待进一步核实：{'、'.join(unknown)}。")
    draft.h1("四、对照规定的评估情况")
    ev_live = d.live_evaluation
    measure = measure_title(ev_live.get("title") or d.policy_title)
    outcome = ev_live.get("outcome")
    verdict = {
        "exempt": "符合容错条件、属于容错情形，可以予以容错",
        "mitigate": "符合从轻、减轻处理的情形",
        "not_tolerated": "存在不予容错的情形，不予容错",
        "undetermined": "尚不能作出结论，须待上述事项查明",
    }.get(outcome or "", "")
    if verdict:
        draft.p(f"对照{measure}有关规定逐项评估，调查组认为：{who}的失误错误{verdict}。")
    live = [c.sentence() for c in citations(outcome or "", ev_live, _live_version(d), measure)] if outcome else []
    draft.p(*live)
    draft.h1("五、调查结论")
    draft.p(d.payload("submit_report").get("report", ""))
    draft.organ, draft.date = "调查组", local_date(ev.at)
    draft.fields = {
        "subject": who,
        "report": d.payload("submit_report").get("report", ""),
        "facts": [{"label": a, "value": b, "comment": c} for a, b, c in d.facts()],
        "explanation": ev_live.get("explanation", ""),
    }
    return draft


def _live_version(d: CaseData):
    from rongcuo.cases import evaluation

    versions = evaluation.pinned_versions(d.case)
    return versions[0] if versions else None


# --- 初步认定（进入申辩）与申辩回执 ------------------------------------------------------------------------------


def build_preliminary_finding(ctx: Ctx) -> Draft:
    """认定书: what was established and why it qualifies (from the facts and the measure), said once; the
    handler's own note is not echoed."""
    d = _data(ctx)
    ev = d.require("find_qualifying", "本案尚未初步认定符合容错情形")
    p = d.payload("find_qualifying")
    due = d.due("defence")
    days = d.stage_days("defence")
    who = d.you
    draft = Draft(title=f"关于{d.short}符合容错情形的初步认定书", addressee=d.addressee)
    facts = established_facts(d)
    conditions = [f.statement for f in facts if f.group == "condition" and f.value]
    situations = [f.statement for f in facts if f.group == "situation" and f.value]
    clean = not [f for f in facts if f.group == "red_line" and f.value]
    ev_live = d.live_evaluation
    measure = measure_title(ev_live.get("title") or d.policy_title)
    draft.p(f"我机关对{who}在“{d.case.title}”中出现的失误错误进行了调查核实。经审查：")
    found = []
    if clean:
        found.append("未发现不予容错的情形")
    if conditions:
        found.append(f"{who}{'，'.join(conditions)}")
    if situations:
        found.append(f"{'，'.join(situations)}")
    if found:
        draft.p("；".join(found) + "。")
    draft.p(f"据此，依照{measure}有关规定，认定{who}的失误错误符合容错条件、属于容错情形。")
    cites = [c.sentence() for c in citations("exempt", ev_live, _live_version(d), measure)]
    draft.p(*cites)
    limit = f"自收到本认定书之日起{days[0]}{days[1]}内" if days else "在规定期限内"
    draft.p(
        f"{who}如有异议，可以{limit}"
        + (f"（{cn_date(due.due_on)}前）" if due else "")
        + "向我机关提交书面申辩报告，并提供相关证据材料；有关单位和个人可以作证。逾期未提交的，视为放弃申辩。"
    )
    if p.get("major_matter"):
        draft.p("本案属于重大过错事项，我机关将委托第三方机构进行评估。")
    if p.get("public_interest_involved"):
        draft.p("本案涉及重大社会公共利益，我机关将依照有关规定举行群众听证会。")
    draft.p("特此通知。")
    draft.organ, draft.date = _organ(ctx), local_date(ev.at)
    draft.fields = {
        "subject": d.short,
        "finding": p.get("finding", ""),
        "defence_due_on": cn_date(due.due_on) if due else "",
        "citations": cites,
    }
    return draft


def build_defence_receipt(ctx: Ctx) -> Draft:
    d = _data(ctx)
    ev = d.require("submit_defence", "当事人尚未提交申辩报告")
    p = d.payload("submit_defence")
    n = len(p.get("attachment_ids") or [])
    witnesses = p.get("witnesses") or []
    draft = Draft(title="申辩材料接收回执", addressee=d.addressee)
    draft.p(
        f"{d.you}于{cn_date(local_date(ev.at))}提交的申辩报告"
        + (f"及证据材料{n}份" if n else "")
        + "已收到。"
        + (f"{d.you}提出的证人{'、'.join(witnesses)}，我机关将视情听取其证言。" if witnesses else ""),
        "我机关将在集体研判时对申辩意见和证据材料认真研究，并将认定结果书面告知。",
        "特此回执。",
    )
    draft.organ, draft.date = _organ(ctx), local_date(ev.at)
    draft.fields = {"subject": d.short, "received_on": cn_date(local_date(ev.at)), "witnesses": witnesses}
    return draft


# --- 第三方评估委托书、听证通知 ------------------------------------------------------------------------------------


class CommissionIn(Payload):
    evaluator_org: str = Field(default="", max_length=200, description="受托评估机构（已提交评估的，取评估机构）")
    due_on: dt.date | None = Field(default=None, description="提交评估报告的期限（默认按程序期限）")


def build_evaluation_commission(ctx: Ctx) -> Draft:
    d = _data(ctx)
    if not d.case.major_matter:
        raise Conflict("本案未认定为重大过错事项，无须第三方评估", field="kind")
    org = ctx.inputs.evaluator_org or d.payload("submit_evaluation").get("evaluator_org", "")
    if not org:
        raise Invalid("须填写受托评估机构", field="evaluator_org")
    dl = d.due("third_party")
    due = ctx.inputs.due_on or (dl.due_on if dl else None)
    draft = Draft(title="第三方评估委托书", addressee=f"{org}：")
    draft.p(
        f"根据{_policy(d)}有关规定，{d.position_name}在“{d.case.title}”中的失误错误属于重大过错事项。"
        f"现委托你单位进行第三方评估（案件编号：{d.case.number}）。有关事项如下："
    )
    draft.h1("一、评估事项")
    draft.p(d.case.summary)
    draft.h1("二、评估内容")
    draft.p(
        "请围绕动机态度、客观条件、程序方法、性质程度、后果影响、挽回损失等方面，对失误错误的性质、程度和影响作出评估，"
        "并对是否符合容错条件提出意见。"
    )
    draft.h1("三、工作要求")
    draft.p(
        "评估应当独立、客观、公正，评估人员与本案有利害关系的应当回避。评估过程中知悉的国家秘密、工作秘密和个人信息应当严格保密。",
        "请于" + (cn_date(due) if due else "规定期限内") + "提交书面评估报告。",
    )
    draft.organ, draft.date = _organ(ctx), ctx.today
    draft.fields = {"subject": d.short, "evaluator_org": org, "due_on": cn_date(due) if due else ""}
    return draft


class HearingIn(Payload):
    held_on: dt.date | None = Field(default=None, description="听证日期（已举行的，取听证记录）")
    time: str = Field(default="", max_length=20, description="时间，如 上午9时")
    place: str = Field(default="", max_length=100, description="地点")


def build_hearing_notice(ctx: Ctx) -> Draft:
    d = _data(ctx)
    if not d.case.public_interest_involved:
        raise Conflict("本案未认定涉及重大社会公共利益，无须听证", field="kind")
    held = ctx.inputs.held_on
    if held is None and d.payload("record_hearing").get("held_on"):
        held = dt.date.fromisoformat(d.payload("record_hearing")["held_on"])
    if held is None:
        raise Invalid("须填写听证日期", field="held_on")
    where = f"在{ctx.inputs.place}" if ctx.inputs.place else ""
    draft = Draft(title="听证通知书", addressee=d.addressee)
    draft.p(
        f"根据{_policy(d)}有关规定，我机关定于{cn_date(held)}{ctx.inputs.time}{where}就{d.position_name}"
        f"在“{d.case.title}”中的失误错误是否予以容错举行群众听证会（案件编号：{d.case.number}）。",
        f"请{d.you}准时参加，可以陈述意见、提供证据；因故不能参加的，请于听证会举行前告知我机关。",
        "听证会公开举行，涉及国家秘密、工作秘密和个人隐私的内容除外。",
        "特此通知。",
    )
    draft.organ, draft.date = _organ(ctx), ctx.today
    draft.fields = {"subject": d.short, "held_on": cn_date(held), "time": ctx.inputs.time, "place": ctx.inputs.place}
    return draft


# --- 决定 ---------------------------------------------------------------------------------------------------


def decision_title(d: CaseData, outcome: str, disposition: str) -> str:
    who = d.short
    if outcome == "exempt":
        return f"关于对{who}予以容错免责的决定"
    if outcome == "mitigate":
        return f"关于对{who}{'减轻' if '减轻' in disposition else '从轻'}处理的决定"
    return f"关于对{who}不予容错的决定"


def _process(d: CaseData) -> list[str]:
    """The steps taken, with the meeting records, in the order they happened."""
    out = []
    if d.case.start_type == "proactive":
        out.append(f"{d.started_on}，我机关在问责调查中同步启动容错认定程序。")
    else:
        line = f"{_applied(d)}，{d.short}提出容错免责申请"
        if d.event("endorse"):
            line += f"，经{party_body(d.case.unit.name)}集体讨论同意后报送我机关"
        out.append(line + "。")
    if d.event("accept"):
        out.append(f"{d.on('accept')}，我机关予以受理，并开展调查核实。")
    if d.event("submit_report"):
        out.append(f"{d.on('submit_report')}，调查组提交调查核实报告。")
    if d.event("find_qualifying"):
        out.append(f"{d.on('find_qualifying')}，我机关初步认定符合容错情形，并告知当事人申辩权利。")
    if d.event("find_not_qualifying"):
        out.append(f"{d.on('find_not_qualifying')}，我机关初步认定不符合容错情形。")
    if d.event("submit_defence"):
        out.append(f"{d.on('submit_defence')}，{d.short}提交申辩报告。")
    ev = d.payload("submit_evaluation")
    if ev:
        org, conclusion = ev.get("evaluator_org", ""), sentence(ev.get("conclusion", ""))
        out.append(f"{d.on('submit_evaluation')}，{org}提交第三方评估报告，评估结论为：{conclusion}")
    hr = d.payload("record_hearing")
    if hr:
        held = dt.date.fromisoformat(hr["held_on"]) if hr.get("held_on") else None
        people = len(hr.get("participants") or [])
        out.append(f"{cn_date(held)}，举行群众听证会，{people}人参加。{sentence(hr.get('summary', ''))}")
    dl = d.payload("deliberate")
    if dl:
        met = dt.date.fromisoformat(dl["met_on"]) if dl.get("met_on") else None
        out.append(
            f"{cn_date(met)}，召开会议集体研判，{'、'.join(dl.get('participants') or [])}参加会议。"
            f"会议意见：{sentence(dl.get('opinions', ''))}"
        )
    return out


def build_decision(ctx: Ctx) -> Draft:
    """Every part is printed from one DecisionModel: the conclusion of part 三 and the decision of part 四
    are the same sentence's two halves, and the reasons and articles are those of that outcome."""
    d = _data(ctx)
    dec = d.require_decision()
    organ = _organ(ctx)
    m = DecisionModel.build(d, organ)
    draft = Draft(title=decision_title(d, m.outcome, m.disposition), addressee=f"{d.case.unit.name}：")
    draft.p(f"{d.description}。")
    draft.h1("一、基本情况")
    draft.p(d.case.summary)
    if d.case.matter_id:
        mt = d.case.matter
        draft.p(f"{mt.initiating_organ}于{cn_date(mt.started_on)}就“{mt.title}”启动问责程序。")
    draft.h1("二、调查核实和认定过程")
    draft.p(*_process(d))
    draft.h1("三、认定的事实和理由")
    facts = m.fact_sentences()
    if facts:
        draft.p("经调查核实，查明以下事实：")
        for i, f in enumerate(facts):
            draft.p(f"（{cn_numeral(i + 1)}）{f}")
    if m.grounds:
        draft.p("经审查认为：" + "；".join(m.grounds) + "。")
    draft.p(*(c.sentence() for c in m.citations))
    draft.p(f"根据{m.measure}有关规定，认定{m.conclusion()}")
    draft.h1("四、处理决定")
    draft.p(m.decision_sentence())
    if m.influence_months is not None:
        draft.p(f"影响期为{m.influence_months}个月，自本决定作出之日起计算。")
    if m.form:
        draft.p(f"按照监督执纪“四种形态”，本案处理属于{FORM_LABELS.get(m.form, '')}。")
    if m.result_use:
        draft.p("结果运用：" + "".join(m.result_use))
    draft.h1("五、申诉权利")
    draft.p(_appeal_sentence(d, organ))
    draft.organ, draft.date = organ, m.decided_on
    draft.cc = [c for c in (ctx.body.cc.split("、") if ctx.body and ctx.body.cc else []) if c]
    draft.fields = {
        "subject": d.short,
        "subject_description": d.description,
        "outcome": m.outcome,
        "disposition": m.disposition,
        "influence_months": m.influence_months,
        "decided_on": cn_date(m.decided_on),
        "deciding_organ": m.meeting,
        "explanation": m.conclusion(),
        "reasons": m.grounds,
        "citations": [{"ref": f"{c.measure}{c.ref}", "text": c.text} for c in m.citations],
        "process": _process(d),
        "basis": dec.basis,
        "policy_title": m.measure,
    }
    return draft


APPLICANTS = frozenset({"applicant", "unit_contact", "unit_reviewer", "handler", "secretary"})

register(
    Kind(
        "application_individual",
        "容错免责申请书（个人）",
        build_application_individual,
        (
            "applicant_name",
            "applicant_description",
            "unit_name",
            "statement",
            "unit_discussion",
            "unit_opinion",
            "endorsed_on",
        ),
        roles=APPLICANTS,
        numbered=False,
    )
)
register(
    Kind(
        "application_unit",
        "容错免责申请书（单位）",
        build_application_unit,
        ("unit_name", "statement", "self_check"),
        roles=APPLICANTS,
        numbered=False,
    )
)
register(Kind("acceptance", "受理通知书", build_acceptance, ("subject", "applied_on", "accept_note")))
register(Kind("refusal", "不予受理通知书", build_refusal, ("subject", "applied_on", "reason")))
register(
    Kind(
        "investigation_report",
        "调查核实报告",
        build_investigation_report,
        ("subject", "report", "facts", "explanation"),
        roles=CASE_STAFF | {"investigator"},
        numbered=False,
        readers=CASE_STAFF | {"investigator"},  # internal: not for the cadre or unit under review
    )
)
register(
    Kind(
        "preliminary_finding",
        "初步认定书（进入申辩）",
        build_preliminary_finding,
        ("subject", "finding", "defence_due_on", "citations"),
    )
)
register(Kind("defence_receipt", "申辩材料接收回执", build_defence_receipt, ("subject", "received_on", "witnesses")))
register(
    Kind(
        "evaluation_commission",
        "第三方评估委托书",
        build_evaluation_commission,
        ("subject", "evaluator_org", "due_on"),
        series="函",
        inputs=CommissionIn,
        readers=CASE_STAFF | {"investigator", "evaluator"},
    )
)
register(
    Kind(
        "hearing_notice",
        "听证通知书",
        build_hearing_notice,
        ("subject", "held_on", "time", "place"),
        inputs=HearingIn,
    )
)
register(
    Kind(
        "decision",
        "容错认定决定",
        build_decision,
        (
            "subject",
            "subject_description",
            "outcome",
            "disposition",
            "influence_months",
            "decided_on",
            "deciding_organ",
            "explanation",
            "reasons",
            "citations",
            "process",
            "basis",
            "policy_title",
        ),
        signable=True,
    )
)
