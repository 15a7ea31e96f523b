"""A category described instead of named is read as its name (real jieba, real synonyms)."""

from __future__ import annotations

import pytest

from rag.answer.categories import named_category

DEFINITIONS = {
    "甲类冠军": "长期专注于制造业某些特定细分产品市场，生产技术国际领先，单项产品市场占有率位居全球前列的企业，由工业和信息化部认定",
    "乙类企业": "专注于细分市场、创新能力强、掌握关键核心技术的专业化、精细化中小企业中的佼佼者，由工业和信息化部认定",
}


@pytest.mark.parametrize("asked,read", [
    ("被工信部认定的、细分产品做到全球领先的那种企业，丙市一共有多少家？", "甲类冠军企业，丙市一共有多少家？"),
    ("丙市被工信部认定为在细分产品市场做到全国乃至全球领头的制造企业，最新有几家？", "丙市甲类冠军企业，最新有几家？"),
    ("企业拿到工信部那个细分产品全球第一的国字号牌子，能补多少钱", "企业拿到甲类冠军称号，能补多少钱"),
    # the head noun ends the last shared word (中小企业), a synonym counts (拔尖 for 佼佼者)
    ("丙市那批国家级的、专门在细分市场做到拔尖的中小企业，一共卖了多少钱？", "丙市那批国家级的、乙类企业，一共卖了多少钱？"),
    # "工信部评的那种，…": the clause ending in 那种 goes on in the next one
    ("就是工信部评的那种，某一个细分产品上做到全国甚至全世界头一名的制造企业，丙市总共有几家？",
     "就是甲类冠军企业，丙市总共有几家？"),
    # "…中小企业里的尖子": the best of the companies are still the category's companies
    ("那种专门盯一个细分市场、创新能力强、由国家工信部认定的中小企业里的尖子，丙市到最近一共有多少家",
     "乙类企业，丙市到最近一共有多少家"),
])
def test_a_described_category_is_read_as_its_name(asked, read):
    assert named_category(asked, DEFINITIONS, ["甲类冠军"]) == read


@pytest.mark.parametrize("asked", [
    "丙市市场占有率全球第一的企业有多少家？",  # a property, no title: another count (not the category's)
    "被工信部认定的甲类冠军企业，丙市有多少家？",  # the category is named already
    "工信部名单出来以后，丙市在细分领域拿全国头牌、被认定的那批企业有多少家",  # fits both definitions alike
    "被工信部认定的、细分产品做到全球领先",  # no head noun: not a description of what is counted
])
def test_other_questions_stay_as_asked(asked):
    assert named_category(asked, DEFINITIONS, ["甲类冠军"]) == asked


def test_without_definitions_nothing_changes():
    assert named_category("被工信部认定的、细分产品全球领先的那种企业有几家", {}) == "被工信部认定的、细分产品全球领先的那种企业有几家"
