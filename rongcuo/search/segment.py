"""Chinese word segmentation for the search index: jieba with the project dictionary (dictionary.txt).

Documents are indexed with jieba's search mode (`cut_for_search`): every word of the precise cut plus
the dictionary's two- and three-character words inside it, so 「容错纠错」 is indexed as 容错纠错, 容错
and 纠错, and a query 「容错」 finds it. Queries use the precise cut, so a query for the whole compound
is as specific as the compound. The tokens are joined with spaces and handed to the database, whose
tokenizer (SQLite FTS5 `unicode61`, PostgreSQL `simple`) then only splits on those spaces: a token
holds only letters or digits (Unicode L*/N*) and never mixes Han characters with other scripts, so both
databases see exactly the tokens produced here.

HMM (jieba's guessing of unknown words) is off: it would cut the same name differently depending on
its neighbours, so a query could miss the document it was copied from.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import jieba

DICTIONARY = Path(__file__).with_name("dictionary.txt")
MAX_TOKEN = 64  # longer runs (hashes, encoded data) carry no meaning for a reader and bloat the index

STOPWORDS_FILE = Path(__file__).with_name("stopwords.txt")


def _word_list(path: Path) -> list[str]:
    """Words of a list file: whitespace-separated, `#` starts a comment line."""
    words: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            words += line.split()
    return words


# Function words that would match nearly every document and only slow the index down.
STOPWORDS = frozenset(_word_list(STOPWORDS_FILE))

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# A token is a run of Han characters or a run of other letters/digits, never both: the databases'
# tokenizers agree on such runs (PostgreSQL's parser would split "2023年" differently from FTS5).
_TOKEN = re.compile(rf"[{_HAN}]+|[^\W_{_HAN}]+")

_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None


def tokenizer() -> jieba.Tokenizer:
    """The process's jieba tokenizer with the project dictionary, built once (about a second)."""
    global _tokenizer
    if _tokenizer is not None:
        return _tokenizer
    with _lock:
        if _tokenizer is None:
            jieba.setLogLevel(logging.WARNING)  # jieba logs "Building prefix dict…" to stderr at DEBUG
            tk = jieba.Tokenizer()
            tk.initialize()
            for word in dictionary_words():
                tk.add_word(word)  # no frequency: jieba computes one that keeps the word whole
            _tokenizer = tk
    return _tokenizer


def dictionary_words() -> list[str]:
    return _word_list(DICTIONARY)


def normalize(text: str) -> str:
    """Full-width letters and digits become ASCII (ＡＢＣ１２ → abc12); case is folded."""
    return unicodedata.normalize("NFKC", text).lower()


def _clean(words: Iterable[str]) -> list[str]:
    out: list[str] = []
    for word in words:
        for tok in _TOKEN.findall(word):
            if len(tok) <= MAX_TOKEN and tok not in STOPWORDS:
                out.append(tok)
    return out


@lru_cache(maxsize=100_000)
def _block(block: str) -> tuple[str, ...]:
    # jieba itself cuts text block by block (runs of Han/ASCII between punctuation), so caching per
    # block gives exactly the tokens of cutting the whole text, and repeated phrases cost nothing.
    return tuple(_clean(tokenizer().cut_for_search(block, HMM=False)))


def tokens(text: str) -> list[str]:
    """The index tokens of a text, in order (search mode: compounds and the words inside them)."""
    out: list[str] = []
    for part in jieba.re_han_default.split(normalize(text)):
        if not part:
            continue
        if jieba.re_han_default.match(part):
            out.extend(_block(part))
        else:
            out.extend(_clean(part))  # what lies between blocks: jieba yields it character by character
    return out


def query_terms(text: str) -> list[str]:
    """The terms a query asks for (precise cut, de-duplicated, in order); every one must match."""
    seen: dict[str, None] = {}
    for tok in _clean(tokenizer().cut(normalize(text), HMM=False)):
        seen.setdefault(tok, None)
    return list(seen)
