"""The one model every decision text is generated from, so that its parts cannot disagree.

`DecisionModel.build(data, organ)` reads the case, its decision record and the evaluation pinned at the
decision, and settles once: the outcome and the disposition chosen (the decision record governs), the
deciding body (the jurisdiction's 纪委 / 组织部 from the issuing-body settings, never a placeholder), the
facts established with their sources, the reasons, and the articles cited by the measure's full title and
article number. The decision, the written feedback, the letter to the organisation department and the
filing report print from it.

What never reaches an issued text: the engine's internal wording (「可选处理方式：…」, 「反面解释」,
readings, notes such as 〔措辞未经逐字核实〕), node ids and internal labels of articles (「实施意见·容错处理」
is cited as the measure's title, with 第X条第X款第X项 where the article number is known), article texts not
verified word for word, and 「尚未查明」: a final decision states what was established; where the evaluation
was undetermined, or disagrees with the decision, the deciding body's collective decision and its reasons
govern and are printed instead.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from rongcuo.cases.models import Decision

from .layout import cn_date
from .sources import FORM_LABELS, CaseData, sentence, strip_end

# 第十七条 / 第十七条第二款 / 第十七条第一款第（一）项: an article number fit to print
ARTICLE_REF = re.compile(
    r"^第[一二三四五六七八九十百零〇两]+条(第[一二三四五六七八九十]+款)?(第（?[一二三四五六七八九十]+）?项)?$"
)
# organ names that are roles, not bodies: never printed as the deciding or signing organ
PLACEHOLDER_ORGANS = frozenset({"", "容错实施机构", "认定机关", "决定机关", "实施机构"})
# the documents the shared red lines (cn-common-red-lines) cite, by their full titles
BASE_MEASURES = {
    "中办发〔2018〕29号": "中共中央办公厅《关于进一步激励广大干部新时代新担当新作为的意见》（中办发〔2018〕29号）",
    "“三个区分开来”": "“三个区分开来”的要求",
}
TOLERATED = {"exempt", "mitigate"}

# What a fact established as true / false says, in a sentence about the subject (facts.md ids).
STATEMENTS: dict[str, tuple[str, str]] = {
    "violates_discipline_or_law": (
        "违反了党的纪律或国家法律法规的禁止性规定",
        "未违反党的纪律和国家法律法规的禁止性规定",
    ),
    "defied_explicit_ban": ("在上级明令禁止后依然我行我素", "不存在上级明令禁止后依然我行我素的情况"),
    "private_gain": ("为个人、他人或单位谋取了私利", "未为个人、他人或单位谋取私利"),
    "intentional": ("失误出于主观故意、明知故犯", "失误不是出于主观故意"),
    "collusion": ("与其他单位或个人恶意串通", "不存在与其他单位或个人恶意串通的情况"),
    "harms_public_interest": ("肆意乱为，损害了群众利益或公共利益", "未损害群众利益和公共利益"),
    "major_incident": ("造成了重特大事故或群体性事件", "未造成重特大事故或群体性事件"),
    "repeat_error": ("此前已因同样的失误受到处理", "此前未因同样的失误受到处理"),
    "refuses_correction": ("发现问题后拒不纠正", "发现问题后未拒不纠正"),
    "superior_decision_illegal": ("所执行的上级决定明显违法违规", "所执行的上级决定不属于明显违法违规"),
    "public_interest": ("出于公心、担当尽责，为推动工作和发展", "不是出于公心"),
    "diligent": ("在决策实施中勤勉尽责", "未勤勉尽责"),
    "collective_decision": ("有关决策经过了集体决策程序", "有关决策未经集体决策程序"),
    "procedure_compliant": ("制定和实施程序符合有关规定", "制定和实施程序不符合有关规定"),
    "remedied": ("积极主动采取补救措施，挽回损失、消除影响", "未积极采取补救措施"),
    "cooperated": ("积极配合调查，主动承担责任", "未积极配合调查"),
    "benefits_public": ("推进的工作惠及群众", "推进的工作未惠及群众"),
    "exploratory_reform": ("失误发生在推进改革、先行先试中", "失误不是发生在推进改革、先行先试中"),
    "lacks_precedent": ("因没有先例、缺乏经验出现失误", "失误不是因缺乏经验所致"),
    "no_explicit_restriction": ("所涉事项上级尚无明确限制", "所涉事项上级已有明确限制"),
    "policy_boundary_unclear": ("因政策界限不明确出现失误", "失误不是因政策界限不明确所致"),
    "force_majeure": ("损失因不可抗力等客观因素造成", "损失不是因不可抗力造成"),
    "objected_in_collective_decision": ("在集体决策中对错误决策提出了反对意见", "在集体决策中未提出反对意见"),
    "objected_to_superior_decision": ("对上级错误决定提出了异议", "未对上级错误决定提出异议"),
    "emergency_response": ("失误发生在处置突发事件、情形紧迫临机决断时", "失误不是发生在应急处置中"),
    "reported_afterwards": ("临机处置后及时履行了报告程序", "临机处置后未及时报告"),
    "law_or_policy_changed": ("损失因法律法规或政策调整造成", "损失不是因法规政策调整造成"),
    "authority_mismatch": ("在权责不对等的情况下积极履职时出现失误", "不属于权责不对等情况下的失误"),
    "key_project_push": ("失误发生在推动重大项目、重点工作中", "失误不是发生在推动重点工作中"),
    "simplified_approval": ("为加速推进工作简化审批程序而出现过失", "不属于为加速推进工作简化审批程序"),
    "pre_filed": ("实施的创新举措已按规定事前报备", "实施的创新举措未事前报备"),
    "major_loss": ("造成了重大损失", "未造成重大损失"),
}
BOILERPLATE_COMMENTS = frozenset({"", "经调查核实", "经核实", "已核实", "属实"})


def possessive(statement: str) -> str:
    """「张三同志」 + 「的失误…」 where the statement is about the mistake, not the person."""
    return f"的{statement}" if statement.startswith(("失误", "损失", "有关决策")) else statement


def cn_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 11 → 十一, 23 → 二十三 (for （一） items)."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")


def statement(fact: str, value: bool, label: str) -> str:
    pair = STATEMENTS.get(fact)
    if pair is None:
        return label if value else f"不存在“{label}”的情况"
    return pair[0] if value else pair[1]


@dataclass(frozen=True)
class Citation:
    measure: str  # the measure's full title (with 《》), or the base document's
    ref: str  # 第X条第X款第X项, or "" where the measure's article numbers are not known
    text: str  # verified word for word

    def sentence(self) -> str:
        text = re.sub(r"(?<=[；，。：])\s+|\s+(?=[；，。：])", "", strip_end(self.text))
        if self.measure.endswith("的要求"):
            return f"按照{self.measure}：“{text}。”"
        return f"{self.measure}{self.ref}规定：“{text}。”"


@dataclass(frozen=True)
class EstablishedFact:
    fact: str
    group: str  # red_line / condition / situation / consequence
    value: bool
    statement: str
    comment: str
    sources: tuple[str, ...]

    def sentence(self, subject: str) -> str:
        text = f"{subject}{possessive(self.statement)}"
        if self.comment:
            text += f"，{strip_end(self.comment)}"
        if self.sources:
            text += f"（{'、'.join(self.sources)}）"
        return text + "。"


def established_facts(d: CaseData) -> list[EstablishedFact]:
    """The facts set on the case with a value, each with what it rests on (interviews, evidence)."""
    from rongcuo.policy.catalog import catalog

    known = catalog().facts
    out = []
    for fv in d.case.facts.order_by("id").prefetch_related("interviews", "attachments"):
        if fv.value is None:
            continue
        meta = known.get(fv.fact)
        sources = [f"{cn_date(iv.held_on)}走访{iv.interviewee}的记录" for iv in fv.interviews.all()]
        n = fv.attachments.count()
        if n:
            sources.append(f"证据材料{n}份")
        comment = "" if (fv.comment or "").strip().rstrip("。") in BOILERPLATE_COMMENTS else fv.comment.strip()
        out.append(
            EstablishedFact(
                fv.fact,
                meta.group if meta else "",
                bool(fv.value),
                statement(fv.fact, bool(fv.value), meta.label if meta else fv.fact),
                comment,
                tuple(sources),
            )
        )
    return out


def measure_title(title: str) -> str:
    t = (title or "").strip()
    if not t:
        return "有关规定"
    return t if "《" in t else f"《{t}》"


def citations(decision_outcome: str, ev: dict[str, Any], version: Any, measure: str) -> list[Citation]:
    """The articles the decision rests on: the rule that decided the evaluation and the nodes behind it, when
    the evaluation's outcome is the decision's (a tolerance rule is not cited for a refusal, nor the other
    way round); only verified texts; internal labels replaced by the measure's title."""
    ev_outcome = ev.get("outcome")
    same_side = (ev_outcome in TOLERATED) == (decision_outcome in TOLERATED) and ev_outcome != "undetermined"
    if not same_side:
        return []
    articles = {a.ref: a for a in version.articles} if version is not None else {}
    items: list[tuple[str, str, str]] = []  # (ref, text, source policy)
    rule = ev.get("deciding_rule") or {}
    if rule:
        items.append((rule.get("ref", ""), rule.get("text", ""), rule.get("source", "")))
    for node in ev.get("deciding_nodes") or []:
        if node.get("value") != "T":
            continue
        if decision_outcome in TOLERATED and node.get("group") not in ("conditions", "situations", "mitigations"):
            continue
        if decision_outcome not in TOLERATED and node.get("group") != "exclusions":
            continue
        items.append((node.get("ref", ""), node.get("text", ""), node.get("source", "")))
        for cite in node.get("cites") or []:
            items.append((cite.get("ref", ""), cite.get("text", ""), ""))
    out: list[Citation] = []
    seen: set[tuple[str, str]] = set()
    for ref, _quote, source in items:
        for part in [p.strip() for p in ref.split("；") if p.strip()] or [""]:
            if source.startswith("cn-common-red-lines") or part in BASE_MEASURES:
                if part not in BASE_MEASURES:
                    continue
                from rongcuo.policy.errors import PolicyError
                from rongcuo.policy.loader import resolve_base

                try:
                    base = resolve_base(source or "cn-common-red-lines")
                    art = {a.ref: a for a in base.articles}.get(part)
                except PolicyError:  # the base not shipped: nothing verified to quote
                    art = None
                if art is None or not art.verified:
                    continue
                cite = Citation(BASE_MEASURES[part], "", art.text)
            else:
                art = articles.get(part)
                if art is None or not art.verified or "未核实" in part or "未能取得" in part or "解读" in part:
                    continue  # wording not verified word for word, or not the measure's own text
                cite = Citation(measure, part if ARTICLE_REF.match(part) else "", art.text)
            key = (cite.measure, strip_end(cite.text))
            if key not in seen:
                seen.add(key)
                out.append(cite)
    return out


@dataclass(frozen=True)
class DecisionModel:
    subject: str  # 张三同志 / 某单位
    outcome: str  # exempt / mitigate / not_tolerated
    disposition: str  # the disposition chosen
    deciding_body: str  # the jurisdiction's 纪委 or 组织部 (issuing-body settings)
    meeting: str  # the meeting that decided (e.g. 省纪委常委会), or the deciding body
    decided_on: dt.date
    measure: str  # the measure's full title, with 《》
    facts: list[EstablishedFact]
    grounds: list[str]  # the reasons, each one sentence, consistent with the outcome
    citations: list[Citation]
    influence_months: int | None = None
    form: int | None = None
    result_use: list[str] = field(default_factory=list)

    # --- build ---------------------------------------------------------------------------------------

    @classmethod
    def build(cls, d: CaseData, deciding_body: str) -> DecisionModel:
        from rongcuo.disclosure.compose import policy_version

        dec: Decision = d.require_decision()
        ev = dec.evaluation or {}
        version = policy_version(dec)
        measure = measure_title(ev.get("title") or d.policy_title)
        facts = established_facts(d)
        subject = d.short
        grounds = cls._grounds(d, dec, ev, facts)
        meeting = (dec.organ or "").strip()
        if meeting in PLACEHOLDER_ORGANS:
            meeting = deciding_body
        uses = []
        if version is not None:
            for rule in version.result_use:
                if rule.applies_to == dec.outcome and rule.text:
                    ref = rule.ref if ARTICLE_REF.match(rule.ref or "") else ""
                    uses.append(sentence(rule.text) if not ref else f"{strip_end(rule.text)}（{measure}{ref}）。")
        return cls(
            subject=subject,
            outcome=dec.outcome,
            disposition=dec.disposition,
            deciding_body=deciding_body,
            meeting=meeting,
            decided_on=dec.decided_on,
            measure=measure,
            facts=facts,
            grounds=grounds,
            citations=citations(dec.outcome, ev, version, measure),
            influence_months=dec.influence_months if dec.outcome == "mitigate" else None,
            form=dec.form,
            result_use=uses,
        )

    @staticmethod
    def _grounds(d: CaseData, dec: Decision, ev: dict[str, Any], facts: list[EstablishedFact]) -> list[str]:
        subject = d.short
        red = [f for f in facts if f.group == "red_line" and f.value]
        conditions = [f for f in facts if f.group == "condition" and f.value]
        situations = [f for f in facts if f.group == "situation" and f.value]
        grounds: list[str] = []
        if dec.outcome in TOLERATED:
            if not red:
                grounds.append(f"{subject}的失误错误不存在不予容错的情形")
            if conditions:
                grounds.append(f"符合容错条件：{'，'.join(f.statement for f in conditions)}")
            if situations:
                grounds.append(f"属于容错情形：{'，'.join(f.statement for f in situations)}")
        else:
            if red:
                grounds.append(f"存在不予容错的情形：{subject}{'，'.join(f.statement for f in red)}")
        # the deciding body's own reasons: why it departed from the rule evaluation or the recommendation
        # (always), and what it based the decision on where the established facts do not settle it
        explanation = (ev.get("explanation") or "").strip()
        departures: list[str] = []
        decide_ev = d.event("decide")
        deliberation = d.payload("deliberate")
        for reason in (
            d.payload("decide").get("departure_reason", ""),
            decide_ev.reason if decide_ev else "",
            deliberation.get("departure_reason", ""),
        ):
            r = strip_end(reason).removeprefix("综合考虑")
            if r and r not in departures:
                departures.append(r)
        settled = bool(red) if dec.outcome not in TOLERATED else bool(conditions or situations)
        settled = settled and ev.get("outcome") == dec.outcome
        basis = strip_end(dec.basis)
        opinions = strip_end(deliberation.get("opinions") or "")
        if dec.outcome == "mitigate":
            word = "减轻" if "减轻" in dec.disposition else "从轻"
            why = f"综合考虑{'、'.join(departures)}，" if departures else ""
            met = "经集体研判，" if deliberation else ""
            grounds.append(f"{why}{met}决定予以{word}处理")
        else:
            grounds.extend(departures)
        if not settled:
            if basis and basis != strip_end(explanation) and not basis.startswith("依据"):
                grounds.append(basis)
            if opinions:
                grounds.append(f"集体研判意见：{opinions}")
        return [strip_end(g) for g in grounds if g]

    # --- texts ---------------------------------------------------------------------------------------

    @property
    def tolerated(self) -> bool:
        return self.outcome in TOLERATED

    def handling(self) -> str:
        """予以容错，免除相关责任 / 予以容错，减轻处理 / 不予容错，依规依纪依法予以问责处理."""
        if self.outcome == "exempt":
            return f"予以容错，{self.disposition}"
        if self.outcome == "mitigate":
            return f"予以容错，{self.disposition}"
        disposition = self.disposition if self.disposition and self.disposition != "不予容错" else "问责处理"
        return f"不予容错，依规依纪依法予以{disposition}"

    def conclusion(self, who: str | None = None) -> str:
        """认定结论, one sentence agreeing with part 四."""
        who = who or self.subject
        if self.tolerated:
            return f"{who}的失误错误符合容错条件、属于容错情形，{self.handling()}。"
        return f"{who}的失误错误不符合容错条件，{self.handling()}。"

    def decision_sentence(self, who: str | None = None) -> str:
        who = who or self.subject
        if self.outcome == "exempt" or self.outcome == "mitigate":
            text = f"经{self.meeting}研究，决定对{who}{self.handling()}。"
        else:
            text = f"经{self.meeting}研究，决定对{who}{self.handling()}。"
        return text

    def result(self, who: str | None = None) -> str:
        """The result as reported afterwards (feedback, letter, filing report)."""
        who = who or self.subject
        text = f"{self.deciding_body}于{cn_date(self.decided_on)}决定对{who}{self.handling()}"
        if self.influence_months:
            text += f"，影响期{self.influence_months}个月"
        text += "。"
        if self.form:
            text += f"本案处理属于监督执纪“四种形态”中的{FORM_LABELS.get(self.form, '')}。"
        return text

    def fact_sentences(self, who: str | None = None) -> list[str]:
        who = who or self.subject
        relevant = [f for f in self.facts if f.group in ("red_line", "condition", "situation", "consequence")]
        return [f.sentence(who) for f in relevant]
