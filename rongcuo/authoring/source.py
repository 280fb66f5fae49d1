"""Rule files of the running library (shipped or adopted), and a draft's document materialised from them.

A derived draft stores only its head and overlay; its parent version is read from the parent policy's rule
file now in force (the adopted text, else the shipped file), falling back to the snapshot taken when it was
derived should that version no longer be there."""

from __future__ import annotations

from typing import Any

from rongcuo.consultation.library import effective_library
from rongcuo.consultation.models import AdoptedPolicy
from rongcuo.core.errors import NotFound
from rongcuo.policy import authoring as pa
from rongcuo.policy.errors import PolicyError
from rongcuo.policy.loader import Library
from rongcuo.policy.model import Policy, PolicyVersion

from . import codec
from .models import PolicyDraft


def library() -> Library:
    return effective_library()


def policy_text(policy_id: str) -> str:
    """The rule file now in force for a measure, as text ("" when the library has no such measure)."""
    policy = effective_library().policies.get(policy_id)
    if policy is None:
        return ""
    if policy.path is not None and policy.path.is_file():
        return policy.path.read_text(encoding="utf-8")
    adopted = AdoptedPolicy.objects.filter(policy_id=policy_id).order_by("-adopted_at", "-id").first()
    return adopted.yaml_text if adopted is not None else ""


def policy_document(policy_id: str) -> dict[str, Any]:
    text = policy_text(policy_id)
    if not text:
        raise NotFound(f"政策库中没有办法 {policy_id}", field="parent_policy_id")
    return pa.from_yaml(text, f"{policy_id}.yaml")


def version_of(doc: dict[str, Any], name: str) -> dict[str, Any] | None:
    return next((v for v in doc.get("versions") or [] if isinstance(v, dict) and v.get("version") == name), None)


def parent_version(draft: PolicyDraft) -> dict[str, Any]:
    """The parent version a derived draft's overlay applies to."""
    try:
        found = version_of(policy_document(draft.parent_policy_id), draft.parent_version)
    except (NotFound, PolicyError):
        found = None
    if found is None:
        if draft.parent_snapshot is None:
            raise NotFound(f"上级办法 {draft.parent_policy_id} 的版本 {draft.parent_version} 已不在政策库中")
        found = codec.decode(draft.parent_snapshot)
    return found


def materialise(draft: PolicyDraft) -> dict[str, Any]:
    """The whole rule document the draft stands for."""
    stored = codec.decode(draft.document)
    if draft.origin != PolicyDraft.DERIVED:
        return stored
    return pa.apply_overlay(parent_version(draft), stored["overlay"], stored["head"])


def store(draft: PolicyDraft, doc: dict[str, Any]) -> None:
    """Put a whole document into the draft's stored form (an overlay for a derived draft)."""
    if draft.origin == PolicyDraft.DERIVED:
        draft.document = codec.encode({"head": pa.head_of(doc), "overlay": pa.overlay(parent_version(draft), doc)})
    else:
        draft.document = codec.encode(doc)
    draft.title = str(doc.get("title") or draft.title)[:300]


def tests_of(draft: PolicyDraft) -> dict[str, Any]:
    return codec.decode(draft.tests)


def compiled(policy_id: str) -> Policy | None:
    return effective_library().policies.get(policy_id)


def parent_compiled(draft: PolicyDraft) -> PolicyVersion | None:
    """The parent version as the library compiled it (for the exact comparison), if it is still there."""
    policy = compiled(draft.parent_policy_id) if draft.origin == PolicyDraft.DERIVED else None
    if policy is None:
        return None
    try:
        return policy.version_named(draft.parent_version)
    except PolicyError:
        return None


def current_compiled(draft: PolicyDraft) -> PolicyVersion | None:
    """For a revision: the measure's latest version now in force in the library."""
    policy = compiled(draft.policy_id) if draft.origin == PolicyDraft.REVISION else None
    return policy.latest() if policy is not None else None


def latest_parent_name(draft: PolicyDraft) -> str | None:
    """The parent measure's newest version name, when it is not the one the draft is derived from."""
    policy = compiled(draft.parent_policy_id) if draft.origin == PolicyDraft.DERIVED else None
    if policy is None:
        return None
    latest = policy.latest().version
    return latest if latest != draft.parent_version else None
