"""Character-for-character normalisation, so every offset in the normalised text is an offset in the original.

Splitting works on the normalised copy (one form of each bracket, comma and space), while every piece keeps
the original characters verbatim: the article text must be quoted as the document wrote it.
"""

from __future__ import annotations

# Half-width punctuation → the full-width form Chinese documents use; full-width letters and digits → ASCII.
_PUNCT = {"(": "（", ")": "）", ",": "，", ";": "；", ":": "：", "!": "！", "?": "？", "［": "[", "］": "]"}
_SPACES = "\u3000\u00a0\u2002\u2003\u2009\u200b\t\x0b\x0c"


def _table() -> dict[int, str]:
    table = {ord(k): v for k, v in _PUNCT.items()}
    for code in range(0xFF10, 0xFF5F):  # full-width digits and letters
        ch = chr(code)
        if ch.isalnum():
            table[code] = chr(code - 0xFEE0)
    table[ord("．")] = "."
    for s in _SPACES:
        table[ord(s)] = " "
    return table


TABLE = _table()


def unify_newlines(text: str) -> str:
    """\\r\\n and \\r become \\n (the only change that is not one character for one)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def normalise(text: str) -> str:
    """Same length as the input: each character mapped to its canonical form."""
    return text.translate(TABLE)
