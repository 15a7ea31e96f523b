"""Kind suffixes (类/型) read in the form the corpus uses."""

from __future__ import annotations

from rag.answer.variants import in_corpus_form

CORPUS = {"科技型", "创新型", "制造类"}


def known(word: str) -> bool:
    return word in CORPUS


def test_the_form_the_corpus_does_not_use_becomes_the_one_it_does():
    assert in_corpus_form("甲市科技类小微企业贷款余额", known) == "甲市科技型小微企业贷款余额"
    assert in_corpus_form("制造型企业有多少", known) == "制造类企业有多少"


def test_a_form_the_corpus_uses_or_neither_form_is_left_alone():
    assert in_corpus_form("创新型企业", known) == "创新型企业"
    assert in_corpus_form("外向型企业和推动新型工业化", known) == "外向型企业和推动新型工业化"
