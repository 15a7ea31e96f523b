"""Metric functions on hand-made cases."""

from __future__ import annotations

import pytest

from rag import metrics as m
from rag.numbers import contains_fact, normalise, quantities


@pytest.mark.parametrize("answer,fact,ok", [
    ("2025年前三季度GDP 1.35万亿元", "13500亿元", True),
    ("全国城市排名第七", "第7", True),
    ("共有１１９家", "119家", True),
    ("主要包括三种方式", "3种", True),
    ("占比为68.23%", "68.23%", True),
    ("排名第17", "第7", False),
    ("营收36.05亿元", "36.5亿元", False),
    ("创建于 1998 年 12 月", "1998年12月", True),
])
def test_fact_matching_normalises_numbers(answer, fact, ok):
    assert contains_fact(answer, fact) is ok


def test_normalise_and_quantities():
    assert normalise("第 九 批 ") == "第9批"
    assert (1.35e12, "元") in quantities("1.35万亿元")
    assert (25.0, "名") in quantities("25名")


def test_ranking_metrics():
    ranks = [False, True, False, True]
    assert m.hit_at(ranks, 1) == 0.0 and m.hit_at(ranks, 2) == 1.0
    assert m.reciprocal_rank(ranks) == 0.5
    assert m.ndcg_at([True], 10, 1) == 1.0
    assert 0 < m.ndcg_at(ranks, 10, 2) < 1
    assert m.reciprocal_rank([False]) == 0.0
    assert m.ndcg_at([True, True, True], 10, 1) == 1.0  # never above 1


def test_quote_matching_is_whitespace_insensitive_and_survives_cuts():
    passage = "宁波天生密封件有限公司创建于1998年12月，主要从事的行业为通用设备制造业。"
    assert m.quote_in("宁波天生密封件有限公司创建于 1998 年 12 月", passage)
    assert m.quote_in("创建于1998年12月，主要从事的行业为通用设备制造业。作为我国的高新技术企业", passage)
    assert not m.quote_in("旭升集团25名技术骨干", passage)


def test_cmrc_style_em_and_f1():
    assert m.exact_match("1998年12月。", "1998年12月") == 1.0
    assert m.char_f1("1998年12月", "1998年12月") == 1.0
    assert 0 < m.char_f1("创建于1998年", "1998年12月") < 1
    assert m.char_f1("", "x") == 0.0


def test_citation_precision_and_recall():
    passages = {1: "宁波共有国家级制造业单项冠军企业119家。", 2: "累计培育国家级制造业单项冠军83家。"}
    good = "宁波共有国家级制造业单项冠军企业119家。[1]"
    assert m.citation_precision(good, passages) == (1, 1)
    wrong = "宁波共有国家级制造业单项冠军企业119家。[2]"
    assert m.citation_precision(wrong, passages) == (0, 1)
    figure_line = "不同资料给出的数字不同：119家（中国证券报，约2026-01）[1]；83家（苏州太湖智库，2023-05-05）[2]。"
    assert m.citation_precision(figure_line, passages) == (2, 2)
    with_parens = "本报讯(记者孙肖)近日，旭升集团25名技术骨干奔赴墨西哥。[1]"
    assert m.citation_precision(with_parens, {1: "本报讯(记者孙肖)近日，旭升集团25名技术骨干奔赴墨西哥。"}) == (1, 1)
    nested = "182家（宁波日报（市社科院作者），约2022）[1]"
    assert m.citation_precision(nested, {1: "宁波拥有国家级专精特新“小巨人”企业182家"}) == (1, 1)
    missing = "某句话。[3]"
    assert m.citation_precision(missing, passages) == (0, 1)
    assert m.citation_recall(["国家级制造业单项冠军企业119家"], list(passages.values())) == 1.0
    assert m.citation_recall(["旭升集团25名技术骨干组成的先锋队"], list(passages.values())) == 0.0


def test_percentile():
    assert m.percentile([1, 2, 3, 4, 100], 50) == 3
    assert m.percentile([1, 2, 3, 4, 100], 95) == 100
    assert m.percentile([], 95) == 0.0


@pytest.mark.parametrize("refused,answer,short,facts,wrong", [
    # answered, but none of the key facts anywhere
    (False, "天生密封件公司创建于2001年。[1]", "", ["1998年12月"], True),
    # the answer quotes the fact, but the 简答 picks another figure
    (False, "2018年升级为全国模范院士专家工作站，2019年共建院士工作站。[1]", "2019年", ["2018年"], True),
    # right answer, right 简答 (after number normalisation)
    (False, "全国城市排名第七。[1]", "第七", ["第7"], False),
    # right answer, no 简答
    (False, "宁波天生密封件有限公司创建于1998年12月。[1]", "", ["1998年12月"], False),
    # one of two facts is enough for the answer; the 简答 states the other one
    (False, "工业增加值6997.2亿元，占GDP比重的47.9%。[1]", "47.9%", ["6997.2亿元", "47.9%"], False),
    # a 简答 giving a key fact's leading figure is not wrong ...
    (False, "制订、参编10多项国家标准。[1]", "10多项", ["10多项国家标准"], False),
    # ... but a shorter number is not a prefix of it
    (False, "制订、参编10多项国家标准。[1]", "1", ["10多项国家标准"], True),
    # a refusal is never confidently wrong (it is a false refusal instead)
    (True, "资料中没有找到答案。", "", ["1998年12月"], False),
    # no key facts (无答案): not counted here
    (False, "宁波2035年人口目标为1000万。[1]", "1000万", [], False),
])
def test_confidently_wrong(refused, answer, short, facts, wrong):
    assert m.confidently_wrong(refused, answer, short, facts) is wrong


def test_refused_though_retrieved():
    assert m.refused_though_retrieved(True, [False, False, True, False])
    assert m.refused_though_retrieved(True, [True])
    # the evidence only at rank 6: outside the top 5
    assert not m.refused_though_retrieved(True, [False] * 5 + [True])
    assert not m.refused_though_retrieved(True, [])
    # answered: not a refusal at all
    assert not m.refused_though_retrieved(False, [True, True])
    assert m.refused_though_retrieved(True, [False, False, True], k=3)
    assert not m.refused_though_retrieved(True, [False, False, True], k=2)


def test_a_figure_is_asked_when_every_key_fact_holds_a_number():
    assert m.asks_a_figure(["119家"]) and m.asks_a_figure(["第二位", "1998年12月"]) and m.asks_a_figure(["两家"])
    assert not m.asks_a_figure(["自主研发", "83家"]) and not m.asks_a_figure([])


def test_short_agreement_over_paraphrase_groups():
    agreeing = ["第七", "第7"]  # equal after number normalisation
    disagreeing = ["119家", "83家"]
    assert m.short_agreement([agreeing, disagreeing]) == (0.5, 2)
    assert m.short_agreement([agreeing]) == (1.0, 1)
    # an empty 简答 in a group means the group does not agree
    assert m.short_agreement([["1998年12月", ""]]) == (0.0, 1)
    assert m.short_agreement([["", ""]]) == (0.0, 1)
    # a one-member group has nothing to agree with and is not counted
    assert m.short_agreement([["119家"], agreeing]) == (1.0, 1)
    assert m.short_agreement([]) == (0.0, 0)
    assert m.short_agreement([[" 1998 年 12 月", "1998年12月"], ["三种", "3种"], ["5家", "8家"]]) == (2 / 3, 3)
