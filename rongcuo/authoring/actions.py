"""规则起草 verbs: one transactional function per act on a rule draft.

Each act locks the draft row (select_for_update; on SQLite the transaction is BEGIN IMMEDIATE), checks that
the user is a 规则起草人 whose scope covers the draft's jurisdiction (else NotFound, as for a missing draft),
checks that the revision the user edited is still the stored one (else Conflict naming who saved what when),
applies the pure verb of rongcuo.policy.authoring (bad input: Invalid naming the field, nothing saved), saves
the next revision and appends the audit record; a refusal is audited after rollback (`attempt`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from rongcuo.accounts.models import User
from rongcuo.audit.chain import append
from rongcuo.cases.actions import actor_for, attempt
from rongcuo.consultation import actions as consultation
from rongcuo.core.errors import Conflict, Invalid, NotFound
from rongcuo.org.models import Jurisdiction
from rongcuo.policy import authoring as pa
from rongcuo.policy.errors import PolicyError, PolicyErrors
from rongcuo.policy.loader import load_policy_text

from . import codec, source
from .models import PolicyDraft
from .scope import ROLE, drafting_scope

OBJECT = "policy_draft"
MAX_YAML_CHARS = 500_000
DEFAULT_QUESTIONNAIRE = [
    {
        "id": "q1",
        "text": "您对本办法（征求意见稿）总体是否赞成？",
        "kind": "single",
        "options": ["赞成", "基本赞成", "不赞成"],
        "required": True,
    },
    {"id": "q2", "text": "您对具体条款的意见和建议", "kind": "text", "required": False},
]
Doc = dict[str, Any]


class EditRefused(Invalid):
    """An edit the policy library refused: the field path it names, its Chinese message, the line (imports)."""

    def __init__(self, exc: PolicyError, *, prefix: str = "") -> None:
        first = exc.errors[0] if isinstance(exc, PolicyErrors) and exc.errors else exc
        more = len(exc.errors) - 1 if isinstance(exc, PolicyErrors) else 0
        where = f"第{first.line}行：" if first.line else ""
        field = f"{first.field}：" if first.field and where else ""
        lead = prefix + ("" if where or not prefix else "：")
        message = f"{lead}{where}{field}{first.message}" + (f"（另有 {more} 处问题）" if more > 0 else "")
        super().__init__(message, field=first.field or None)
        self.line = first.line
        self.problems = [
            {"line": e.line, "field": e.field, "message": e.message}
            for e in (exc.errors if isinstance(exc, PolicyErrors) else [exc])
        ]


class StaleRevision(Conflict):
    """Someone saved the draft after the revision the user edited."""

    def __init__(self, draft: PolicyDraft) -> None:
        who = draft.updated_by.display_name or draft.updated_by.username
        when = timezone.localtime(draft.updated_at).strftime("%Y-%m-%d %H:%M:%S")
        super().__init__(
            f"该草稿已被 {who} 于 {when} 保存为第 {draft.revision} 稿，您的修改未保存。"
            "请对照当前内容重新修改后再保存。",
            field="revision",
        )
        self.current_revision = draft.revision


# --- reading ----------------------------------------------------------------------------------------------------


def visible_drafts(user: User):  # type: ignore[no-untyped-def]
    return PolicyDraft.objects.filter(jurisdiction_id__in=drafting_scope(user).codes)


def _pk(draft_id: Any) -> int:
    try:
        pk = int(draft_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    if not 0 < pk < 2**63:
        raise NotFound()
    return pk


def access_draft(user: User, draft_id: Any, *, for_update: bool = False) -> PolicyDraft:
    """The draft if it lies in the user's drafting scope; NotFound otherwise (missing and forbidden alike)."""
    pk = _pk(draft_id)
    scope = drafting_scope(user)
    if not scope:
        raise NotFound()
    qs = PolicyDraft.objects.filter(pk=pk, jurisdiction_id__in=scope.codes).select_related("updated_by")
    draft = (qs.select_for_update(of=("self",)) if for_update else qs).first()
    if draft is None:
        raise NotFound()
    return draft


def _jurisdiction(user: User, code: Any) -> Jurisdiction:
    code = str(code or "").strip()
    if code not in drafting_scope(user).codes:
        raise Invalid("所属地区：只能为您负责起草的地区及其下级地区", field="jurisdiction")
    return Jurisdiction.objects.get(code=code)


def _refused(fn: Callable[[], Any], prefix: str = "") -> Any:
    try:
        return fn()
    except PolicyError as exc:
        raise EditRefused(exc, prefix=prefix) from None


def _day(value: Any, field: str, name: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise Invalid(f"{name}：应为日期（如 2025-01-01）", field=field) from None


def _detail(draft: PolicyDraft, **extra: Any) -> dict[str, Any]:
    return {"policy": draft.policy_id, "revision": draft.revision, **extra}


def _new(user: User, action: str, draft: PolicyDraft, doc: Doc, tests: Doc, ip: str, **extra: Any) -> PolicyDraft:
    source.store(draft, doc)
    draft.tests = codec.encode(tests)
    draft.created_by = draft.updated_by = user
    draft.save()
    append(actor_for(user, ROLE, ip), action, OBJECT, draft.pk, detail=_detail(draft, origin=draft.origin, **extra))
    return draft


def _empty_tests(policy_id: str) -> Doc:
    return {"policy": policy_id, "cases": []}


# --- starting a draft -------------------------------------------------------------------------------------------


def create_blank(user: User, data: dict[str, Any], *, ip: str = "") -> PolicyDraft:
    """A new measure of a place in the user's scope, with nothing encoded yet."""
    with attempt(user, "drafting.create", OBJECT, "", ip):
        if not drafting_scope(user):
            raise NotFound()
        place = _jurisdiction(user, data.get("jurisdiction"))
        doc = _refused(
            lambda: pa.blank_document(
                str(data.get("policy_id") or "").strip(),
                data.get("title"),
                place.code,
                _place_name(place),
                data.get("version"),
                _day(data.get("effective_from"), "effective_from", "施行日期"),
            )
        )
        _not_taken(doc["id"])
        draft = PolicyDraft(jurisdiction=place, policy_id=doc["id"], title=doc["title"], origin=PolicyDraft.BLANK)
        return _new(user, "drafting.create", draft, doc, _empty_tests(doc["id"]), ip)


def derive(user: User, data: dict[str, Any], *, ip: str = "") -> PolicyDraft:
    """A measure of a place in the user's scope, starting from a version of a measure of one of its ancestors or
    neighbours; only the changes against that version are stored."""
    with attempt(user, "drafting.derive", OBJECT, "", ip):
        scope = drafting_scope(user)
        if not scope:
            raise NotFound()
        parent_id = str(data.get("parent_policy_id") or "").strip()
        parent = source.compiled(parent_id)
        if parent is None:
            raise Invalid("上级办法：政策库中没有该办法", field="parent_policy_id")
        if parent.jurisdiction_code not in scope.parent_codes():
            raise Invalid(
                f"上级办法：{parent.jurisdiction_name}的办法不是您所在地区的上级或相邻地区的办法",
                field="parent_policy_id",
            )
        place = _jurisdiction(user, data.get("jurisdiction"))
        parent_doc = source.policy_document(parent_id)
        version = str(data.get("parent_version") or "").strip() or parent.latest().version
        doc = _refused(
            lambda: pa.derived_document(
                parent_doc,
                version,
                str(data.get("policy_id") or "").strip(),
                data.get("title"),
                place.code,
                _place_name(place),
                data.get("version"),
                _day(data.get("effective_from"), "effective_from", "施行日期"),
            )
        )
        _not_taken(doc["id"])
        draft = PolicyDraft(
            jurisdiction=place,
            policy_id=doc["id"],
            title=doc["title"],
            origin=PolicyDraft.DERIVED,
            parent_policy_id=parent_id,
            parent_version=version,
            parent_snapshot=codec.encode(source.version_of(parent_doc, version)),
        )
        tests = _empty_tests(doc["id"])
        return _new(user, "drafting.derive", draft, doc, tests, ip, parent=f"{parent_id}@{version}")


def revise(user: User, data: dict[str, Any], *, ip: str = "") -> PolicyDraft:
    """A new version of a measure of the user's own place, copied from its latest version."""
    with attempt(user, "drafting.revise", OBJECT, "", ip):
        scope = drafting_scope(user)
        policy_id = str(data.get("policy_id") or "").strip()
        policy = source.compiled(policy_id)
        if policy is None or policy.jurisdiction_code not in scope.codes:
            raise Invalid("要修订的办法：只能修订您负责起草的地区的办法", field="policy_id")
        doc = _refused(
            lambda: pa.revision_document(
                source.policy_document(policy_id),
                data.get("version"),
                _day(data.get("effective_from"), "effective_from", "施行日期"),
            )
        )
        draft = PolicyDraft(
            jurisdiction=Jurisdiction.objects.get(code=policy.jurisdiction_code),
            policy_id=policy_id,
            title=policy.title,
            origin=PolicyDraft.REVISION,
            parent_policy_id=policy_id,
            parent_version=policy.latest().version,
        )
        tests = _shipped_tests(policy_id)
        return _new(user, "drafting.revise", draft, doc, tests, ip, version=str(data.get("version") or ""))


def _place_name(place: Jurisdiction) -> str:
    """The full place name as rule files write it (江苏省南京市江宁区), from the chain below 中央."""
    return "".join(j.name for j in reversed(place.chain()) if j.code != "000000")


def _not_taken(policy_id: str) -> None:
    if source.compiled(policy_id) is not None:
        raise Invalid(f"政策编号：{policy_id} 已是政策库中的办法，请换一个编号或选择“修订本地办法”", field="policy_id")
    if PolicyDraft.objects.filter(policy_id=policy_id).exclude(status=PolicyDraft.WITHDRAWN).exists():
        raise Invalid(f"政策编号：已有编号为 {policy_id} 的草稿", field="policy_id")


def _shipped_tests(policy_id: str) -> Doc:
    from rongcuo.policy.loader import policies_dir

    path = policies_dir() / f"{policy_id}.test.yaml"
    if path.is_file():
        try:
            return pa.tests_from_yaml(path.read_text(encoding="utf-8"), path.name)
        except PolicyError:
            pass
    return _empty_tests(policy_id)


# --- editing ----------------------------------------------------------------------------------------------------

Edit = Callable[[Doc, Doc], tuple[Doc, Doc]]


def _editable(user: User, draft_id: Any, revision: Any) -> PolicyDraft:
    """The draft locked for an edit made on `revision`: NotFound out of scope, Conflict when stale or closed."""
    draft = access_draft(user, draft_id, for_update=True)
    try:
        edited_on = int(revision)
    except (TypeError, ValueError):
        raise Invalid("稿次：缺少或无效，请重新打开草稿后再修改", field="revision") from None
    if edited_on != draft.revision:
        raise StaleRevision(draft)
    if draft.status != PolicyDraft.EDITING:
        raise Conflict("该草稿已提交意见征集或已撤回，不能再修改", field="status")
    return draft


def _save(user: User, draft: PolicyDraft, doc: Doc, tests: Doc, action: str, ip: str, **extra: Any) -> PolicyDraft:
    _refused(lambda: source.store(draft, doc))
    draft.tests = codec.encode(tests)
    draft.revision += 1
    draft.updated_by = user
    draft.save()
    append(actor_for(user, ROLE, ip), action, OBJECT, draft.pk, detail=_detail(draft, **extra))
    return draft


def _edit(user: User, draft_id: Any, revision: Any, action: str, fn: Edit, ip: str, **extra: Any) -> PolicyDraft:
    with attempt(user, action, OBJECT, draft_id, ip):
        draft = _editable(user, draft_id, revision)
        doc, tests = _refused(lambda: fn(source.materialise(draft), source.tests_of(draft)))
        return _save(user, draft, doc, tests, action, ip, **extra)


def _opt_int(data: dict[str, Any], key: str, name: str) -> int | None:
    value = data.get(key)
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Invalid(f"{name}：应为整数", field=key) from None


def _opt_str(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    return None if value in (None, "") else str(value)


META_KEYS = (
    "title",
    "issued_by",
    "document_number",
    "issued",
    "effective_from",
    "effective_to",
    "source_url",
    "source_note",
    "completeness",
    "completeness_note",
    "applies_by",
    "effective_note",
    "version_title",
    "version",
)


def set_meta(user: User, draft_id: Any, revision: Any, data: dict[str, Any], *, ip: str = "") -> PolicyDraft:
    """The measure's particulars; a key left out is unchanged, "" clears an optional one."""
    unknown = sorted(set(data) - set(META_KEYS))
    if unknown:
        raise Invalid(f"不认识的字段 {'、'.join(unknown)}", field=unknown[0])
    args = {k: data[k] for k in META_KEYS if k in data}
    return _edit(
        user, draft_id, revision, "drafting.meta", lambda d, t: (pa.set_meta(d, **args), t), ip, fields=sorted(args)
    )


def put_article(user: User, draft_id: Any, revision: Any, data: dict[str, Any], *, ip: str = "") -> PolicyDraft:
    ref, old = str(data.get("ref") or "").strip(), _opt_str(data, "old_ref")
    position = _opt_int(data, "position", "位置")
    return _edit(
        user,
        draft_id,
        revision,
        "drafting.article_put",
        lambda d, t: (
            pa.put_article(
                d,
                ref,
                data.get("text"),
                verified=data.get("verified") is True,
                note=_opt_str(data, "note"),
                old_ref=old,
                position=position,
                kind=_opt_str(data, "kind"),
            ),
            t,
        ),
        ip,
        ref=ref,
    )


def remove_article(user: User, draft_id: Any, revision: Any, ref: str, *, ip: str = "") -> PolicyDraft:
    return _edit(
        user, draft_id, revision, "drafting.article_remove", lambda d, t: (pa.remove_article(d, ref), t), ip, ref=ref
    )


NODE_KEYS = ("id", "ref", "text", "when", "label", "outcome", "dispositions")


def put_node(
    user: User, draft_id: Any, revision: Any, group: str, data: dict[str, Any], *, ip: str = ""
) -> PolicyDraft:
    """Add or replace a rule node. `when` is the expression; a `tree` from the picker is turned into one."""
    node = {k: data[k] for k in NODE_KEYS if k in data and data[k] is not None}
    old, position = _opt_str(data, "old_id"), _opt_int(data, "position", "位置")
    tree = data.get("tree")

    def fn(d: Doc, t: Doc) -> tuple[Doc, Doc]:
        if tree is not None:
            try:
                node["when"] = pa.tree_to_expr(tree, d)
            except pa.EditError as exc:
                raise pa.EditError(f"{group}[{node.get('id')}].when", exc.message) from None
        return pa.put_node(d, group, node, old_id=old, position=position), t

    return _edit(user, draft_id, revision, "drafting.node_put", fn, ip, node=f"{group}:{node.get('id')}")


def remove_node(user: User, draft_id: Any, revision: Any, group: str, node_id: str, *, ip: str = "") -> PolicyDraft:
    return _edit(
        user,
        draft_id,
        revision,
        "drafting.node_remove",
        lambda d, t: (pa.remove_node(d, group, node_id), t),
        ip,
        node=f"{group}:{node_id}",
    )


def put_fact(user: User, draft_id: Any, revision: Any, data: dict[str, Any], *, ip: str = "") -> PolicyDraft:
    fid, old = str(data.get("id") or "").strip(), _opt_str(data, "old_id")

    def fn(d: Doc, t: Doc) -> tuple[Doc, Doc]:
        new = pa.put_fact(d, fid, data.get("label"), data.get("question"), old_id=old)
        return new, (pa.rename_fact_in_tests(t, old, fid) if old and old != fid else t)

    return _edit(user, draft_id, revision, "drafting.fact_put", fn, ip, fact=fid)


def remove_fact(user: User, draft_id: Any, revision: Any, fact_id: str, *, ip: str = "") -> PolicyDraft:
    return _edit(
        user, draft_id, revision, "drafting.fact_remove", lambda d, t: (pa.remove_fact(d, fact_id), t), ip, fact=fact_id
    )


def put_reading(user: User, draft_id: Any, revision: Any, data: dict[str, Any], *, ip: str = "") -> PolicyDraft:
    index = _opt_int(data, "index", "解读说明序号")
    return _edit(
        user,
        draft_id,
        revision,
        "drafting.reading_put",
        lambda d, t: (
            pa.put_reading(
                d,
                str(data.get("ref") or "").strip(),
                data.get("note"),
                node=_opt_str(data, "node"),
                index=index,
            ),
            t,
        ),
        ip,
    )


def remove_reading(user: User, draft_id: Any, revision: Any, index: Any, *, ip: str = "") -> PolicyDraft:
    i = _opt_int({"index": index}, "index", "解读说明序号")
    return _edit(
        user, draft_id, revision, "drafting.reading_remove", lambda d, t: (pa.remove_reading(d, i), t), ip, index=i
    )


def put_result_use(
    user: User, draft_id: Any, revision: Any, rule: dict[str, Any], *, old_id: str | None = None, ip: str = ""
) -> PolicyDraft:
    return _edit(
        user,
        draft_id,
        revision,
        "drafting.result_use_put",
        lambda d, t: (pa.put_result_use(d, rule, old_id=old_id), t),
        ip,
        rule=str(rule.get("id")),
    )


def remove_result_use(user: User, draft_id: Any, revision: Any, rule_id: str, *, ip: str = "") -> PolicyDraft:
    return _edit(
        user,
        draft_id,
        revision,
        "drafting.result_use_remove",
        lambda d, t: (pa.remove_result_use(d, rule_id), t),
        ip,
        rule=rule_id,
    )


def put_procedure_step(
    user: User, draft_id: Any, revision: Any, step: dict[str, Any], *, index: int | None = None, ip: str = ""
) -> PolicyDraft:
    return _edit(
        user,
        draft_id,
        revision,
        "drafting.procedure_put",
        lambda d, t: (pa.put_procedure_step(d, step, index=index), t),
        ip,
        stage=str(step.get("stage")),
    )


def remove_procedure_step(user: User, draft_id: Any, revision: Any, index: int, *, ip: str = "") -> PolicyDraft:
    return _edit(
        user,
        draft_id,
        revision,
        "drafting.procedure_remove",
        lambda d, t: (pa.remove_procedure_step(d, index), t),
        ip,
        index=index,
    )


def put_test(
    user: User, draft_id: Any, revision: Any, row: dict[str, Any], *, index: Any = None, ip: str = ""
) -> PolicyDraft:
    i = _opt_int({"index": index}, "index", "用例序号")
    return _edit(
        user,
        draft_id,
        revision,
        "drafting.test_put",
        lambda d, t: (d, pa.put_test(t, row, index=i, doc=d)),
        ip,
        index=i,
    )


def remove_test(user: User, draft_id: Any, revision: Any, index: Any, *, ip: str = "") -> PolicyDraft:
    i = _opt_int({"index": index}, "index", "用例序号")
    return _edit(user, draft_id, revision, "drafting.test_remove", lambda d, t: (d, pa.remove_test(t, i)), ip, index=i)


# --- import and export ------------------------------------------------------------------------------------------


def _imported_rules(draft: PolicyDraft, text: str) -> Doc:
    if len(text) > MAX_YAML_CHARS:
        raise Invalid(f"规则文件：过长（不超过 {MAX_YAML_CHARS} 字符）", field="rules")
    doc = _refused(lambda: pa.from_yaml(text, f"{draft.policy_id}.yaml", strict=True), "规则文件")
    _refused(lambda: load_policy_text(pa.to_yaml(doc), f"{draft.policy_id}.yaml"), "规则文件")
    if doc.get("id") != draft.policy_id:
        raise Invalid(f"规则文件：id 为 {doc.get('id')}，与本草稿的政策编号 {draft.policy_id} 不一致", field="id")
    code = (doc.get("jurisdiction") or {}).get("code")
    if code != draft.jurisdiction_id:
        raise Invalid(
            f"规则文件：所属地区代码为 {code}，与本草稿的地区 {draft.jurisdiction_id} 不一致", field="jurisdiction.code"
        )
    if draft.origin == PolicyDraft.DERIVED and len(doc["versions"]) != 1:
        raise Invalid("规则文件：参照制定的办法只有一个版本", field="versions")
    return doc


def _imported_tests(draft: PolicyDraft, text: str) -> Doc:
    if len(text) > MAX_YAML_CHARS:
        raise Invalid(f"测试文件：过长（不超过 {MAX_YAML_CHARS} 字符）", field="tests")
    tests = _refused(lambda: pa.tests_from_yaml(text, f"{draft.policy_id}.test.yaml"), "测试文件")
    if tests.get("policy") != draft.policy_id:
        raise Invalid(f"测试文件：policy 为 {tests.get('policy')}，应为 {draft.policy_id}", field="policy")
    return tests


def import_yaml(
    user: User, draft_id: Any, revision: Any, *, rules: str | None = None, tests: str | None = None, ip: str = ""
) -> PolicyDraft:
    """Replace the rule file and/or the test file from YAML. The rule file must load (its errors are refused with
    line and field, nothing saved); check findings are then shown beside the editor as for any edit."""
    if not (rules or "").strip() and not (tests or "").strip():
        raise Invalid("导入：请上传或粘贴规则文件或测试文件", field="rules")
    with attempt(user, "drafting.import", OBJECT, draft_id, ip):
        draft = _editable(user, draft_id, revision)
        doc = _imported_rules(draft, rules or "") if (rules or "").strip() else source.materialise(draft)
        new_tests = _imported_tests(draft, tests or "") if (tests or "").strip() else source.tests_of(draft)
        parts = [name for name, text in (("rules", rules), ("tests", tests)) if (text or "").strip()]
        return _save(user, draft, doc, new_tests, "drafting.import", ip, parts=parts)


def export(user: User, draft_id: Any, part: str, *, ip: str = "") -> tuple[str, str]:
    """(file name, YAML text) of the rule file ("rules") or the test file ("tests")."""
    with attempt(user, "drafting.export", OBJECT, draft_id, ip):
        if part not in ("rules", "tests"):
            raise NotFound()
        draft = access_draft(user, draft_id)
        if part == "rules":
            name, text = f"{draft.policy_id}.yaml", pa.to_yaml(source.materialise(draft))
        else:
            name, text = f"{draft.policy_id}.test.yaml", pa.tests_to_yaml(source.tests_of(draft))
        append(actor_for(user, ROLE, ip), "drafting.export", OBJECT, draft.pk, detail=_detail(draft, part=part))
    return name, text


# --- the parent measure changed ---------------------------------------------------------------------------------


def review_parent(user: User, draft_id: Any, to_version: str | None = None) -> dict[str, Any]:
    """What changed in the parent measure between the draft's parent version and `to_version` (its newest by
    default), row by row, each saying whether the draft overrides that item."""
    draft = access_draft(user, draft_id)
    if draft.origin != PolicyDraft.DERIVED:
        raise Invalid("只有参照上级或外地办法制定的草稿才有上级办法", field="origin")
    parent = source.compiled(draft.parent_policy_id)
    if parent is None:
        raise NotFound(f"上级办法 {draft.parent_policy_id} 已不在政策库中")
    target = to_version or parent.latest().version
    new = source.version_of(source.policy_document(draft.parent_policy_id), target)
    if new is None:
        raise Invalid(f"上级办法：没有版本 {target}", field="to_version")
    old = source.parent_version(draft)
    ov = codec.decode(draft.document)["overlay"]
    return {
        "draft": draft,
        "from": draft.parent_version,
        "to": target,
        "new_parent": new,
        "rows": _refused(lambda: pa.review_parent_change(old, new, ov)),
        "versions": [v.version for v in parent.versions],
    }


def rebase(user: User, draft_id: Any, revision: Any, to_version: str, *, ip: str = "") -> PolicyDraft:
    """Put the draft's changes on another version of the parent measure (after reviewing the parent's change)."""
    with attempt(user, "drafting.rebase", OBJECT, draft_id, ip):
        draft = _editable(user, draft_id, revision)
        review = review_parent(user, draft_id, to_version)
        new_parent = review["new_parent"]
        stored = codec.decode(draft.document)
        doc = _refused(lambda: pa.rebase(new_parent, stored["overlay"], stored["head"]))
        previous = draft.parent_version
        # store() computes the overlay against the new parent version
        draft.parent_version, draft.parent_snapshot = review["to"], codec.encode(new_parent)
        tests = source.tests_of(draft)
        return _save(user, draft, doc, tests, "drafting.rebase", ip, parent=f"{previous}→{review['to']}")


# --- leaving the workbench --------------------------------------------------------------------------------------


def send_to_consultation(
    user: User, draft_id: Any, revision: Any, data: dict[str, Any], *, ip: str = ""
) -> PolicyDraft:
    """Create the 意见征集 draft from the materialised rule file; from there the consultation flow runs unchanged
    (publication, responses, adoption by the 决策秘书)."""
    with attempt(user, "drafting.send", OBJECT, draft_id, ip):
        draft = _editable(user, draft_id, revision)
        text = pa.to_yaml(source.materialise(draft))
        explanation = str(data.get("explanation") or "").strip()
        if not explanation:
            raise Invalid("起草说明：请写明起草背景和主要内容", field="explanation")
        questionnaire = data.get("questionnaire") or DEFAULT_QUESTIONNAIRE
        sent, _check = consultation.create_draft(
            user,
            {
                "policy_id": draft.policy_id,
                "title": str(data.get("title") or "").strip() or f"{draft.title}（征求意见稿）",
                "yaml_text": text,
                "explanation": explanation,
                "questionnaire": questionnaire,
            },
            ip=ip,
        )
        draft.consultation_draft = sent
        draft.status, draft.updated_by = PolicyDraft.SENT, user
        draft.revision += 1
        draft.save()
        append(
            actor_for(user, ROLE, ip), "drafting.send", OBJECT, draft.pk, detail=_detail(draft, consultation=sent.pk)
        )
    return draft


def withdraw(user: User, draft_id: Any, revision: Any, *, ip: str = "") -> PolicyDraft:
    with attempt(user, "drafting.withdraw", OBJECT, draft_id, ip):
        draft = _editable(user, draft_id, revision)
        draft.status, draft.updated_by = PolicyDraft.WITHDRAWN, user
        draft.revision += 1
        draft.save()
        append(actor_for(user, ROLE, ip), "drafting.withdraw", OBJECT, draft.pk, detail=_detail(draft))
    return draft
