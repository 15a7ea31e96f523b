"""Loose word matching (rag/answer/matching.py)."""

from __future__ import annotations

from rag.answer.matching import has_word, loosely_has


def test_a_word_joining_two_measures_names_neither():
    text = "甲市外贸进出口额从7600.1亿元增至11926.1亿元"
    for half in ("出口", "进口"):
        assert not has_word(text, half) and not loosely_has(text, half)
    assert has_word(text, "进出口") and loosely_has(text, "进出口额")  # the whole is named
    # a half said on its own is named, whatever else the text joins
    assert has_word("进出口总额中出口占六成", "出口") and loosely_has("出口额144亿元", "出口")


def test_loose_matching_still_allows_short_gaps():
    assert loosely_has("甲市工业实现增加值6997.2亿元", "工业增加值")


def test_the_pipeline_does_not_answer_a_half_with_the_whole(pipeline):
    answer = pipeline.ask("宁波2021年进口是多少？")  # the documents give only 进出口额 for the city
    assert "11926.1" not in answer.short
