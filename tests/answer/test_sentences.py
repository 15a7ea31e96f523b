"""Sentence spans: a quote and the line saying who said it are one sentence."""

from __future__ import annotations

from rag.answer.sentences import split_sentences


def _pieces(text: str) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text)]


def test_a_quote_and_its_speaker_are_one_sentence():
    text = "情况如何？\n\n“甲市的独角兽企业数量相对较少，还需要奋起直追。”某研究院院长张三说。他说，甲市要加快发展。"
    assert _pieces(text) == ["情况如何？", "“甲市的独角兽企业数量相对较少，还需要奋起直追。”某研究院院长张三说。",
                             "他说，甲市要加快发展。"]


def test_a_sentence_after_a_quote_that_says_more_stays_apart():
    text = "“我们要做强。”张三说，公司今年营收增长20%。"
    assert len(_pieces(text)) == 2  # says a figure too: not only who spoke
