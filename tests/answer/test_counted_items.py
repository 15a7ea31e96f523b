"""A count whose items are asked too gets the items in its 简答 (real question analysis)."""

from __future__ import annotations

import pytest

from rag.answer.counted_items import items_counted, with_counted_items
from rag.answer.question import analyse
from rag.schema import Answer

SENTENCE = "本文归纳了甲市冠军企业的追赶模式，主要包括自主研发式、并购整合式和技术联盟型三种方式，具体见表1。[1]"


@pytest.mark.parametrize("text,count,n,items", [
    (SENTENCE, "三种", 3, ["自主研发式", "并购整合式", "技术联盟型"]),
    ("甲市的扶持分为三类：资金补助、用地保障、人才引进。", "三类", 3, ["资金补助", "用地保障", "人才引进"]),
    ("甲市有两种模式。", "两种", 2, []),  # counted, not listed
    ("包括资金补助和用地保障三种", "三种", 3, []),  # fewer items than the count: not these
])
def test_the_items_a_sentence_counts(text, count, n, items):
    assert items_counted(text, count, n) == items


def _answer(short: str) -> Answer:
    return Answer(question="", text=SENTENCE, short=short)


def test_a_bare_count_short_gets_the_items_its_sentence_lists():
    asked = analyse("甲市冠军企业的追赶模式有几种？分别是啥")
    assert with_counted_items(asked, _answer("三种")).short == "三种：自主研发式、并购整合式、技术联盟型"
    # the kinds are what an official asks next: given when the sentence lists them, asked or not
    assert with_counted_items(analyse("甲市冠军企业的追赶模式归纳了几种？"), _answer("三种")).short == \
        "三种：自主研发式、并购整合式、技术联盟型"
    unlisted = Answer(question="", text="甲市的追赶模式有三种。[1]", short="三种")
    assert with_counted_items(analyse("甲市冠军企业的追赶模式有几种？"), unlisted).short == "三种"


def test_a_count_whose_items_are_asked_but_not_listed_has_no_short():
    listed_not = Answer(question="", text="甲市的追赶模式有三种。[1]", short="三种")
    assert with_counted_items(analyse("追赶模式有几种，都是哪几种？"), listed_not).short == ""
