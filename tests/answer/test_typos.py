"""Slips in the corpus's jargon are corrected with real jieba; everything else stays."""

from __future__ import annotations

import pytest

from rag.answer.typos import fix_term_typos

TERMS = ["单项冠军", "专精特新", "小巨人", "技术联盟", "追赶模式", "技术联盟型"]


@pytest.mark.parametrize("typed,read", [
    ("宁波国家级专精特心小巨人企业有多少家？", "宁波国家级专精特新小巨人企业有多少家？"),  # pinyin slip: xin
    ("追赶摸式有哪几种？", "追赶模式有哪几种？"),
    ("宁波单相冠军企业累计多少家了", "宁波单项冠军企业累计多少家了"),  # 单相 is a word, but 相 sounds like 项
    ("国家级专精特新小居人一共多少家", "国家级专精特新小巨人一共多少家"),  # 居 / 巨: ju
])
def test_a_one_character_slip_in_a_term_is_corrected(typed, read):
    assert fix_term_typos(typed, TERMS) == read


@pytest.mark.parametrize("text", [
    "技术联合有哪些形式？",  # 联合 is a word of its own: not a slip for 技术联盟
    "小巨头有几家？",  # 巨头 likewise
    "走技术联盟路子的企业有哪些？",  # 路 makes a word with the character after it (路子): no slip for 型
    "单项冠军有多少家？",  # already right
    "小巨",  # shorter than the term
    "",
])
def test_words_of_their_own_and_right_terms_stay(text):
    assert fix_term_typos(text, TERMS) == text


def test_a_two_character_term_is_too_short_to_correct():
    assert fix_term_typos("大巨人", ["巨人"]) == "大巨人"
