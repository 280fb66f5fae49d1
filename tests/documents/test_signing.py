"""Decisions signed with SM2 (over SM3 and SHA-256 digests); `rongcuo documents verify` exits 0 valid,
1 invalid (one byte changed, signature or key wrong), 2 bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from django.conf import settings

from rongcuo.cli import main
from rongcuo.core.errors import Conflict, Forbidden
from rongcuo.documents import actions, signing, storage

from .conftest import decided

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed(world, body, tmp_path) -> tuple[Path, Path]:
    case = decided(world)
    doc = actions.issue_document(world.secretary, case.pk, "decision")
    with pytest.raises(Forbidden):
        actions.sign_decision(world.applicant, doc.pk)
    doc = actions.sign_decision(world.secretary, doc.pk)
    with pytest.raises(Conflict):
        actions.sign_decision(world.secretary, doc.pk)
    _, content = actions.read_document(world.secretary, doc.pk, "docx")
    _, sidecar = actions.read_document(world.secretary, doc.pk, "signature")
    path = tmp_path / "decision.docx"
    path.write_bytes(content)
    (tmp_path / "decision.docx.sig.json").write_bytes(sidecar)
    return path, tmp_path / "decision.docx.sig.json"


def run(*args: str) -> tuple[int, str]:
    r = CliRunner().invoke(main, ["documents", "verify", *args])
    return r.exit_code, r.output


def test_algorithm_is_sm2_with_sm3(signed) -> None:
    _, sig = signed
    record = json.loads(sig.read_bytes())
    assert record["algorithm"] == signing.SM2 == signing.ALGORITHM
    assert record["public_key"].startswith("04") and len(record["signature"]) == 128
    assert record["statement"]["document_sha256"] == storage.sha256(signed[0].read_bytes())
    assert record["statement"]["document_number"].startswith("苏纪发〔")
    # the private key is never in the database or the record
    assert signing.private_key() not in json.dumps(record)


def test_valid_signature_verifies(signed) -> None:
    path, _ = signed
    code, out = run(str(path))
    assert code == 0, out
    assert "有效" in out and "苏纪发〔" in out


def test_one_changed_byte_fails(signed, tmp_path) -> None:
    path, sig = signed
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    bad = tmp_path / "bad.docx"
    bad.write_bytes(bytes(data))
    code, out = run(str(bad), "--signature", str(sig))
    assert code == 1 and "哈希值不符" in out


def test_tampered_record_or_foreign_key_fails(signed, tmp_path) -> None:
    path, sig = signed
    record = json.loads(sig.read_bytes())
    record["statement"]["signer"] = "某某"
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(record, ensure_ascii=False))
    code, out = run(str(path), "--signature", str(forged))
    assert code == 1 and "签名值校验失败" in out
    code, out = run(str(path), "--public-key", "04" + "11" * 64)
    assert code == 1 and "不是本机构信任的签名公钥" in out


def test_bad_input_exits_2(signed, tmp_path) -> None:
    path, _ = signed
    assert run(str(tmp_path / "missing.docx"))[0] == 2
    lonely = tmp_path / "lonely.docx"
    lonely.write_bytes(path.read_bytes())
    assert run(str(lonely))[0] == 2  # no signature file beside it
    junk = tmp_path / "junk.json"
    junk.write_text("{not json")
    code, out = run(str(path), "--signature", str(junk))
    assert code == 2 and "JSON" in out


def test_the_installed_command(signed) -> None:
    path, sig = signed
    record = json.loads(sig.read_bytes())
    exe = Path(sys.executable).with_name("rongcuo")
    env = {**os.environ, "RONGCUO_DATA_DIR": str(settings.DATA_DIR)}
    ok = subprocess.run([str(exe), "documents", "verify", str(path)], env=env, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    path.write_bytes(path.read_bytes() + b"\0")
    bad = subprocess.run(
        [str(exe), "documents", "verify", str(path), "--signature", str(sig), "--public-key", record["public_key"]],
        env=env,
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 1, bad.stdout + bad.stderr


def test_only_decisions_are_signed(world, body) -> None:
    from .conftest import apply, to_defence

    case = to_defence(world, apply(world))
    doc = actions.issue_document(world.handler, case.pk, "acceptance")
    with pytest.raises(Conflict):
        actions.sign_decision(world.handler, doc.pk)
