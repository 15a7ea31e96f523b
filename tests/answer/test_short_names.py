"""A company's short name made its full one (均胜 → 均胜电子), never an everyday word."""

from __future__ import annotations

from rag.answer.short_names import with_full_names

ORGS = ["均胜电子", "舜宇光学", "天生密封件", "甲乙科技", "甲乙集团", "丙丁材料"]


def test_a_short_name_becomes_the_full_name():
    assert with_full_names("均胜属于哪种追赶模式？", ORGS) == "均胜电子属于哪种追赶模式？"
    assert with_full_names("丙丁的营收多少", ORGS) == "丙丁材料的营收多少"


def test_a_full_name_and_a_longer_spelling_are_left_alone():
    assert with_full_names("均胜电子属于哪种模式", ORGS) == "均胜电子属于哪种模式"
    assert with_full_names("舜宇光学科技总裁说", ORGS) == "舜宇光学科技总裁说"


def test_an_everyday_word_or_a_short_name_two_companies_share_is_no_name():
    assert with_full_names("天生就是做密封件的", ORGS) == "天生就是做密封件的"  # 天生密封件 is no 电子/科技…
    assert with_full_names("甲乙的营收多少", ORGS) == "甲乙的营收多少"  # 甲乙科技 or 甲乙集团: not said
