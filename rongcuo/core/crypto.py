"""Field encryption for personal data (ID numbers, phones): SM4-GCM with a key from the environment.

Stored form: "sm4gcm1:" + base64(nonce(12) || ciphertext || tag(16)). A keyed SM3-HMAC of the
normalised value (blind index) allows exact lookup without decrypting; `keyed_digest` is the same with a
purpose of its own (search terms in the audit log).
"""

from __future__ import annotations

import base64
import hmac
import os
from functools import cache

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings

PREFIX = "sm4gcm1:"


@cache
def _key() -> bytes:
    raw = settings.FIELD_KEY.strip()
    try:
        key = bytes.fromhex(raw)
    except ValueError:
        raise RuntimeError("RONGCUO_FIELD_KEY 应为 32 位十六进制字符串（128 位 SM4 密钥）") from None
    if len(key) != 16:
        raise RuntimeError("RONGCUO_FIELD_KEY 应为 32 位十六进制字符串（128 位 SM4 密钥）")
    return key


def encrypt(text: str | None) -> str:
    if not text:
        return ""
    nonce = os.urandom(12)
    enc = Cipher(algorithms.SM4(_key()), modes.GCM(nonce)).encryptor()
    body = enc.update(text.encode("utf-8")) + enc.finalize()
    return PREFIX + base64.b64encode(nonce + body + enc.tag).decode("ascii")


def decrypt(stored: str | None) -> str:
    if not stored:
        return ""
    if not stored.startswith(PREFIX):
        raise ValueError("not an encrypted field value")
    blob = base64.b64decode(stored[len(PREFIX) :])
    nonce, body, tag = blob[:12], blob[12:-16], blob[-16:]
    dec = Cipher(algorithms.SM4(_key()), modes.GCM(nonce, tag)).decryptor()
    return (dec.update(body) + dec.finalize()).decode("utf-8")


def blind_index(text: str | None) -> str:
    if not text:
        return ""
    return hmac.new(_key(), text.strip().upper().encode("utf-8"), "sm3").hexdigest()


def keyed_digest(purpose: str, text: str) -> str:
    """SM3-HMAC of a text under the field key, separated by purpose, so that equal texts can be matched without
    being readable, and a digest made for one purpose (audited search terms) never equals one made for another
    (the ID-number blind index above). 128 bits in hex."""
    message = purpose.encode("utf-8") + b"\x00" + text.encode("utf-8")
    return hmac.new(_key(), message, "sm3").hexdigest()[:32]


def mask_id_number(value: str) -> str:
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_phone(value: str) -> str:
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
