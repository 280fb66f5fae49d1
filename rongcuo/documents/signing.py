"""Signatures of decision documents: SM2 with SM3 (GB/T 32918.2, GM/T 0009 default user ID) through the
pure-Python `gmssl` package; Ed25519 (cryptography) only where gmssl cannot be imported.

What is signed is a canonical statement naming the document's SM3 and SHA-256 digests, its number, kind,
title, signer and time (so none of them can be changed afterwards). The signature travels in a sidecar
JSON file (`<file>.sig.json`, format `rongcuo.signature/1`) and in the database; the DOCX itself is not
changed, so its digests stay those recorded when it was issued.

Keys never enter the database: the private key comes from RONGCUO_SIGNING_KEY (hex), or for development
and single-office installations from DATA_DIR/signing-<alg>.key (created 0600 on first use). Verification
trusts the installation's own public key plus any in RONGCUO_SIGNING_TRUSTED (comma-separated hex).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import secrets
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings

FORMAT = "rongcuo.signature/1"
SM2 = "SM2-with-SM3"
ED25519 = "Ed25519"
SM2_USER_ID = "1234567812345678"  # GM/T 0009 default distinguishing identifier

try:  # pragma: no branch
    from gmssl import sm2 as _gm_sm2

    ALGORITHM = SM2
except ImportError:  # pragma: no cover - gmssl is a dependency; kept for installations without it
    _gm_sm2 = None
    ALGORITHM = ED25519


class BadSignatureFile(ValueError):
    """The signature file cannot be read (bad input, not a failed check)."""


@dataclass(frozen=True)
class Verdict:
    valid: bool
    reason: str
    statement: dict[str, Any]


def canonical(statement: dict[str, Any]) -> bytes:
    return json.dumps(statement, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def digests(content: bytes) -> dict[str, str]:
    return {
        "document_sm3": hashlib.new("sm3", content).hexdigest(),
        "document_sha256": hashlib.sha256(content).hexdigest(),
    }


# --- keys --------------------------------------------------------------------------------------------------


def _sm2_n() -> int:
    assert _gm_sm2 is not None
    return int(_gm_sm2.default_ecc_table["n"], 16)


def _key_file(algorithm: str) -> Path:
    return Path(settings.DATA_DIR) / ("signing-sm2.key" if algorithm == SM2 else "signing-ed25519.key")


def _new_private(algorithm: str) -> str:
    if algorithm == SM2:
        return f"{secrets.randbelow(_sm2_n() - 2) + 1:064x}"
    return secrets.token_hex(32)


@cache
def private_key(algorithm: str = ALGORITHM) -> str:
    env = os.environ.get("RONGCUO_SIGNING_KEY", "").strip()
    if env:
        return env.lower()
    path = _key_file(algorithm)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_text().strip()
        with os.fdopen(fd, "w") as fh:
            fh.write(_new_private(algorithm))
    return path.read_text().strip()


@cache
def public_key(algorithm: str = ALGORITHM) -> str:
    """Hex public key: 04‖x‖y for SM2, the 32 raw bytes for Ed25519."""
    priv = private_key(algorithm)
    if algorithm == SM2:
        assert _gm_sm2 is not None
        xy = _gm_sm2.CryptSM2(private_key=priv, public_key="")._kg(int(priv, 16), _gm_sm2.default_ecc_table["g"])
        return "04" + xy
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(priv))
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


def key_id(public_hex: str) -> str:
    return hashlib.new("sm3", bytes.fromhex(public_hex)).hexdigest()[:16]


def trusted_keys() -> set[str]:
    keys = {public_key()}
    keys |= {k.strip().lower() for k in os.environ.get("RONGCUO_SIGNING_TRUSTED", "").split(",") if k.strip()}
    return keys


# --- sign and verify ----------------------------------------------------------------------------------------


def _sign_bytes(message: bytes, algorithm: str) -> str:
    priv = private_key(algorithm)
    if algorithm == SM2:
        assert _gm_sm2 is not None
        signer = _gm_sm2.CryptSM2(private_key=priv, public_key=public_key(algorithm)[2:])
        n = _sm2_n()
        while True:  # gmssl's own nonce uses `random`: give it one from `secrets`
            sig = signer.sign_with_sm3(message, f"{secrets.randbelow(n - 1) + 1:064x}")
            if sig:
                return sig
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(priv)).sign(message).hex()


def _verify_bytes(message: bytes, signature: str, public_hex: str, algorithm: str) -> bool:
    try:
        if algorithm == SM2:
            if _gm_sm2 is None:
                raise BadSignatureFile("本机未安装 gmssl，无法校验 SM2 签名")
            if len(signature) != 128 or len(public_hex) != 130 or not public_hex.startswith("04"):
                return False
            r, s = int(signature[:64], 16), int(signature[64:], 16)
            n = _sm2_n()
            if not (1 <= r < n and 1 <= s < n):
                return False
            return bool(_gm_sm2.CryptSM2(private_key="", public_key=public_hex[2:]).verify_with_sm3(signature, message))
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

        try:
            Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_hex)).verify(bytes.fromhex(signature), message)
        except InvalidSignature:
            return False
        return True
    except ValueError:
        return False


def sign(content: bytes, *, number: str, kind: str, title: str, signer: str) -> dict[str, Any]:
    """The signature record (sidecar JSON) of a document's bytes."""
    statement = {
        **digests(content),
        "document_number": number,
        "kind": kind,
        "title": title,
        "signer": signer,
        "signed_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    pub = public_key(ALGORITHM)
    return {
        "format": FORMAT,
        "algorithm": ALGORITHM,
        "hash": "SM3" if ALGORITHM == SM2 else "SHA-512 (Ed25519)",
        "user_id": SM2_USER_ID if ALGORITHM == SM2 else "",
        "public_key": pub,
        "key_id": key_id(pub),
        "statement": statement,
        "signature": _sign_bytes(canonical(statement), ALGORITHM),
    }


def parse_sidecar(raw: bytes) -> dict[str, Any]:
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BadSignatureFile("签名文件不是有效的 JSON") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BadSignatureFile(f"签名文件格式不对（应为 {FORMAT}）")
    for key in ("algorithm", "public_key", "statement", "signature"):
        if key not in data:
            raise BadSignatureFile(f"签名文件缺少 {key}")
    if data["algorithm"] not in (SM2, ED25519):
        raise BadSignatureFile(f"不支持的签名算法 {data['algorithm']}")
    if not isinstance(data["statement"], dict) or not isinstance(data["signature"], str):
        raise BadSignatureFile("签名文件内容不完整")
    return data


def verify(content: bytes, record: dict[str, Any], trusted: set[str] | None = None) -> Verdict:
    statement = record["statement"]
    actual = digests(content)
    if any(statement.get(k) != v for k, v in actual.items()):
        return Verdict(False, "文件内容与签名记录的哈希值不符：文件在签名后被修改过，或不是所签名的文件", statement)
    pub = str(record["public_key"]).lower()
    if not _verify_bytes(canonical(statement), record["signature"], pub, record["algorithm"]):
        return Verdict(False, "签名值校验失败：签名记录被修改过，或不是用所列公钥签署的", statement)
    keys = trusted if trusted is not None else trusted_keys()
    if pub not in keys:
        return Verdict(False, f"签名有效，但签名公钥（{key_id(pub)}）不是本机构信任的签名公钥", statement)
    return Verdict(True, f"签名有效（{record['algorithm']}，公钥 {key_id(pub)}）", statement)


def sidecar_bytes(record: dict[str, Any]) -> bytes:
    return json.dumps(record, ensure_ascii=False, indent=2).encode("utf-8")
