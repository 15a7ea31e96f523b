"""Two-sided questions about two things: split per side, answered apart, joined."""

from __future__ import annotations

import pytest

from rag.answer.conjuncts import join_answers, split_respective
from rag.metrics import citation_precision
from rag.profile import Profile
from rag.schema import Answer, Citation

PROFILE = Profile(places=("甲市", "乙市"), main_city="甲市")


@pytest.mark.parametrize("text,sides", [
    # two measures: the shared head word stays with the side that has it
    ("甲市跨境电商出口和网购保税进口货值各是多少？",
     [("跨境电商出口", "甲市跨境电商出口是多少？"), ("网购保税进口货值", "甲市网购保税进口货值是多少？")]),
    # two years
    ("2021年和2022年甲市的工业增加值分别是多少？",
     [("2021年", "2021年甲市的工业增加值是多少？"), ("2022年", "2022年甲市的工业增加值是多少？")]),
    ("甲市外贸进出口额2017年和2021年分别是多少？",
     [("2017年", "甲市外贸进出口额2017年是多少？"), ("2021年", "甲市外贸进出口额2021年是多少？")]),
    # two categories, one of them a quoted name
    ("甲市对单项冠军和专精特新“小巨人”的企业分别奖励多少？",
     [("单项冠军", "甲市对单项冠军的企业奖励多少？"), ("专精特新“小巨人”", "甲市对专精特新“小巨人”的企业奖励多少？")]),
    ("甲市有单项冠军和小巨人各多少家？",
     [("单项冠军", "甲市有单项冠军多少家？"), ("小巨人", "甲市有小巨人多少家？")]),
    ("甲市重点小巨人跟市级专精特新各有几家",  # 跟, as officials say it
     [("重点小巨人", "甲市重点小巨人有几家"), ("市级专精特新", "甲市市级专精特新有几家")]),
    # 那边 after a place is no part of a side
    ("甲市那边单项冠军和小巨人企业分别奖多少？",
     [("单项冠军", "甲市那边单项冠军奖多少？"), ("小巨人企业", "甲市那边小巨人企业奖多少？")]),
    # a year before the first measure is both sides' time
    ("甲市小巨人2021年利润总额和出口额各是多少？",
     [("利润总额", "甲市小巨人2021年利润总额是多少？"), ("出口额", "甲市小巨人2021年出口额是多少？")]),
])
def test_a_question_about_two_things_becomes_two_questions(text, sides):
    assert [tuple(s) for s in split_respective(text, PROFILE)] == sides


@pytest.mark.parametrize("text", [
    "甲市和乙市的小巨人企业各有多少家？",  # two places: the figures table compares them
    "甲市的营收和净利润是多少？",  # no 分别/各: left as one question
    "甲市有多少家小巨人？",
])
def test_other_questions_are_not_split(text):
    assert split_respective(text, PROFILE) is None


def _answer(text: str, short: str, chunk: str, quote: str, refused: bool = False) -> Answer:
    cit = Citation(1, "d", "标题", "报社", "2024", "", quote, chunk, passage=f"前文。{quote}后文。")
    return Answer("q", text, [] if refused else [cit], refused=refused, short=short)


def test_joined_answer_renumbers_citations_and_keeps_quotes_checkable():
    a = _answer("出口货值47亿元。[1]", "47亿元", "c1", "出口货值47亿元。")
    b = _answer("进口货值255亿元。[1]", "255亿元", "c2", "进口货值255亿元。")
    joined = join_answers("q", [("出口", a), ("进口", b)], "{side}：没有找到。")
    assert joined.short == "出口：47亿元；进口：255亿元"
    assert "进口货值255亿元。[2]" in joined.text and [c.n for c in joined.citations] == [1, 2]
    good, total = citation_precision(joined.text, {c.n: c.passage for c in joined.citations})
    assert good == total == 2  # the side labels are lines of their own, not part of a quote


def test_sides_quoting_one_sentence_share_it_and_a_missing_side_is_said():
    a = _answer("营收6亿元，利润1亿元。[1]", "6亿元", "c1", "营收6亿元，利润1亿元。")
    b = _answer("营收6亿元，利润1亿元。[1]", "1亿元", "c1", "营收6亿元，利润1亿元。")
    joined = join_answers("q", [("营收", a), ("利润", b)], "{side}：没有找到。")
    assert joined.text.count("营收6亿元") == 1 and joined.text.startswith("营收、利润：")
    gone = join_answers("q", [("营收", a), ("人数", _answer("", "", "", "", refused=True))], "{side}：没有找到。")
    assert "人数：没有找到。" in gone.text and gone.short == ""  # no half 简答


def test_a_trend_of_two_measures_is_split_without_a_respective_word():
    sides = split_respective("某公司上市以来营收和净利润是怎么变化的？", PROFILE, trend=True)
    assert [s for s, _ in sides] == ["营收", "净利润"]
    assert sides[1][1] == "某公司上市以来净利润是怎么变化的？"
    assert split_respective("某公司上市以来营收和净利润是怎么变化的？", PROFILE) is None  # not a trend: no cue
