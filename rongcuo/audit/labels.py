"""Chinese names for what the audit records: actions, roles and object types, for the audit console.

The stored action stays the code (`case.read`): it is what the console filters on by prefix and what
exports carry. The console shows the Chinese name first and the code beside it. A case's procedure moves
(`case.<verb>`) take the label of the verb in the default procedure definition, so a verb added there is
named in the audit too.
"""

from __future__ import annotations

from functools import lru_cache

from rongcuo.accounts.roles import Role

ACTIONS: dict[str, str] = {
    "account.create": "创建账号",
    "account.disable": "停用账号",
    "account.enable": "启用账号",
    "account.password_reset": "重置密码",
    "account.totp_reset": "重置双因素认证",
    "account.unlock": "解除登录锁定",
    "audit.checkpoints": "导出审计检查点",
    "audit.export": "导出审计记录",
    "audit.read": "查阅审计记录",
    "audit.verify": "校验审计链",
    "auth.change_password": "修改密码",
    "auth.login": "登录",
    "auth.logout": "退出登录",
    "auth.logout_everywhere": "退出全部会话",
    "auth.second_factor": "双因素认证",
    "auth.token_issue": "签发接口令牌",
    "auth.totp": "动态口令校验",
    "auth.totp_enrol": "绑定动态口令",
    "case.add_attachment": "上传案件材料",
    "case.add_interview": "记录谈话",
    "case.apply": "提出容错申请",
    "case.commission": "委托评估人或听证主持人",
    "case.download": "下载案件材料",
    "case.early_warning": "预警提示",
    "case.list": "查阅案件列表",
    "case.open_proactive": "主动启动容错",
    "case.read": "查阅案件",
    "case.search": "检索案件",
    "case.set_fact": "认定要件事实",
    "case.similar": "类案推送",
    "case.clarify": "澄清正名",
    "case.issue_document": "制发案件公文",
    "case.sign_document": "公文签章",
    "case.correction_plan": "制定纠错整改方案",
    "case.correction_progress": "报告整改进展",
    "case.correction_assess": "评估整改",
    "case.correction_complete": "整改完成",
    "case.correction_verify": "核验整改",
    "case.correction_refusal": "认定拒不纠错",
    "case.rendition_generate": "生成去标识化公开文本",
    "case.rendition_edit": "修改公开文本",
    "case.rendition_publish": "发布公开文本",
    "case.rendition_withdraw": "撤回公开文本",
    "case.typical_curate": "收入典型案例库",
    "case.typical_remove": "移出典型案例库",
    "consultation.adopt": "采纳征求意见稿",
    "consultation.close": "结束意见征集",
    "consultation.draft": "起草征求意见稿",
    "consultation.export": "导出征集意见",
    "consultation.publish": "发布征求意见稿",
    "consultation.respond": "提交意见",
    "consultation.revise": "修改征求意见稿",
    "correction.assess": "评估整改",
    "correction.complete": "整改完成",
    "correction.plan": "制定纠错整改方案",
    "correction.progress": "报告整改进展",
    "correction.read": "查阅整改方案",
    "correction.refusal": "认定拒不纠错",
    "correction.verify": "核验整改",
    "deadlines.sweep": "期限巡检",
    "disclosure.approve": "审核通过公开文本",
    "disclosure.auto_withdraw": "自动撤回公开文本",
    "disclosure.curate": "收入典型案例库",
    "disclosure.edit": "修改公开文本",
    "disclosure.generate": "生成去标识化公开文本",
    "disclosure.read": "查阅公开文本",
    "disclosure.rendition": "查阅公开文本",
    "disclosure.scan": "公开前扫描",
    "disclosure.tag": "标注典型案例",
    "disclosure.uncurate": "移出典型案例库",
    "disclosure.withdraw": "撤回公开文本",
    "drafting.assist_apply": "采用原文起草建议",
    "drafting.assist_read": "识别办法原文",
    "document.body": "管理发文机关",
    "document.download": "下载公文",
    "document.export": "导出公文",
    "document.issue": "制发公文",
    "document.list": "查阅案件公文",
    "document.pdf": "生成公文 PDF",
    "document.sign": "签章",
    "document.template": "管理公文模板",
    "drafting.create": "新建规则草稿",
    "drafting.derive": "参照上级或他地办法起草",
    "drafting.revise": "起草现行办法的新版本",
    "drafting.meta": "修改草稿基本信息",
    "drafting.article_put": "编辑条文",
    "drafting.article_remove": "删除条文",
    "drafting.node_put": "编辑规则",
    "drafting.node_remove": "删除规则",
    "drafting.fact_put": "编辑本地事实",
    "drafting.fact_remove": "删除本地事实",
    "drafting.reading_put": "编辑解读说明",
    "drafting.reading_remove": "删除解读说明",
    "drafting.result_use_put": "编辑结果运用",
    "drafting.result_use_remove": "删除结果运用",
    "drafting.procedure_put": "编辑程序步骤",
    "drafting.procedure_remove": "删除程序步骤",
    "drafting.test_put": "编辑测试用例",
    "drafting.test_remove": "删除测试用例",
    "drafting.import": "导入规则文件",
    "drafting.export": "导出规则文件",
    "drafting.rebase": "按上级新版本更新草稿",
    "drafting.send": "草稿送交意见征集",
    "drafting.withdraw": "撤回草稿",
    "exchange.export": "导出数据",
    "exchange.import": "导入数据",
    "exchange.import_check": "导入前校验",
    "matter.open": "登记问责事项",
    "prefiling.acknowledge": "受理事前报备",
    "prefiling.return": "退回事前报备",
    "prefiling.review": "审查事前报备",
    "prefiling.submit": "提交事前报备",
    "report.clarify": "澄清正名",
    "report.conclude": "办结举报",
    "report.list": "查阅举报列表",
    "report.read": "查阅举报",
    "report.refer": "转办举报",
    "report.register": "登记举报",
    "role.grant": "授予角色",
    "role.revoke": "撤销角色",
    "standing.read": "查询结果运用",
}

OBJECT_TYPES: dict[str, str] = {
    "audit": "审计记录",
    "case": "案件",
    "consultation_draft": "征求意见稿",
    "correction_plan": "整改方案",
    "deadline": "期限",
    "document": "公文",
    "issuing_body": "发文机关",
    "matter": "问责事项",
    "policy_draft": "规则草稿",
    "prefiling": "事前报备",
    "rendition": "公开文本",
    "report": "举报",
    "template": "公文模板",
    "user": "账号",
    "workbook": "工作簿",
}


@lru_cache(maxsize=1)
def _transitions() -> dict[str, str]:
    from rongcuo.procedure.engine import definition

    return {verb: spec["label"] for verb, spec in definition()["verbs"].items()}


def action_label(action: str) -> str | None:
    """The Chinese name of an audit action, or None if it has none (a test keeps that from happening)."""
    if action in ACTIONS:
        return ACTIONS[action]
    prefix, _, verb = action.partition(".")
    if prefix == "case":
        return _transitions().get(verb)
    return None


# Actors that are not a person's role (audit/chain.Actor.system, consultation's public respondent).
ACTOR_ROLES = {"system": "系统（自动执行）", "public": "公众"}


def role_label(role: str) -> str:
    if not role:
        return ""
    if role in ACTOR_ROLES:
        return ACTOR_ROLES[role]
    try:
        return str(Role(role).label)
    except ValueError:
        return role


def object_label(object_type: str) -> str:
    return OBJECT_TYPES.get(object_type, object_type)
