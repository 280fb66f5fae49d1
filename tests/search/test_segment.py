"""Segmentation: the project dictionary keeps its words whole, and the two-character words inside them
are tokens too, so a query 「容错」 finds 「容错纠错」."""

from __future__ import annotations

import subprocess
import sys

import jieba
import pytest

from rongcuo.search import segment

DOMAIN_WORDS = [
    "容错纠错",
    "容错免责",
    "免予问责",
    "从轻处理",
    "减轻处理",
    "不予容错",
    "澄清正名",
    "纪委监委",
    "纪检监察",
    "问责条例",
    "先行先试",
    "事前报备",
    "第三方评估",
    "集体研判",
    "征地拆迁",
    "招商引资",
    "应急处置",
    "历史遗留问题",
    "基层治理",
    "四种形态",
]
TEXT = (
    "江苏省某县在征地拆迁中先行先试，因缺乏经验造成损失。经纪委监委集体研判，依据问责条例和容错纠错办法，"
    "对其免予问责，并在一定范围内澄清正名；另一名干部不予容错，按四种形态中的第一种形态处理。"
    "２０２３年第三方评估认为ＡＢＣ项目风险可控（3.5亿元）。"
)


@pytest.mark.parametrize("word", DOMAIN_WORDS)
def test_dictionary_words_stay_whole(word: str) -> None:
    assert segment.query_terms(word) == [word]
    assert word in segment.tokens(f"关于{word}的情况说明")


@pytest.mark.parametrize(
    ("compound", "inside"),
    [
        ("容错纠错", ["容错", "纠错"]),
        ("容错免责", ["容错", "免责"]),
        ("免予问责", ["问责"]),
        ("问责条例", ["问责"]),
        ("不予容错", ["容错"]),
        ("纪委监委", ["纪委", "监委"]),
        ("征地拆迁", ["征地", "拆迁"]),
        ("事前报备", ["报备"]),
    ],
)
def test_two_character_words_inside_compounds_are_tokens(compound: str, inside: list[str]) -> None:
    toks = segment.tokens(f"本单位{compound}工作")
    assert compound in toks
    for word in inside:
        assert word in toks
        assert segment.query_terms(word) == [word]  # and a query for the short word asks for exactly it


def test_every_dictionary_word_is_kept() -> None:
    for word in segment.dictionary_words():
        assert word in segment.tokens(word), word


def test_tokens_are_jiebas_search_mode_cut_cleaned() -> None:
    # Cutting block by block (with the cache) gives exactly what jieba gives for the whole text.
    expected = segment._clean(segment.tokenizer().cut_for_search(segment.normalize(TEXT), HMM=False))
    assert segment.tokens(TEXT) == expected


def test_tokens_are_letters_or_digits_and_never_mix_han_with_other_scripts() -> None:
    toks = segment.tokens(TEXT)
    assert "2023" in toks and "年" in toks and "abc" in toks  # full-width folded, scripts split
    assert "3" in toks and "5" in toks  # punctuation inside numbers separates tokens
    for tok in toks:
        assert tok.isalnum(), tok
        han = [("\u4e00" <= ch <= "\u9fff") for ch in tok]
        assert all(han) or not any(han), tok


def test_stopwords_are_dropped() -> None:
    toks = segment.tokens("对于有关的问题进行了研究")
    assert not {"的", "了", "对于", "有关", "进行"} & set(toks)
    assert segment.query_terms("的") == []


def test_query_terms_are_unique_and_in_order() -> None:
    assert segment.query_terms("容错 问责 容错") == ["容错", "问责"]
    assert segment.query_terms("  ，。！ ") == []


def test_jieba_is_initialised_quietly_and_once() -> None:
    code = (
        "from rongcuo.search import segment\n"
        "a = segment.tokenizer(); segment.tokens('容错纠错'); assert segment.tokenizer() is a\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stderr
    assert run.stderr == "" and run.stdout == ""


def test_the_global_jieba_dictionary_is_left_alone() -> None:
    segment.tokenizer()
    assert "容错纠错" not in jieba.dt.FREQ  # ours is a separate tokenizer
