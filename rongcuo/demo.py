"""Demo data 「演示数据」: places, units, cadres, an account for every role, and cases in every stage.

Everything is created through the business verbs (rongcuo.cases.actions, rongcuo.accounts.actions), so
the case timelines and the audit chain are real. The only direct writes are the back-dated deadlines of
the overdue cases (see `_backdate`). All names, ID numbers and phone numbers are fictional.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from rongcuo.accounts import actions as accounts
from rongcuo.accounts.models import RoleAssignment, User
from rongcuo.cases import access, actions
from rongcuo.cases.models import Case
from rongcuo.core.errors import Conflict
from rongcuo.org.builders import make_cadre, make_unit
from rongcuo.org.models import Cadre, Jurisdiction, Unit
from rongcuo.policy.catalog import catalog
from rongcuo.procedure.models import Deadline
from rongcuo.procedure.sweep import sweep

PASSWORD = "Demo#2025rc"
STAFF_ROLES = ("handler", "investigator", "secretary", "org_liaison", "publisher")

# place key: (jurisdiction code, 纪委监委 that decides, 组织部门, 同级党委)
PLACES: dict[str, tuple[str, str, str, str]] = {
    "js": ("320000", "江苏省纪委监委", "中共江苏省委组织部", "中共江苏省委"),
    "cn": ("530524", "中共昌宁县纪委常委会", "中共昌宁县委组织部", "中共昌宁县委"),
    "qh": ("469002", "琼海市纪委监委", "中共琼海市委组织部", "中共琼海市委"),
    "sc": ("510000", "四川省纪委监委", "中共四川省委组织部", "中共四川省委"),
    "tr": ("520600", "铜仁市纪委监委", "中共铜仁市委组织部", "中共铜仁市委"),
    # 江宁区 has no case of its own: its 规则起草人 derives a measure from jiangsu-2017, and a case there is
    # handled by the Jiangsu staff, whose scope covers the province's subtree
    "jn": ("320115", "南京市江宁区纪委监委", "中共南京市江宁区委组织部", "中共南京市江宁区委"),
}
# Each place's issuing body 「发文机关」 (name, 机关代字): documents and decision numbers 「决定文号」 come from
# its 发文字号 counter, as in service (rongcuo.documents.numbering).
ISSUING_BODIES: dict[str, tuple[str, str]] = {
    "js": ("中共江苏省纪律检查委员会", "苏纪"),
    "cn": ("中共昌宁县纪律检查委员会", "昌纪"),
    "qh": ("中共琼海市纪律检查委员会", "琼纪"),
    "sc": ("中共四川省纪律检查委员会", "川纪"),
    "tr": ("中共铜仁市纪律检查委员会", "铜纪"),
    "jn": ("中共南京市江宁区纪律检查委员会", "宁江纪"),
}
# The members at a collective deliberation 「集体研判」 (fictional, as every name here).
DELIBERATION_MEMBERS = ["王建国", "李红梅", "陈志强", "刘晓燕"]
# unit key: (place, name, parent unit key)
UNITS: dict[str, tuple[str, str, str | None]] = {
    "js_dg": ("js", "江苏省东港经济开发区管理委员会", None),
    "js_gh": ("js", "东港经济开发区规划建设局", "js_dg"),
    "js_zs": ("js", "东港经济开发区招商局", "js_dg"),
    "js_aj": ("js", "东港经济开发区安全生产监督管理局", "js_dg"),
    "js_sy": ("js", "东港经济开发区社会事业局", "js_dg"),
    "js_nn": ("js", "江苏省农业农村厅", None),
    "cn_ty": ("cn", "昌宁县田园镇人民政府", None),
    "cn_tc": ("cn", "昌宁县投资促进局", None),
    "qh_ba": ("qh", "琼海市博鳌镇人民政府", None),
    "sc_lj": ("sc", "四川自贸试验区临江片区管理委员会", None),
    "tr_st": ("tr", "铜仁市生态环境局", None),
    "jn_fg": ("jn", "南京市江宁区发展和改革委员会", None),
}
# cadre sign-in name: (unit key, name, position, rank, birth date, female, birthplace code)
CADRES: dict[str, tuple[str, str, str, str, str, bool, str]] = {
    "wangjianguo": ("js_gh", "王建国", "副局长", "副处级", "1975-03-12", False, "320102"),
    "xuwenjie": ("js_aj", "许文杰", "局长", "正处级", "1972-11-02", False, "320583"),
    "zhaowenbo": ("js_gh", "赵文博", "征收科科长", "正科级", "1984-06-21", False, "320106"),
    "chenxiaomei": ("js_zs", "陈晓梅", "局长", "正处级", "1978-09-30", True, "320211"),
    "liuzhiqiang": ("js_sy", "刘志强", "副局长", "副处级", "1980-01-17", False, "320311"),
    "linguodong": ("js_aj", "林国栋", "副局长", "副处级", "1979-05-08", False, "320402"),
    "sunlihua": ("js_zs", "孙丽华", "副局长", "副处级", "1982-12-25", True, "320504"),
    "zhouhaitao": ("js_sy", "周海涛", "局长", "正处级", "1974-07-04", False, "320602"),
    "wuzhenyu": ("js_nn", "吴振宇", "农田建设管理处处长", "正处级", "1973-02-14", False, "320703"),
    "zhengxiaodong": ("js_gh", "郑晓东", "局长", "正处级", "1971-10-10", False, "320802"),
    "huangjiaqi": ("js_zs", "黄佳琪", "投资促进科科长", "正科级", "1988-04-03", True, "320902"),
    "mayonggang": ("js_nn", "马永刚", "种植业管理处副处长", "副处级", "1977-08-19", False, "321002"),
    "helixin": ("js_sy", "何立新", "社区建设科科长", "正科级", "1986-03-28", False, "321102"),
    "yangchunlin": ("cn_tc", "杨春林", "局长", "正科级", "1976-05-16", False, "530524"),
    "lideming": ("cn_ty", "李德明", "副镇长", "副科级", "1983-09-09", False, "530524"),
    "duanhongyan": ("cn_ty", "段红艳", "党委委员", "副科级", "1985-01-22", True, "530524"),
    "fuhaiyan": ("qh_ba", "符海燕", "副镇长", "副科级", "1984-12-01", True, "469002"),
    "luomingyuan": ("sc_lj", "罗明远", "管委会副主任", "副厅级", "1970-06-30", False, "510104"),
    "tianmaolin": ("tr_st", "田茂林", "副局长", "副处级", "1979-04-11", False, "520602"),
    "chenlixin": ("jn_fg", "陈立新", "副主任", "副处级", "1981-08-15", False, "320115"),
}
# staff sign-in name: (display name, place, roles). Jiangsu and 昌宁 have one account per role, so the
# isolation between places is visible; the smaller places have one account holding the five staff roles.
STAFF: dict[str, tuple[str, str, tuple[str, ...]]] = {
    **{
        f"js_{role}": (name, "js", (role,))
        for role, name in zip(STAFF_ROLES, ("钱立群", "蒋卫东", "沈佳慧", "韩丽娟", "朱晓峰"), strict=True)
    },
    **{
        f"cn_{role}": (name, "cn", (role,))
        for role, name in zip(STAFF_ROLES, ("字正华", "杨晓丽", "尹志明", "赵红梅", "张家顺"), strict=True)
    },
    "qh_staff": ("蒙海生", "qh", STAFF_ROLES),
    "sc_staff": ("唐志远", "sc", STAFF_ROLES),
    "tr_staff": ("龙再兴", "tr", STAFF_ROLES),
    # 规则起草人 of 江宁区: drafts measures of the district only and sees no case
    "qicao_jiangning": ("周文静", "jn", ("drafter",)),
}
# unit accounts: (display name, unit key, role)
UNIT_USERS: dict[str, tuple[str, str, str]] = {
    "js_contact": ("顾晓燕", "js_dg", "unit_contact"),
    "js_reviewer": ("沈国平", "js_dg", "unit_reviewer"),
    "cn_contact": ("李春艳", "cn_ty", "unit_contact"),
    "cn_reviewer": ("杨正和", "cn_ty", "unit_reviewer"),
    "qh_contact": ("王海花", "qh_ba", "unit_contact"),
    "qh_reviewer": ("陈文光", "qh_ba", "unit_reviewer"),
    "sc_contact": ("邓晓琳", "sc_lj", "unit_contact"),
    "sc_reviewer": ("黄建川", "sc_lj", "unit_reviewer"),
}
CASE_USERS: dict[str, str] = {"evaluator": "方静（东南大学公共政策评估中心）", "hearing_host": "许明德（听证主持人）"}
ADMINS: dict[str, str] = {"sysadmin": "系统管理员", "secadmin": "安全管理员", "auditadmin": "审计管理员"}
CASE_ROLE_STAGES = {"third_party": "evaluator", "hearing": "hearing_host"}
MARKER_UNIT = UNITS["js_dg"][1]

JS_CLEAR = {
    "violates_discipline_or_law": False,
    "private_gain": False,
    "public_interest": True,
    "collective_decision": True,
    "exploratory_reform": True,
    "lacks_precedent": True,
    "intentional": False,
    "defied_explicit_ban": False,
    "major_incident": False,
    "superior_decision_illegal": False,
    "emergency_response": False,
}


@dataclass(frozen=True)
class CaseSpec:
    place: str
    start: str  # individual / unit / proactive
    unit: str
    cadre: str | None
    title: str
    summary: str
    domain: str
    conduct: str
    target: str  # the stage the case is left in
    facts: Mapping[str, bool | None] = field(default_factory=dict)
    major: bool = False
    public: bool = False
    qualifies: bool = True
    disposition: str = ""
    influence: int | None = None
    withhold: bool = False
    appeal: str = ""  # "upheld" or the new disposition
    ends: str = ""  # "refuse" / "return": closed without a decision
    prefiling: bool = False
    matter: bool = False
    overdue: bool = False
    then: tuple[str, ...] = ()  # verbs taken in the target stage without leaving it


# fmt: off
CASES: tuple[CaseSpec, ...] = (
    CaseSpec(
        "js", "individual", "js_gh", "wangjianguo", "东港片区旧村改造征收补偿标准执行偏差",
        "在东港片区旧村改造中，为加快项目落地，按区管委会会议纪要提前兑付部分搬迁奖励，后经审计认定补偿标准执行偏差。",
        "征地拆迁", "2023-08-15", "unit_review", overdue=True,
    ),
    CaseSpec(
        "js", "unit", "js_zs", None, "“拿地即开工”容缺审批试点中的手续倒置",
        "招商局牵头推行“拿地即开工”容缺审批，事前已报备，部分项目因材料补正滞后被通报。",
        "招商引资", "2024-03-01", "acceptance", prefiling=True, overdue=True,
    ),
    CaseSpec(
        "js", "proactive", "js_aj", "xuwenjie", "化工园区危化品仓库火情处置中临机调用社会车辆",
        "火情处置中未经审批临机调用社会车辆并先行垫付费用，事后报告，被反映程序不规范。",
        "应急处置", "2024-07-20", "investigation",
        facts={"violates_discipline_or_law": False, "private_gain": False, "emergency_response": True},
    ),
    CaseSpec(
        "js", "individual", "js_gh", "zhaowenbo", "历史遗留安置房不动产登记“带疑办证”",
        "为化解二十年前安置房无法办证的历史遗留问题，采取“先登记、后完善”办法，个别宗地权属争议未及时查清。",
        "历史遗留问题", "2022-11-10", "preliminary", facts=JS_CLEAR,
    ),
    CaseSpec(
        "js", "individual", "js_zs", "chenxiaomei", "新能源产业链项目“承诺制”招商引资失误",
        "探索以“承诺制”引进新能源配套项目，因企业资金链断裂导致约定投资未到位，园区基础设施配套资金闲置。",
        "招商引资", "2023-04-18", "defence", facts=JS_CLEAR,
    ),
    CaseSpec(
        "js", "unit", "js_gh", None, "成片征收“预签约”模式引发群体信访",
        "规划建设局推行成片征收“预签约”模式，因补偿方案调整引发部分群众集体信访，涉及面较广。",
        "征地拆迁", "2023-06-05", "third_party", major=True,
        facts={"violates_discipline_or_law": False, "private_gain": False, "public_interest": True},
    ),
    CaseSpec(
        "js", "individual", "js_sy", "liuzhiqiang", "社区“微自治”议事会试点经费使用争议",
        "在基层治理创新中试点社区“微自治”议事会，由居民议定小额经费用途，个别项目未履行政府采购程序。",
        "基层治理", "2023-09-01", "hearing", public=True, facts=JS_CLEAR,
    ),
    CaseSpec(
        "js", "proactive", "js_aj", "linguodong", "台风期间临机决定企业停产撤人",
        "台风预警期间临机决定园区企业停产撤人，事后及时报告，企业就停产损失提出异议。",
        "应急处置", "2024-09-14", "deliberation", overdue=True,
        facts={
            "emergency_response": True,
            "reported_afterwards": True,
            "collective_decision": False,
            "public_interest": True,
            "private_gain": False,
            "violates_discipline_or_law": False,
            "exploratory_reform": False,
            "intentional": False,
            "defied_explicit_ban": False,
            "major_incident": False,
        },
    ),
    CaseSpec(
        "js", "individual", "js_zs", "sunlihua", "外资研发中心“带方案出让”用地协调失误",
        "为引进外资研发中心，协调“带方案出让”用地，因规划条件调整延误造成企业违约金损失。",
        "招商引资", "2023-02-20", "decision", facts=JS_CLEAR, disposition="免除相关责任",
    ),
    CaseSpec(
        "js", "unit", "js_zs", None, "园区“标准地”出让亩均税收对赌条款落空",
        "招商局在“标准地”出让中设置亩均税收对赌条款，因市场变化多家企业未达标，条款难以执行。",
        "招商引资", "2022-12-01", "feedback", facts=JS_CLEAR, disposition="从轻处理", influence=6,
        then=("give_feedback",),
    ),
    CaseSpec(
        "js", "individual", "js_sy", "zhouhaitao", "老旧小区加装电梯“居民自治+财政奖补”试点",
        "推行老旧小区加装电梯“居民自治+财政奖补”，个别项目奖补资金审核不严，多拨付少量资金，已追回。",
        "基层治理", "2022-05-16", "publication", facts=JS_CLEAR, disposition="免予问责", major=True, public=True,
    ),
    CaseSpec(
        "js", "proactive", "js_nn", "wuzhenyu", "高标准农田建设项目资金违规拨付",
        "在高标准农田建设中，未按合同约定进度拨付工程款，且向关联企业倾斜。",
        "历史遗留问题", "2021-10-08", "appeal_window", qualifies=False, withhold=True,
        facts={"violates_discipline_or_law": True, "private_gain": True},
    ),
    CaseSpec(
        "js", "individual", "js_gh", "zhengxiaodong", "重点片区征收“清零”攻坚中的程序瑕疵",
        "为按期完成重点片区征收“清零”，部分评估报告未公示即签约，后经群众反映被问责调查。",
        "征地拆迁", "2022-08-30", "appeal", facts=JS_CLEAR, disposition="减轻处理", influence=12,
        appeal="upheld",
    ),
    CaseSpec(
        "js", "individual", "js_zs", "huangjiaqi", "“云招商”平台试点数据泄露隐患",
        "试点“云招商”线上签约平台，因第三方系统漏洞出现数据泄露隐患，及时发现处置，未造成损失。",
        "招商引资", "2021-06-01", "closed", facts=JS_CLEAR, disposition="不予问责",
    ),
    CaseSpec(
        "js", "proactive", "js_nn", "mayonggang", "撂荒地整治中个人决定调整承包补偿",
        "撂荒地整治中未经集体研究，个人决定调整承包户补偿方案，后补偿资金及时足额到位。",
        "历史遗留问题", "2022-03-15", "closed", qualifies=False, appeal="从轻处理",
        facts={
            "private_gain": False,
            "violates_discipline_or_law": False,
            "public_interest": True,
            "collective_decision": False,
            "emergency_response": False,
            "exploratory_reform": True,
            "lacks_precedent": True,
            "intentional": False,
            "defied_explicit_ban": False,
            "major_incident": False,
        },
    ),
    CaseSpec(
        "js", "unit", "js_aj", None, "安全生产“互查互评”机制试行中漏报隐患",
        "试行企业安全生产“互查互评”机制，个别隐患漏报，单位申请容错。",
        "应急处置", "2024-01-10", "closed", ends="refuse",
    ),
    CaseSpec(
        "js", "individual", "js_sy", "helixin", "网格员“一岗多责”考核办法试行争议",
        "试行网格员“一岗多责”考核办法，部分网格员绩效被扣发，引发投诉。",
        "基层治理", "2024-02-01", "closed", ends="return",
    ),
    CaseSpec(
        "cn", "individual", "cn_tc", "yangchunlin", "茶叶精深加工项目招商引资承诺未兑现",
        "为引进茶叶精深加工项目，经县政府常务会议研究作出配套承诺，后因政策调整未能兑现，企业投诉。",
        "招商引资", "2023-05-12", "acceptance", matter=True, overdue=True,
    ),
    CaseSpec(
        "cn", "unit", "cn_ty", None, "村级“积分制”治理试点奖励资金发放不规范",
        "田园镇推行村级“积分制”治理，奖励资金发放台账不全，单位对照免责清单自查后申请容错。",
        "基层治理", "2023-10-20", "investigation",
        facts={"violates_discipline_or_law": False, "major_incident": False, "severe_adverse_impact": False},
    ),
    CaseSpec(
        "cn", "proactive", "cn_ty", "duanhongyan", "集镇改造工程违规指定施工队伍",
        "集镇改造中违反招投标规定指定施工队伍，问责调查同步开展容错审查。",
        "征地拆迁", "2022-04-01", "closed", disposition="问责处理",
        facts={"violates_discipline_or_law": True, "private_gain": False},
    ),
    CaseSpec(
        "cn", "individual", "cn_ty", "lideming", "森林火灾扑救中临机征用民用设备",
        "森林火灾扑救中为推进重点工作，临机征用群众车辆设备，部分补偿滞后。",
        "应急处置", "2023-03-22", "closed", disposition="免予问责",
        facts={
            "key_project_push": True,
            "violates_discipline_or_law": False,
            "private_gain": False,
            "intentional": False,
            "defied_explicit_ban": False,
            "major_incident": False,
            "severe_adverse_impact": False,
        },
    ),
    CaseSpec(
        "qh", "individual", "qh_ba", "fuhaiyan", "博鳌镇渔村风貌改造简化审批",
        "渔村风貌改造中经镇党委会研究，对农房改造实行简化审批，个别农房超出批准面积。",
        "基层治理", "2023-07-07", "publication", disposition="免予问责",
        facts={
            "violates_discipline_or_law": False,
            "private_gain": False,
            "intentional": False,
            "defied_explicit_ban": False,
            "collective_decision": True,
            "benefits_public": True,
            "exploratory_reform": True,
        },
    ),
    CaseSpec(
        "qh", "unit", "qh_ba", None, "农村集体土地历史遗留纠纷调处方案被撤销",
        "博鳌镇为化解农村集体土地历史遗留纠纷出台调处方案，后被上级认定依据不足予以撤销。",
        "历史遗留问题", "2022-09-15", "investigation",
    ),
    CaseSpec(
        "sc", "individual", "sc_lj", "luomingyuan", "自贸片区“证照分离”改革先行先试失误",
        "在“证照分离”改革中先行先试“告知承诺制”，个别企业虚假承诺取得许可。",
        "招商引资", "2024-06-08", "investigation",
        facts={"violates_discipline_or_law": False, "exploratory_reform": True, "institutional_innovation": True},
    ),
    CaseSpec(
        "sc", "unit", "sc_lj", None, "跨境贸易“提前申报”制度创新试点失误",
        "片区管委会试点跨境贸易“提前申报”制度创新，因系统对接缺陷造成部分货物滞港。",
        "招商引资", "2024-08-15", "closed", disposition="免除相关责任",
        facts={
            "violates_discipline_or_law": False,
            "exploratory_reform": True,
            "institutional_innovation": True,
            "intentional": False,
            "diligent": True,
            "private_gain": False,
            "collective_decision": True,
            "procedure_compliant": True,
            "refuses_correction": False,
            "lacks_precedent": True,
            "defied_explicit_ban": False,
            "follows_central_plans": True,
        },
    ),
    CaseSpec(
        "tr", "proactive", "tr_st", "tianmaolin", "锰渣库渗漏应急处置造成较大经济损失",
        "锰渣库渗漏应急处置中为防止污染扩大，决定紧急封堵，造成企业较大经济损失，事后主动协调补救。",
        "应急处置", "2023-08-08", "closed", disposition="减轻处理", influence=12,
        facts={
            "public_interest": True,
            "major_loss": True,
            "remedied": True,
            "violates_discipline_or_law": False,
            "private_gain": False,
            "intentional": False,
            "defied_explicit_ban": False,
        },
    ),
)
# fmt: on


@dataclass
class DemoResult:
    created: bool
    accounts: list[dict[str, Any]]
    summary: dict[str, Any]


def exists() -> bool:
    return Unit.objects.filter(jurisdiction_id="320000", parent=None, name=MARKER_UNIT).exists()


def usernames() -> list[str]:
    return [*ADMINS, *STAFF, *UNIT_USERS, *CASE_USERS, *CADRES]


def load() -> DemoResult:
    """Build the demo data once; when it exists already, change nothing and report what is there."""
    if exists():
        return DemoResult(False, account_rows(), summary())
    taken = sorted(User.objects.filter(username__in=usernames()).values_list("username", flat=True))
    if taken:
        raise Conflict(f"账号 {'、'.join(taken)} 已存在：演示数据只能载入没有这些账号的数据库")
    with transaction.atomic():
        _Builder().build()
    return DemoResult(True, account_rows(), summary())


def _id_number(area: str, birth: str, seq: int, female: bool) -> str:
    """A well-formed but fictional 18-digit 居民身份证号码 (GB 11643 check digit)."""
    order = seq * 2 + (0 if female else 1)
    body = f"{area}{birth.replace('-', '')}{order % 1000:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]


class _Builder:
    def __init__(self) -> None:
        self.today = timezone.localdate()
        self.units: dict[str, Unit] = {}
        self.cadres: dict[str, Cadre] = {}
        self.users: dict[str, User] = {}
        self.prefiling_id: int | None = None

    # --- people and places ------------------------------------------------------------------------

    def build(self) -> None:
        for key, (place, name, parent) in UNITS.items():
            self.units[key] = make_unit(PLACES[place][0], name, self.units[parent] if parent else None)
        for i, (login, (unit, name, position, rank, birth, female, area)) in enumerate(CADRES.items(), start=1):
            self.cadres[login] = make_cadre(
                self.units[unit],
                name,
                id_number=_id_number(area, birth, 40 + i, female),
                phone=f"1390000{i:04d}",
                position=position,
                rank=rank,
            )
        for login, title in ADMINS.items():
            self._account(login, title, login)
        for login, (name, place, roles) in STAFF.items():
            self._account(login, name)
            for role in roles:
                accounts.grant_role(None, login, role, jurisdiction=PLACES[place][0])
        for login, (name, unit, role) in UNIT_USERS.items():
            self._account(login, name, role, unit_id=self.units[unit].pk)
        for login, name in CASE_USERS.items():
            self._account(login, name)  # granted on specific cases when those reach their stage
        for login, cadre in self.cadres.items():
            self._account(login, cadre.name, "applicant", cadre_id=cadre.pk)
        self._issuing_bodies()
        self._prefilings()
        made = [self._case(spec) for spec in CASES]
        self._backdate([c for c, spec in zip(made, CASES, strict=True) if spec.overdue])
        sweep(self.today)

    def _account(self, login: str, name: str, role: str | None = None, **scope: Any) -> None:
        self.users[login] = accounts.create_user(None, login, PASSWORD, name, must_change_password=False)
        if role:
            accounts.grant_role(None, login, role, **scope)

    def _prefilings(self) -> None:
        contact, unit = self.users["js_contact"], self.units["js_zs"]
        pre = actions.submit_prefiling(
            contact,
            {
                "unit_id": unit.pk,
                "title": "“拿地即开工”容缺审批改革事前报备",
                "measure": "对重点招商项目实行容缺受理、并联审批，土地摘牌后即可开工。",
                "risks": "部分前置材料后补，可能出现手续倒置、补正滞后。",
                "safeguards": "建立容缺事项清单和补正台账，逾期未补正的暂停后续审批。",
                "expected_effect": "项目从拿地到开工由约120天缩短至30天以内。",
            },
        )
        actions.review_prefiling(
            self.users["js_handler"], pre.pk, acknowledge=True, response="同意报备，请按清单落实风险防控措施。"
        )
        self.prefiling_id = pre.pk
        actions.submit_prefiling(
            contact,
            {
                "unit_id": self.units["js_sy"].pk,
                "title": "社区养老服务“时间银行”试点事前报备",
                "measure": "志愿服务时长存入“时间银行”，年老时兑换养老服务，财政予以兜底。",
                "risks": "兑换需求集中时可能出现兑付缺口。",
                "safeguards": "设立兑付准备金，按季度评估。",
                "expected_effect": "带动社区志愿服务常态化。",
            },
        )

    # --- cases ------------------------------------------------------------------------------------

    def _issuing_bodies(self) -> None:
        from rongcuo.audit.chain import Actor
        from rongcuo.documents.actions import set_issuing_body

        for place, (name, code) in ISSUING_BODIES.items():
            printer = name.replace("纪律检查委员会", "纪委") + "办公室"
            set_issuing_body(
                Actor.system("demo"), PLACES[place][0], name=name, mark=f"{name}文件", code=code, printer=printer
            )

    def _decision_number(self, place: str) -> str:
        """The next 发文字号 of the place's issuing body (the decision's 决定文号)."""
        from rongcuo.documents import numbering

        body = numbering.issuing_body(Jurisdiction.objects.get(code=PLACES[place][0]))
        year = self.today.year
        return numbering.format_number(body.code, "发", year, numbering.allocate(body, "发", year))

    def _staff(self, place: str, role: str) -> User:
        return self.users.get(f"{place}_{role}") or self.users[f"{place}_staff"]

    def _party(self, spec: CaseSpec) -> User:
        """Who speaks for the party: the cadre, else the unit's contact, else the handler."""
        if spec.cadre:
            return self.users[spec.cadre]
        return self.users.get(f"{spec.place}_contact") or self._staff(spec.place, "handler")

    def _case(self, spec: CaseSpec) -> Case:
        case = self._start(spec)
        investigated = False
        while True:
            if case.stage == "investigation" and not investigated:
                self._investigate(case, spec)
                investigated = True
            if case.stage in CASE_ROLE_STAGES:
                self._grant_on_case(CASE_ROLE_STAGES[case.stage], case)
            if case.stage == spec.target:
                break
            case = self._step(case, spec)
        for verb in spec.then:
            case = self._go(case, spec, verb)
        return case

    def _start(self, spec: CaseSpec) -> Case:
        handler = self._staff(spec.place, "handler")
        base = {"title": spec.title, "summary": spec.summary, "domain": spec.domain, "conduct_date": spec.conduct}
        if spec.start == "proactive" or spec.matter:
            matter, auto = actions.open_matter(
                handler,
                {
                    "unit_id": self.units[spec.unit].pk,
                    "cadre_id": self.cadres[spec.cadre].pk if spec.cadre else None,
                    "title": spec.title,
                    "description": spec.summary,
                    "initiating_organ": PLACES[spec.place][1],
                    "conduct_date": spec.conduct,
                    "started_on": str(self.today - dt.timedelta(days=20)),
                    "domain": spec.domain,
                },
            )
            if spec.start == "proactive":
                return auto or actions.open_proactive(handler, matter.pk)
            base["matter_id"] = matter.pk
        if spec.start == "individual":
            return actions.submit_application(
                self.users[spec.cadre or ""], {**base, "statement": "本人对照容错情形，书面申请容错免责。"}
            )
        return actions.submit_application(
            self.users[f"{spec.place}_contact"],
            {
                **base,
                "unit_id": self.units[spec.unit].pk,
                "statement": "经单位领导班子讨论，申请对本单位给予容错。",
                "self_check": "已对照免责清单逐项自查，未发现负面清单情形。",
                "pre_filing_id": self.prefiling_id if spec.prefiling else None,
            },
        )

    def _investigate(self, case: Case, spec: CaseSpec) -> None:
        investigator = self._staff(spec.place, "investigator")
        actions.add_interview(
            investigator,
            case.pk,
            {
                "interviewee": "单位分管负责同志",
                "held_on": str(self.today - dt.timedelta(days=3)),
                "content": "了解决策背景、讨论过程和事后补救措施。",
            },
        )
        for fact, value in spec.facts.items():
            actions.set_fact(investigator, case.pk, {"fact": fact, "value": value, "comment": "经调查核实"})

    def _step(self, case: Case, spec: CaseSpec) -> Case:
        stage = case.stage
        if stage == "unit_review":
            return self._go(case, spec, "return_application" if spec.ends == "return" else "endorse")
        if stage == "acceptance":
            return self._go(case, spec, "refuse" if spec.ends == "refuse" else "accept")
        if stage == "investigation":
            return self._go(case, spec, "submit_report")
        if stage == "preliminary":
            return self._go(case, spec, "find_qualifying" if spec.qualifies else "find_not_qualifying")
        if stage == "feedback":
            done = set(case.events.values_list("verb", flat=True))
            verb = next(v for v in ("give_feedback", "notify_organisation", "file_report") if v not in done)
            return self._go(case, spec, verb)
        if stage == "publication":
            if not spec.withhold:
                self._public_rendition(case, spec)
            return self._go(case, spec, "withhold_publication" if spec.withhold else "publish")
        if stage == "appeal_window":
            return self._go(case, spec, "submit_appeal" if spec.appeal else "close")
        verb = {
            "defence": "submit_defence",
            "third_party": "submit_evaluation",
            "hearing": "record_hearing",
            "deliberation": "deliberate",
            "decision": "decide",
            "appeal": "decide_appeal",
        }[stage]
        return self._go(case, spec, verb)

    def _grant_on_case(self, login: str, case: Case) -> None:
        """Evaluator and hearing host are granted on the case when it reaches their stage (the sign-in name is
        the role's name)."""
        user = self.users[login]
        if not RoleAssignment.objects.filter(user=user, role=login, case=case, revoked_at__isnull=True).exists():
            accounts.grant_role(None, login, login, case_id=case.pk)
            access.forget_grants(user)  # grants are cached on the user object

    def _public_rendition(self, case: Case, spec: CaseSpec) -> None:
        """The publisher's de-identified rendition, approved when its scan is clean (else left as a draft to
        review); the first ones also enter the typical-case library, so the public portal has content."""
        from rongcuo.disclosure import actions as disclosure
        from rongcuo.disclosure.models import RenditionStatus, TypicalCase

        publisher = self._staff(spec.place, "publisher")
        rendition = disclosure.generate_rendition(publisher, case.pk)
        if not (rendition.last_scan or {}).get("clean"):
            return
        rendition = disclosure.approve_rendition(publisher, rendition.pk)
        if rendition.status == RenditionStatus.PUBLISHED and TypicalCase.objects.count() < 2:
            why = {"significance": "依规容错、纠错到位的典型", "tags": [case.domain] if case.domain else []}
            disclosure.curate_typical(publisher, rendition.pk, why)

    def _go(self, case: Case, spec: CaseSpec, verb: str) -> Case:
        today = str(self.today)
        _, organ, org_dept, committee = PLACES[spec.place]
        outcome = catalog().dispositions.get(spec.disposition, "")
        user = self._staff(spec.place, "handler")
        data: dict[str, Any]
        if verb == "endorse":
            user = self.users[f"{spec.place}_reviewer"]
            data = {"discussion": "党组（党工委）会议小范围讨论，一致同意报送。", "opinion": "同意报送，已加盖公章。"}
        elif verb == "return_application":
            user = self.users[f"{spec.place}_reviewer"]
            data = {"reason": "问责程序尚未启动，且申请材料未说明失误情形，退回补充。"}
        elif verb == "accept":
            data = {"note": "申请材料齐全，在申请期限内，予以受理。"}
        elif verb == "refuse":
            data = {"reason": "所涉事项未进入问责程序，不属于容错受理范围。"}
        elif verb == "submit_report":
            user = self._staff(spec.place, "investigator")
            data = {"report": "初步调查报告：已走访相关人员、调取会议记录，对主观动机、客观条件和后果影响作出核实。"}
        elif verb == "find_qualifying":
            data = {
                "finding": "初步认定符合容错情形，下达认定书。",
                "major_matter": spec.major,
                "public_interest_involved": spec.public,
            }
        elif verb == "find_not_qualifying":
            data = {"finding": "经调查，存在不予容错情形，按有关规定处理。"}
        elif verb == "submit_defence":
            user = self._party(spec)
            data = {
                "statement": "申辩报告：决策经集体研究，出发点为推动工作，已采取补救措施。",
                "witnesses": ["单位同事"],
            }
        elif verb == "submit_evaluation":
            user = self.users["evaluator"]
            data = {
                "evaluator_org": "东南大学公共政策评估中心",
                "conclusion": "失误属探索性质，损失已部分挽回。",
                "report": "第三方评估报告（摘要）：决策程序基本规范，后果可控。",
            }
        elif verb == "record_hearing":
            user = self.users["hearing_host"]
            data = {
                "held_on": today,
                "participants": ["居民代表", "人大代表", "社区干部"],
                "summary": "多数代表认为属于探索性失误。",
            }
        elif verb == "deliberate":
            user = self._staff(spec.place, "secretary")
            data = {
                "met_on": today,
                "participants": DELIBERATION_MEMBERS,
                "opinions": "与会同志逐一发表意见。",
                "recommendation": outcome,
                "disposition": spec.disposition,
            }
            if outcome != (case.engine_outcome or "undetermined"):
                data["departure_reason"] = "综合考虑一贯表现、挽回损失和后果影响，经集体研判作出建议。"
        elif verb == "decide":
            user = self._staff(spec.place, "secretary")
            data = {
                "disposition": spec.disposition,
                "decided_on": today,
                "organ": organ,
                "document_number": self._decision_number(spec.place),
                "influence_months": spec.influence,
            }
        elif verb == "give_feedback":
            data = {"text": "认定结果已书面反馈当事人。", "delivered_on": today}
        elif verb == "notify_organisation":
            user = self._staff(spec.place, "org_liaison")
            data = {"letter": "认定结果函告组织部门。", "sent_on": today, "recipient": org_dept}
        elif verb == "file_report":
            data = {"report": "认定结果报同级党委备案。", "filed_on": today, "filed_with": committee}
        elif verb == "publish":
            user = self._staff(spec.place, "publisher")
            data = {"note": "在门户网站公开处理结果。"}
        elif verb == "withhold_publication":
            user = self._staff(spec.place, "publisher")
            data = {"reason": "涉及个人隐私和正在办理的案件线索。", "legal_basis": "《中华人民共和国个人信息保护法》"}
        elif verb == "submit_appeal":
            user = self._party(spec)
            data = {"grounds": "对事实认定和处理结论有异议，请求复核。"}
        elif verb == "decide_appeal":
            user = self._staff(spec.place, "secretary")
            data = (
                {"result": "upheld", "reasoning": "原决定事实清楚、依据充分，予以维持。"}
                if spec.appeal == "upheld"
                else {
                    "result": "changed",
                    "reasoning": "补充调查后认定其已主动挽回损失，变更原决定。",
                    "new_disposition": spec.appeal,
                }
            )
        elif verb == "close":
            data = {"waived": True, "note": "当事人书面表示不申诉，办结归档。"}
        else:  # pragma: no cover - every verb the default procedure has is handled above
            raise ValueError(verb)
        return actions.transition(user, case.pk, verb, data)

    def _backdate(self, cases: list[Case]) -> None:
        """Demo fixture data, not a business act: the actions date every deadline from today, so to show
        overdue cases their running deadline is moved into the past here; the sweeper then flags them and
        raises the reminders exactly as it would in production."""
        for n, case in enumerate(cases):
            due = self.today - dt.timedelta(days=7 + 3 * n)
            Deadline.objects.filter(case=case, completed_at__isnull=True).update(
                due_on=due, started_on=due - dt.timedelta(days=14)
            )
            Case.objects.filter(pk=case.pk).update(stage_due_on=due)


# --- reporting ------------------------------------------------------------------------------------------


def _scope(ra: RoleAssignment) -> str:
    if ra.jurisdiction_id:
        return f"{ra.jurisdiction.name}（{ra.jurisdiction_id}）"
    if ra.unit_id:
        return f"{ra.unit.name}及下属单位"
    if ra.cadre_id:
        return f"本人（{ra.cadre.name}）的案件"
    if ra.case_id:
        return f"案件 {ra.case.number}"
    return "—（三员分立，不接触案件）"


def account_rows() -> list[dict[str, Any]]:
    """Every demo account with its active roles and scopes, in a stable order."""
    order = {name: i for i, name in enumerate(usernames())}
    users = User.objects.filter(username__in=order)
    grants = (
        RoleAssignment.objects.filter(user__in=users, revoked_at__isnull=True)
        .select_related("user", "jurisdiction", "unit", "cadre", "case")
        .order_by("id")
    )
    rows: dict[str, dict[str, Any]] = {
        u.username: {"username": u.username, "name": u.display_name, "roles": []} for u in users
    }
    for ra in grants:
        rows[ra.user.username]["roles"].append({"role": ra.role, "label": ra.get_role_display(), "scope": _scope(ra)})
    return sorted(rows.values(), key=lambda r: order[r["username"]])


def summary() -> dict[str, Any]:
    cases = Case.objects.all()
    decided = cases.exclude(outcome="")
    return {
        "cases": cases.count(),
        "stages": dict(Counter(cases.values_list("stage", flat=True))),
        "start_types": dict(Counter(cases.values_list("start_type", flat=True))),
        "engine_outcomes": dict(Counter(cases.exclude(engine_outcome="").values_list("engine_outcome", flat=True))),
        "decisions": dict(Counter(decided.values_list("outcome", flat=True))),
        "overdue": cases.filter(overdue=True).count(),
        "accounts": User.objects.filter(username__in=usernames()).count(),
    }


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def accounts_table(rows: list[dict[str, Any]]) -> str:
    lines = [f"{_pad('登录名', 16)}{_pad('姓名', 36)}{_pad('角色', 24)}范围"]
    for r in rows:
        for i, role in enumerate(r["roles"] or [{"label": "（尚未授权）", "scope": ""}]):
            first = i == 0
            lines.append(
                _pad(r["username"] if first else "", 16)
                + _pad(r["name"] if first else "", 36)
                + _pad(role["label"], 24)
                + role["scope"]
            )
    return "\n".join(lines)
