"""Enumerations found in cleaned text, and list answers on the real index."""

from __future__ import annotations

from rag.answer.lists import enumerations


def test_enumeration_kinds():
    text = ("我市采取了四项措施。一是实施培育工程。二是强化金融保障。三是推进智改数转。\n\n"
            "（一）第一点\n（二）第二点\n\n首先，要定方向。其次，要抓落实。最后，要重考核。")
    groups = enumerations(text)
    heads = [[i.head for i in g] for g in groups]
    assert ["一是实施培育工程。", "二是强化金融保障。", "三是推进智改数转。"] in heads
    assert any(len(g) == 2 and g[0].head.startswith("（一）") for g in groups)
    assert any(g[0].head.startswith("首先") and g[-1].head.startswith("最后") for g in groups)


def test_a_lone_or_broken_sequence_is_not_a_list():
    assert enumerations("一是只有一项。后面没有了。") == []
    assert enumerations("一是开头。三是跳过了二。") == []


def test_list_question_gets_every_item_cited(pipeline):
    answer = pipeline.ask("宁波的专精特新培育体系在哪些方面为企业赋能？")
    assert not answer.refused
    for item in ("梯度构建", "资本赋能", "人才配套", "个性服务", "政策支持"):
        assert item in answer.text
    assert answer.text.count("[") >= 5 and answer.citations


def test_a_list_of_examples_is_no_answer_about_one_of_them():
    from rag.answer.lists import _about

    items = enumerations("2.1 自主研发型——以甲电子为例\n2.2 并购整合型——以乙电子为例\n2.3 技术联盟型——以丙公司为例\n")[0]
    assert not _about(["丙公司"], "", items)  # one item of three names it: examples, not its achievements
    # items each about another company list them, whatever the lead-in says (均胜电子收购过哪些企业
    # is not answered by the three modes' example headings, though the text before them names it)
    assert not _about(["丙公司"], "以甲电子、乙电子、丙公司为例：", items)
    own = enumerations("一是研发投入加大。二是引进人才。三是并购海外企业。")[0]
    assert _about(["丙公司"], "丙公司的做法有三条：", own)  # the lead-in names it, the items name no one else
    assert _about([], "", items)  # no name asked: any list may answer


def test_a_list_under_a_heading_naming_what_is_asked_is_the_answer(pipeline):
    # "3 …的启示" heads 3.1/3.2/3.3; 启发 is asked (a synonym), and a single sentence
    # elsewhere carries more of the question's words
    answer = pipeline.ask("冠军企业赶超技术的做法，对政府有哪些启发？")
    assert not answer.refused and answer.text.count("[") >= 3
    assert "3.1" in answer.text and "3.3" in answer.text


def test_the_list_whose_start_was_retrieved_beats_the_document_outline(pipeline):
    answer = pipeline.ask("苏州智库的专报里，宁波培育小巨人的体系具体有哪些做法？")
    assert not answer.refused
    for item in ("梯度构建", "资本赋能", "人才配套"):
        assert item in answer.text
    assert "一、宁波国家级" not in answer.text  # the report's own section outline is not the answer


def test_a_list_announced_by_the_best_sentence_is_quoted_not_the_announcement(pipeline):
    # the sentence that best matches only says "…在五个方面加大工作力度。"; the items follow it,
    # and the think-tank named as the source is no organisation the list must name
    answer = pipeline.ask("太湖智库专报讲，宁波围绕智造创新之都，在哪几个方面加大工作力度？")
    assert not answer.refused
    assert "一是" in answer.text and "五是" in answer.text and answer.text.count("[") >= 5


def test_an_announced_list_does_not_beat_a_sentence_that_answers(pipeline):
    # "可以从两个方面发力：一是…二是…" is about something else than where 潜在独角兽 are
    answer = pipeline.ask("宁波潜在独角兽企业集中在哪些领域？")
    assert "集成电路" in answer.text and "一是" not in answer.text


def test_a_sentence_that_lists_the_answer_inline_beats_the_items_after_it(pipeline):
    # "宁波先后出台了《甲》《乙》《丙》…" is the answer; the 一是…二是… after it is not
    answer = pipeline.ask("宁波先后出过哪些培育冠军企业的政策文件？")
    assert not answer.refused and answer.text.count("《") >= 3 and "一是" not in answer.text


def test_a_list_noun_in_an_introduction_does_not_head_the_outline_after_it(pipeline):
    # the paper's introduction says 技术追赶模式 and 启示; the sections after it (1.1 方向引领…)
    # are about something else and carry little of the question
    answer = pipeline.ask("宁波那些冠军企业技术上是靠哪几条模式追赶国外的")
    assert "1.1 方向引领" not in answer.text


def test_ways_asked_take_the_measures_under_a_heading_not_the_outline(pipeline):
    # the report's outline (一、…二、…三、) holds, under 二, the measures (一是在梯度构建方面…)
    answer = pipeline.ask("苏州智库那份专报里说宁波培育小巨人主要有哪几方面做法？")
    assert "梯度构建" in answer.text and "资本赋能" in answer.text
    assert "一、宁波国家级" not in answer.text
    # lessons asked (哪些启发): the numbered sections themselves, not the steps inside one
    lessons = pipeline.ask("宁波那些冠军企业追技术的经验，给政府带来哪些启发？")
    assert "充分利用政府激励支持政策" in lessons.text


def test_aspects_asked_take_the_measures_under_a_heading_and_good_few_asks_no_number(pipeline):
    # 都有哪几个方面: the aspects (一是在梯度构建方面…) under the outline's 二; 好几个 asks no count
    answer = pipeline.ask("苏州那份专报总结宁波专精特新培育体系，说是从好几个方面发力的，都有哪几个方面？")
    assert not answer.refused and "梯度构建" in answer.text and "资本赋能" in answer.text
    assert "一、宁波国家级" not in answer.text


def test_a_list_is_announced_by_a_sentence_counting_what_the_question_counts():
    from rag.answer.lists import _announced

    lead = "甲市小巨人企业营收增长较快。总体上看，形成了三大发展特色。\n\n"
    assert _announced(lead, "", "甲市小巨人有几大发展特色，分别是什么")
    assert _announced("专家认为，可以从两个方面发力：", "", "专家说可以从哪两个方面发力？")
    assert not _announced(lead, "", "甲市有哪几种金融工具")  # counts something else
    assert not _announced("甲市小巨人企业营收增长较快。\n\n", "", "有几大发展特色")  # announces nothing
    # the best sentence announcing a count needs no shared noun
    assert _announced("其在五个方面加大工作力度。", "其在五个方面加大工作力度。", "做了哪些事")
    # 几个方面 alone counts anything: "在五个方面加大力度" is no announcement of the aspects asked
    assert not _announced("其在五个方面加大工作力度。", "", "培育体系都有哪几个方面？")


def test_the_items_after_a_counting_sentence_are_the_list_asked(pipeline):
    # the best-matching passage ends "…形成了三大发展特色。"; the items (一是…) open the next
    # passage, and the report's outline (一、…二、…) also carries the question's words
    answer = pipeline.ask("苏州智库那篇报告里，宁波的小巨人企业总结出了几大发展特色？分别是什么")
    assert not answer.refused
    for item in ("关键基础件企业占主导", "新兴产业崭露头角", "企业创新能力强"):
        assert item in answer.text
    assert "一、宁波国家级" not in answer.text
