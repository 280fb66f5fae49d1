"""Every action the code can write to the audit has a Chinese name for the audit console."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from rongcuo.audit import labels
from rongcuo.procedure.engine import definition

ROOT = Path(__file__).resolve().parents[2] / "rongcuo"
ACTION = re.compile(r"^[a-z]+\.[a-z_]+$")
WRITERS = {"append", "append_failure", "attempt", "_log"}


def _name(func: ast.expr) -> str:
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def written_actions() -> set[str]:
    """String constants passed to the audit writers, and `case.<verb>` for every record_event verb constant."""
    found: set[str] = set()
    for path in ROOT.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = _name(node.func)
            consts = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            if name in WRITERS:
                found |= {c for c in consts if ACTION.match(c)}
            elif name == "record_event" and len(node.args) >= 4:
                verb = node.args[3]
                if isinstance(verb, ast.Constant) and isinstance(verb.value, str):
                    found.add(f"case.{verb.value}")
    # Chosen at run time: an f-string in cases/actions.review_prefiling, a variable in exchange/actions.
    return found | {"prefiling.acknowledge", "prefiling.return", "exchange.import", "exchange.import_check"}


def test_the_scan_finds_the_writers() -> None:
    found = written_actions()
    # A scan that finds nothing would pass vacuously: these are written in three different ways.
    assert {"case.read", "role.grant", "case.rendition_generate", "case.set_fact"} <= found
    assert len(found) > 60


@pytest.mark.parametrize("action", sorted(written_actions()))
def test_every_written_action_has_a_chinese_name(action: str) -> None:
    assert labels.action_label(action), f"{action} 没有中文名称：请在 rongcuo/audit/labels.py 的 ACTIONS 中补上"


def test_case_procedure_verbs_take_the_procedure_label() -> None:
    verbs = definition()["verbs"]
    assert verbs
    for verb, spec in verbs.items():
        assert labels.action_label(f"case.{verb}") == spec["label"]


def test_unknown_names_are_not_invented() -> None:
    assert labels.action_label("case.no_such_verb") is None
    assert labels.action_label("nothing") is None
    assert labels.role_label("handler") == "承办人"
    assert labels.role_label("") == ""
    assert labels.object_label("case") == "案件"
