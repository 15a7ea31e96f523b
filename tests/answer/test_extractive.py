"""Extractive answers on the real index: the issue's spot checks, figures that
differ by source, another city's perspective, refusals."""

from __future__ import annotations

import re

import pytest

from rag.metrics import citation_precision


def _check_citations(answer):
    """Every [n] names a listed source whose passage holds the quoted claim."""
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", answer.text)}
    assert markers == {c.n for c in answer.citations}
    for c in answer.citations:
        assert c.title and c.date and c.publisher
        for part in c.quote.split("……"):
            assert part in c.passage
    good, total = citation_precision(answer.text, {c.n: c.passage for c in answer.citations})
    assert good == total > 0


@pytest.mark.parametrize("question,fact,doc", [
    ("天生密封件公司创建于哪一年？", "1998年12月", "000"),
    ("2021年宁波工业增加值在全国城市排第几？", "第7", "002"),
    ("旭升集团派往墨西哥的技术骨干有多少人？", "25名", "003"),
    ("旭升集团派了多少人去墨西哥建厂？", "25名", "003"),  # 建厂 says what for; the company's figure
    ("旭升集团计划多少天建好第一条生产线？", "45天", "003"),  # 第一条 = 首条, 建好 = 完成
])
def test_spot_checks(pipeline, question, fact, doc):
    answer = pipeline.ask(question)
    assert not answer.refused
    assert fact in answer.text
    assert answer.citations[0].doc_id.startswith(doc)
    _check_citations(answer)


@pytest.mark.parametrize("question", ["截至最新一批名单，宁波国家级制造业单项冠军企业累计有多少家？",
                                      "根据目前掌握的最新数据，宁波国家级专精特新“小巨人”企业有多少家？",
                                      "宁波小巨人最新多少家了",
                                      "宁波一共有多少小巨人",  # no unit said: still a count, never "92%的小巨人企业"
                                      "宁波小巨人企业总数是多少",
                                      "宁波手里握着多少块国家级制造业单项冠军的牌子？",  # titles held
                                      "咱们宁波单冠现在手上到底多少家了？"])  # the asker's words: no measure
def test_as_of_remarks_still_get_the_latest_figure(pipeline, question):
    answer = pipeline.ask(question)
    assert answer.short in ("119家", "418家") and answer.short_note
    assert answer.figures and not answer.figures[0].label  # the table answered, not a stray sentence
    _check_citations(answer)


def test_catch_up_modes(pipeline):
    answer = pipeline.ask("宁波单项冠军企业的技术追赶模式有哪几种？")
    for mode in ("自主研发", "并购整合", "技术联盟"):
        assert mode in answer.text
    _check_citations(answer)


@pytest.mark.parametrize("question", ["宁波2035年的人口目标是多少？", "方太集团的年营收是多少？"])
def test_unanswerable_is_refused_with_closest_passages(pipeline, question):
    answer = pipeline.ask(question)
    assert answer.refused
    assert answer.text.startswith("资料中没有找到")
    assert 1 <= len(answer.citations) <= 3
    assert not re.search(r"\[\d+\]", answer.text)


@pytest.mark.parametrize("question", ["宁波有多少家单项冠军企业？", "宁波现在有多少家单项冠军？",
                                      "截至目前宁波累计有多少家单项冠军企业？",
                                      "宁波现在一共多少个单项冠军啊"])  # 个 counts companies too
def test_differing_figures_latest_first_targets_apart(pipeline, question):
    answer = pipeline.ask(question)
    assert answer.short == "119家" and answer.short_note  # the latest actual figure, dated
    values = [f.value for f in answer.figures if not f.label]
    assert values == ["119家", "83家", "51家"]
    assert [f.value for f in answer.figures if f.label == "目标"] == ["130家"]
    first, older, target = answer.text.splitlines()
    assert "119家" in first and "130家" not in first
    assert older.index("83家") < older.index("51家")
    assert "130家" in target and "目标" in target
    _check_citations(answer)


def test_target_question_gets_only_the_target(pipeline):
    answer = pipeline.ask("到2025年宁波计划培育多少家国家级单项冠军企业？")
    assert answer.short == "130家" and "目标" in answer.short_note
    assert "119家" not in answer.text


def test_trend_lists_the_series_in_date_order(pipeline):
    answer = pipeline.ask("宁波国家级专精特新小巨人企业数量这几年有什么变化？")
    text = answer.text
    assert text.index("182家") < text.index("283家") < text.index("418家")
    assert "172家" not in text  # Suzhou's own count


def test_two_sided_question_answers_both_sides(pipeline):
    answer = pipeline.ask("宁波和苏州的国家级专精特新小巨人企业各有多少家？")
    assert "418家" in answer.short and "172家" in answer.short
    assert "宁波：" in answer.text and "苏州：" in answer.text
    _check_citations(answer)


def test_two_sided_question_without_a_unit_counts_both_sides(pipeline):
    # "各多少" asks each side's number: the share "92%的小巨人企业…" is no count of them
    answer = pipeline.ask("宁波和苏州小巨人各多少")
    assert "418家" in answer.short and "172家" in answer.short and "%" not in answer.short


@pytest.mark.parametrize("question", ["宁波单项冠军比苏州多几家", "宁波的小巨人比苏州多了几家"])
def test_how_many_more_is_never_one_sides_figure(pipeline, question):
    # 多几家 asks a difference: one city's count is no answer to it
    answer = pipeline.ask(question)
    assert not re.fullmatch(r"\d+家", answer.short), answer.short


def test_figure_of_another_subject_is_not_a_confident_answer(pipeline):
    # the only share in the passages is industry's share of GDP: not the asked one
    answer = pipeline.ask("宁波单项冠军占全国的比重是多少%？")
    assert answer.refused and not answer.short


def test_little_giants_figures_exclude_suzhou_and_district(pipeline):
    answer = pipeline.ask("宁波有多少家国家级专精特新小巨人企业？")
    values = [f.value for f in answer.figures if not f.label]
    assert values == ["418家", "283家", "182家"]
    assert answer.short == "418家"
    assert "172家" not in answer.text and "43家" not in answer.text


def test_suzhou_perspective_is_explained(pipeline):
    answer = pipeline.ask("苏州有多少家国家级专精特新小巨人企业？")
    assert "172家" in answer.text
    assert "“我市”指苏州" in answer.text
    assert answer.citations[0].note


@pytest.mark.parametrize("question", ["杭州有多少家单项冠军企业？", "深圳有多少家国家级专精特新“小巨人”企业？",
                                      "极氪汽车上市时的估值是多少美元？"])
def test_another_subjects_figure_is_not_given_as_answer(pipeline, question):
    answer = pipeline.ask(question)
    assert answer.refused and not answer.short


def test_a_company_abroad_is_still_the_subject(pipeline):
    answer = pipeline.ask("旭升集团派往墨西哥的技术骨干有多少人？")
    assert answer.short == "25名" and not answer.text.startswith("本报讯")


def test_follow_up_uses_history(pipeline):
    from rag.schema import Turn

    history = [Turn("user", "宁波有多少家国家级专精特新小巨人企业？"), Turn("assistant", "283家。")]
    answer = pipeline.ask("那苏州呢？", history=history)
    assert "172家" in answer.text and answer.short == "172家"
    assert answer.question == "那苏州呢？" and "苏州" in answer.standalone_question
    measure = pipeline.ask("那出口额呢？", history=[
        Turn("user", "2021年宁波国家级小巨人企业的营业收入是多少？"), Turn("assistant", "653亿元。")])
    assert measure.short == "144亿元" and "出口额" in measure.standalone_question


def test_publisher_named_by_two_of_its_words_limits_the_sources(pipeline):
    from rag.answer.extractive import _publisher_phrases

    assert _publisher_phrases("甲城太湖智库", "按甲城智库专报的数据，…") == ["甲城", "智库"]
    assert _publisher_phrases("甲城太湖智库", "甲城有多少家企业？") == []  # no 专报/报告: a place
    answer = pipeline.ask("按苏州智库专报的数据，宁波小巨人手里有多少个市级以上的研发机构？")
    assert not answer.refused and "212个" in answer.text
    assert {c.doc_id[:3] for c in answer.citations} == {"004"}


@pytest.mark.parametrize("question,fact", [
    ("宁波的经济总量是从什么时候起进入一万亿的城市行列的？", "2018年"),  # 进入…行列 ~ 跻身…俱乐部
    ("宁波那些小巨人企业一共办了多少家市级及以上的研发平台？", "212个"),  # 平台 ~ 机构, 家 ~ 个
])
def test_everyday_wording_finds_the_documents_wording(pipeline, question, fact):
    answer = pipeline.ask(question)
    assert not answer.refused and fact in answer.text
    _check_citations(answer)


def test_a_heading_names_the_example_a_which_question_asks_for(pipeline):
    # the flattened table row under the table's header is not the answer; the section
    # heading "2.3 技术联盟型——以天生密封件公司为例" is
    answer = pipeline.ask("技术联盟型追赶模式的代表企业是谁？")
    assert not answer.refused and "天生密封件" in answer.text.split("[1]")[0]
    _check_citations(answer)


def test_each_sub_question_gets_its_own_best_sentence(pipeline):
    answer = pipeline.ask("旭升集团和哪家研究院有深度合作？它的首个海外基地建在哪？")
    assert "首个海外" in answer.text and "萨尔蒂约" in answer.text
    _check_citations(answer)


def test_a_subject_named_just_before_the_sentence_counts(pipeline):
    # "截至目前，组织超300家企业赴12国参展…" follows the sentence naming the programme
    answer = pipeline.ask("宁波“甬通全球”系列组织了多少企业出海参展？成效如何？")
    assert "300家" in answer.text
    _check_citations(answer)


def test_short_answer_only_when_the_sentence_holds_one_amount():
    from rag.answer.extractive import Candidate, short_answer
    from rag.answer.question import analyse
    from rag.schema import Chunk, Hit

    def short(question, sentence):
        hit = Hit(Chunk("c", "d", sentence, "", 0, len(sentence)), 1.0)
        c = Candidate(0, hit, 0, len(sentence), sentence, 1.0, True, True, True, 1.0, frozenset())
        return short_answer(analyse(question), [c])

    assert short("该区建立了多少个研发机构？", "该区建立市级以上研发机构212个。") == "212个"
    assert short("该公司最新的营收是多少亿元？", "营收从5.5亿元增至36.05亿元，今年达32.91亿元。") == ""
    # an administrative level (国家级) names no measure: the clause naming it is not the one asked
    assert short("甲市国家级特新小巨人企业有多少家？",
                 "甲市小巨人企业数量远超乙市，达283家，累计培育国家级单项冠军83家。") != "83家"


def test_an_everyday_word_the_corpus_never_uses_weighs_less_than_a_rare_one(pipeline):
    weights = pipeline.answerer._weights  # the corpus uses neither 办法 nor 售价
    from rag.answer.question import analyse

    everyday = weights(analyse("用什么办法支持企业？"))["办法"]
    rare = weights(analyse("这款产品的售价是多少？"))["售价"]
    assert everyday < rare


def test_the_latest_rank_not_an_older_one(pipeline):
    answer = pipeline.ask("最新数据里，宁波国家级小巨人数量在全国城市里排第几？")
    assert answer.short == "第四位" and answer.short_note  # 2023, not 2022's 第3位


def test_a_qualified_count_is_not_the_count_asked(pipeline):
    # "宁波潜在独角兽企业有9家" counts potential unicorns; the answer names the two unicorns
    answer = pipeline.ask("宁波现在有几家独角兽企业？")
    assert "9家" not in answer.short and "两家" in answer.text


def test_a_definition_answers_what_something_is():
    from rag.answer.extractive import _defines

    terms = frozenset({"技术联盟型"})
    assert _defines("技术联盟型是指两个或两个以上的企业联合合作。", terms) == 0.3
    assert _defines("并购整合型是指以获取技术为目的。", terms) == 0.1  # defines something else
    assert _defines("技术联盟型有三家代表企业。", terms) == 0.0
    assert _defines("技术联盟型，通常指企业联合研发。", terms) == 0.3  # "X，通常指…"
    potential = frozenset({"潜在独角兽"})
    assert _defines("潜在的独角兽企业估值超过1亿美元，是独角兽企业的后备军。", potential) == 0.3  # X…，是…
    assert _defines("甲市潜在独角兽企业有9家，是全省最多的。", potential) == 0.0  # another subject


def test_a_definition_answers_what_conditions_something_must_meet(pipeline):
    # the corpus never says 条件: "X，通常指…" is what such a question asks for
    answer = pipeline.ask("一家企业要够得上独角兽，得满足什么条件？")
    assert not answer.refused and "10亿美元" in answer.text
    _check_citations(answer)


def test_a_why_question_gets_the_reason_not_a_restatement_or_the_documents_own_question(pipeline):
    answer = pipeline.ask("宁波为什么能成为单项冠军之城？")
    assert not answer.refused and "营商环境" in answer.text
    assert "缘何" not in answer.text  # "宁波缘何成为…？" is the article asking, not answering
    _check_citations(answer)


def _candidate(text: str, sentence: str):  # type: ignore[no-untyped-def]
    from rag.answer.extractive import Candidate
    from rag.schema import Chunk, Hit

    hit = Hit(Chunk("c1", "d1", text, "", 0, len(text)), 1.0)
    a = text.index(sentence)
    return Candidate(0, hit, a, a + len(sentence), sentence, 1.0, True, True, True, 1.0, frozenset())


def test_a_why_answer_stating_only_the_claim_is_quoted_with_its_premise():
    from rag.answer.extractive import _with_premise

    text = "人才是重要保障。从调研情况看，甲市技能人才仍然短缺。大力发展职业教育势在必行，为转型提供支撑。\n\n下一段。"
    c = _with_premise(_candidate(text, "大力发展职业教育势在必行，为转型提供支撑。"))
    assert c.text == "从调研情况看，甲市技能人才仍然短缺。大力发展职业教育势在必行，为转型提供支撑。"
    assert text[c.start:c.end] == c.text  # still a span of the passage, so the citation quotes it exactly
    # a sentence that gives its own cause, or opens its paragraph, stays as it is
    cause = "由于技能人才短缺，职业教育势在必行。"
    assert _with_premise(_candidate(f"前一句说明背景。{cause}", cause)).text == cause
    first = "职业教育势在必行。"
    assert _with_premise(_candidate(f"标题\n{first}", first)).text == first


def test_a_why_answer_that_only_restates_the_claim_gets_a_sentence_giving_a_cause():
    from dataclasses import replace

    from rag.answer.extractive import _with_a_cause

    text = "甲市小巨人数量远超乙市。甲市小巨人快速成长，与完善的培育体系密切相关。甲市还有很多举措。"
    claim = _candidate(text, "甲市小巨人数量远超乙市。")
    cause = replace(_candidate(text, "甲市小巨人快速成长，与完善的培育体系密切相关。"), coverage=0.4, place_ok=False)
    means = replace(_candidate(text, "甲市还有很多举措。"), coverage=0.9)  # a means, not a cause
    assert _with_a_cause([claim], [claim, means, cause], ("甲市", "乙市")) == [claim, cause]
    assert _with_a_cause([cause], [claim, cause], ("甲市",)) == [cause]  # already has one
    assert _with_a_cause([claim], [claim, replace(cause, coverage=0.2)], ("甲市",)) == [claim]  # too far off


def test_a_list_lead_is_quoted_with_the_unnumbered_items_after_it():
    from rag.answer.extractive import _with_items

    text = "甲市以多元金融工具化解融资难。推行贷款贴息。推出小额信贷保险。\n\n下一段。"
    c = _with_items(_candidate(text, "甲市以多元金融工具化解融资难。"))
    assert c.text == "甲市以多元金融工具化解融资难。推行贷款贴息。推出小额信贷保险。"
    assert text[c.start:c.end] == c.text  # a verbatim span: the citation still quotes it exactly
    last = "推出小额信贷保险。"
    assert _with_items(_candidate(text, last)).text == last  # nothing after it in its paragraph


def test_a_glued_word_the_corpus_never_uses_is_replaced_by_its_pieces_it_does(pipeline):
    answerer = pipeline.answerer
    assert answerer._known_parts(["帮科创", "华峰"]) == ["科创", "华峰"]  # 帮+科创; a name stays whole


def test_a_who_question_needs_a_sentence_naming_someone_new():
    from rag.answer.extractive import _names_someone_new

    question = "天生密封件具体跟谁合作了？"
    assert _names_someone_new("天生密封件公司于2011年与王玉明院士合作建立了工作站。", question)
    assert not _names_someone_new("技术联盟型是指两个或两个以上的企业联合合作。", question)
    # the asked company under its full name is no one new
    assert not _names_someone_new("宁波天生密封件有限公司属于技术联盟型。", question)


def test_a_company_the_documents_never_mention_is_refused(pipeline):
    answer = pipeline.ask("宁波瑞晟达精密股份有限公司的主营产品是什么？")  # an invented company
    assert answer.refused
    assert not pipeline.ask("江丰电子的主营产品是什么？").refused  # one the documents describe


def test_a_paper_announcing_what_it_will_do_is_no_answer():
    from rag.answer.boilerplate import BOILERPLATE

    assert BOILERPLATE.search("在此背景下，本文以甲市企业为研究对象，从中归纳总结发展的启示。")
    assert BOILERPLATE.search("本文归纳总结了三种模式。")
    assert not BOILERPLATE.search("政府应充分利用激励政策，本文认为这是关键。")  # a claim, not an announcement


def test_a_difference_is_computed_only_between_figures_of_one_year(pipeline):
    answer = pipeline.ask("苏州跟宁波比，国家级小巨人差了多少家？")  # 跟…比 is a comparison too
    assert "苏州" in answer.short and "宁波" in answer.short
    line = next(ln for ln in answer.text.splitlines() if "相差" in ln)
    assert "2023年" in line  # both sources' figures for one year, not 2024's less 2023's
    # the 简答 is that same-year pair and its difference, not each side's newest figure
    assert answer.short == "苏州172家；宁波283家，相差111家" and "2023年" in answer.short_note
    _check_citations(answer)


def test_each_places_figure_is_given_and_the_note_says_when_their_years_differ(pipeline):
    answer = pipeline.ask("宁波和苏州的国家级小巨人各有多少家？")  # 各有 is no word of what is measured
    assert "宁波" in answer.short and "苏州172家" in answer.short
    assert "2024年" in answer.short_note and "2023年" in answer.short_note  # not one year for both


def test_few_hundred_million_asks_an_amount_in_yuan():
    from rag.answer.question import analyse

    assert analyse("某公司营业额从几个亿涨到多少了？").parts[0].unit == "亿元"


def test_a_city_named_as_who_says_it_is_the_source():
    from rag.answer.extractive import _attributed_to

    assert _attributed_to("乙市", "甲市", "乙市那边分析，甲市小巨人为什么多？") == ["乙市那边分析"]
    assert _attributed_to("乙市", "甲市", "乙市智库总结的甲市做法有哪些？") == ["乙市智库总结"]
    assert _attributed_to("乙市", "甲市", "乙市有多少家小巨人？") == []  # the place asked about
    assert _attributed_to("甲市", "甲市", "甲市那边认为呢？") == []  # the main city is never a source filter


def test_a_reason_given_as_related_to(pipeline):
    answer = pipeline.ask("宁波的人工智能产业为什么侧重应用？")
    assert not answer.refused and "场景较多" in answer.text  # "这和…有关" gives the cause


def test_how_it_is_staged_is_answered_by_the_chain_of_stages(pipeline):
    answer = pipeline.ask("宁波培育企业的梯队是怎么一级一级往上走的？")
    assert not answer.refused
    assert "创新型中小企业—高新技术企业" in answer.text  # the sentence laying out 甲—乙—丙


def test_the_one_new_name_is_the_short_answer_to_a_which_question():
    from rag.answer.extractive import _the_new_name

    assert _the_new_name("2.3 技术联盟型——以甲密封件公司为例", "技术联盟型的代表企业是哪家？") == "甲密封件公司"
    assert _the_new_name("甲电子公司与乙材料公司合作。", "哪家企业与研究所合作？") == ""  # two: not one answer
    # a table row flattened into one line: the row's label is no part of the name
    assert _the_new_name("技术联盟型青岛丙密封件有限公司技术联盟型是指企业联合合作。", "技术联盟型是拿哪家企业举例的？") \
        == "青岛丙密封件有限公司"
    assert _the_new_name("甲电子公司成立于2005年。", "甲电子公司成立于哪一年？") == ""  # nothing new
    # jieba tags 安全性 as a person's name; a company was asked
    assert _the_new_name("提升了高传染性环境下患者转运的安全性。", "是哪家公司参与牵头定的？") == ""


@pytest.mark.parametrize("question,short", [
    ("宁波近5年一共引进了多少大学生？", "67.28万人"),  # 大学生's clause, not 高技能人才's 29.99万人
    ("宁波专精特新企业的平均研发投入占比是多少？", "5-6%"),  # a range is one figure
    ("技术联盟型追赶模式的代表企业是谁？", "天生密封件公司"),
    ("2025年前三季度宁波科技服务业投资增长了多少？", "56.7%"),  # the third of three respective figures
])
def test_short_answers(pipeline, question, short):
    assert short in pipeline.ask(question).short


def test_no_short_answer_when_the_amounts_do_not_single_one_out(pipeline):
    answer = pipeline.ask("工信部那个冠军榜上，宁波目前总共有几家企业上了榜？")
    assert answer.short != "15家"  # 新增15家企业 names 企业, but a total is asked
    assert not pipeline.ask("宁波的专精特新小巨人数量为什么能远超苏州？").short  # a reason has no short form


def test_which_companies_is_not_answered_by_their_number(pipeline):
    answer = pipeline.ask("宁波最新一批新增的15家国家级单项冠军具体是哪些企业？")
    assert answer.refused  # the documents give the number, never the names
    named = pipeline.ask("宁波的人形机器人“天团”包括哪些上市公司？")
    assert not named.refused and "均胜电子" in named.text


@pytest.mark.parametrize("question", ["甬达是国家级单项冠军吗？", "科泓是不是专精特新小巨人？"])
def test_yes_no_about_a_company_no_document_names_is_refused(pipeline, question):
    assert pipeline.ask(question).refused  # not answered from 国家级单项冠军's own sentences


def test_yes_no_about_a_known_company_is_answered(pipeline):
    answer = pipeline.ask("江丰电子是国家级单项冠军吗？")
    assert not answer.refused and "单项冠军" in answer.text


def test_a_count_is_of_what_is_counted(pipeline):
    answer = pipeline.ask("宁波有几家独角兽？")
    assert answer.short == "两家"  # not "全国47个城市中…独角兽企业": 47 counts cities
    assert not pipeline.ask("宁波新能源汽车产业有几家企业进了全球百强？").refused  # "企业4家跻身…"


def test_how_long_since_founding_is_answered_with_the_founding_date(pipeline):
    assert pipeline.ask("天生密封件成立多少年了？").short.startswith("1998年")


def test_a_whole_named_before_how_many_is_not_what_is_counted(pipeline):
    answer = pipeline.ask("宁波A股上市公司里有多少家是国家级单项冠军？")
    assert "46家" in answer.text and answer.short != "125家"  # 上市公司 is the scope


def test_a_publisher_is_named_by_more_than_the_main_city():
    from rag.answer.extractive import _publisher_phrases

    assert _publisher_phrases("甲市本地报纸版面", "甲市本地做机器人的上市公司有哪些", "甲市") == []
    assert _publisher_phrases("甲市日报理论版", "甲市日报理论版评论里有多少家？", "甲市") == ["甲市日报理论版"]
    assert _publisher_phrases("乙市太湖智库", "按乙市智库专报的数据，甲市有多少家？", "甲市") == ["乙市", "智库"]
    assert _publisher_phrases("甲市财经学院", "甲市那篇学院的论文里有多少家？", "甲市") == []  # 学院 alone


def test_a_source_named_in_the_question_limits_every_passage_quoted(pipeline):
    answer = pipeline.ask("宁波日报理论版评论里，当时宁波有多少家国家级专精特新小巨人企业？在全国城市里是什么位置？")
    assert not answer.refused and answer.citations
    assert {c.doc_id for c in answer.citations} == {"002_ac0426586843b9be"}  # not the later sources' 283家


def test_a_why_answer_quotes_the_next_sentence_when_it_explains_the_claim():
    from rag.answer.extractive import Candidate, _with_explanation
    from rag.schema import Chunk, Hit

    text = "“目前，甲市人工智能产业侧重于应用。这和甲市的制造业比较发达有关。”院长说。\n另一段。"
    claim = "“目前，甲市人工智能产业侧重于应用。"
    hit = Hit(Chunk("c", "d", text, "", 0, len(text)), 1.0)
    c = Candidate(0, hit, 0, len(claim), claim, 1.0, True, True, True, 1.0, frozenset())
    assert _with_explanation(c).text == "“目前，甲市人工智能产业侧重于应用。这和甲市的制造业比较发达有关。”院长说。"  # with who said it
    last = text.index("另一段")
    alone = Candidate(0, hit, last, len(text), "另一段。", 1.0, True, True, True, 1.0, frozenset())
    assert _with_explanation(alone) is alone  # nothing after it explains it


@pytest.mark.parametrize("sentence,word,asked,qualified", [
    ("上榜的9家甲市潜在独角兽企业中", "独角兽", "独角兽榜单", True),
    ("潜在的“独角兽”企业", "独角兽", "独角兽", True),  # quotes and 的 between
    ("独角兽(准独角兽)榜单", "独角兽", "独角兽", False),  # one mention is unqualified
    ("而政府则精准扮演战略规划者", "扮演", "扮演", False),  # 准 ends the word 精准: no qualifier
    ("甲市潜在独角兽企业", "独角兽", "潜在独角兽", False),  # the question asks for that category
])
def test_a_word_only_qualified_is_another_category(sentence, word, asked, qualified):
    from rag.answer.extractive import _only_qualified

    assert _only_qualified(sentence, word, asked) is qualified


def test_a_sentence_about_the_qualified_category_ranks_below_one_about_the_asked(pipeline):
    answer = pipeline.ask("2024年独角兽的榜单上，宁波上榜的是哪几家？")
    assert "极氪汽车" in answer.text and "芯碁微电子" in answer.text


def test_a_share_of_the_subject_that_is_not_the_share_asked_is_no_answer(pipeline):
    # "92%的小巨人企业在特定行业深耕超过10年" names 小巨人 and a share, but not 研发投入
    answer = pipeline.ask("宁波小巨人企业的研发投入占比是多少？")
    assert "92%" not in answer.short and "92%" not in answer.text.split("以下是最接近的段落")[0]


def test_a_compound_the_question_names_must_be_in_the_sentence():
    from rag.answer.extractive import _compounds

    # 研发机构: a sentence about "10余家机构" counts other institutions
    assert _compounds("甲市研发机构有多少个", ["研发", "机构"]) == ["研发机构"]
    assert _compounds("甲市小巨人出口额多少", ["小巨人", "出口额"]) == []  # two nouns: whose and what
    assert _compounds("计划多少天建好第一条生产线", ["建好", "第一条", "生产线"]) == []  # an ordinal is no modifier


def test_a_count_of_another_kind_or_of_other_things_is_no_answer(pipeline):
    # the documents give 小巨人' 市级以上研发机构 (212个) and "10余家机构" that drafted a standard,
    # never the city's number of R&D institutions
    answer = pipeline.ask("宁波的研发机构一共有多少个？")
    assert answer.refused and not answer.short
    scoped = pipeline.ask("宁波小巨人建立了多少个市级以上研发机构？")
    assert scoped.short == "212个"


def test_which_batch_is_not_what_is_measured(pipeline):
    # 一批 / 第九批 say which list, not what is counted: the sentence naming the batch answers
    for question in ("宁波单项冠军最新一批新增几家？", "宁波第九批新增了多少单项冠军？"):
        answer = pipeline.ask(question)
        assert not answer.refused and "15家" in answer.text


def test_an_average_asked_is_only_a_figure_its_clause_calls_an_average():
    from rag.answer.extractive import Candidate, short_answer
    from rag.answer.question import analyse
    from rag.schema import Chunk, Hit

    def short(question: str, sentence: str) -> str:
        hit = Hit(Chunk("c", "d", sentence, "", 0, len(sentence)), 1.0)
        c = Candidate(0, hit, 0, len(sentence), sentence, 1.0, True, True, True, 1.0, frozenset())
        return short_answer(analyse(question), [c])

    share = "市场占有率全国第一的有262家，占比为68.23%，不少企业早已是冠军。"
    assert short("甲市冠军企业平均市场占有率多少？", share) == ""  # a share of firms, not an average
    team = "甲公司25名技术骨干组成的先锋队奔赴乙国，他们平均年龄32岁，人均拥有9年经验。"
    assert short("派去乙国的人平均几岁？", team) == "32岁"
    assert short("甲公司派了多少人去乙国？", team) == "25名"


def test_a_comparison_with_one_side_missing_says_so_and_computes_no_difference(pipeline):
    each = pipeline.ask("苏州和宁波国家级制造业单项冠军各有几家")
    assert "苏州：资料中没有找到相应内容" in each.text
    # the 简答 says the missing side too: "宁波119家" alone would read as the whole answer
    assert each.short.startswith("苏州：资料未提及；宁波") and "苏州：资料中没有" not in each.short
    difference = pipeline.ask("宁波比苏州多多少家单项冠军")
    assert not difference.short  # 83家 was the 简答: one side's figure, not a difference


def test_a_share_of_a_base_needs_the_measured_part_not_only_the_base(pipeline):
    answer = pipeline.ask("江丰电子研发投入占营收比重多少")
    assert answer.refused  # the passages give its 营收, not its 研发投入


def test_a_how_many_new_question_is_not_answered_by_a_total(pipeline):
    answer = pipeline.ask("宁波去年新增多少小巨人")  # the documents give the city's total, not how many were added
    assert answer.short != "418家" and (answer.refused or "新增" in answer.text)


@pytest.mark.parametrize("question,short", [
    ("第九批宁波有多少企业入围", "15家"),  # the batch's entrants; 119家 is the total after it
    ("第四批国家级专精特新名单里宁波集成电路企业进了几家", "8家"),  # 5家 was another kind's (工业软件)
])
def test_a_count_within_one_batch_of_a_list(pipeline, question, short):
    assert pipeline.ask(question).short == short


def test_a_range_is_the_short_answer_whole(pipeline):
    answer = pipeline.ask("宁波专精特新企业研发投入多少")  # no 占比: read as a count, % allowed
    assert "5-6%" in answer.short, answer.short  # never its upper end alone


def test_a_count_of_things_is_not_answered_by_a_count_of_companies(pipeline):
    # "主导产品…的企业有110家" and "单项冠军企业119家" count companies, not 产品
    answer = pipeline.ask("宁波制造业单项冠军产品有多少个")
    assert "家" not in answer.short, answer.short


def test_the_citys_own_paper_is_named_by_the_start_of_its_name():
    from rag.answer.extractive import _publisher_phrases

    paper = "甲市日报理论版（市社科院作者）"
    assert _publisher_phrases(paper, "甲市日报那篇里甲市小巨人是多少家？", "甲市") == ["甲市日报"]
    assert _publisher_phrases("甲市本地报纸版面", "甲市本地的小巨人有多少家", "甲市") == []


def test_only_a_caption_naming_no_figure_is_no_answer_to_a_figure_question():
    from rag.answer.extractive import _a_bare_caption

    assert _a_bare_caption("2018年至2025年前三季度甲市地区生产总值")
    assert not _a_bare_caption("甲市地区生产总值1.35万亿元")  # a caption with its figure
    assert not _a_bare_caption("全球每3部安卓手机，就有1部的镜头来自甲市。")  # a sentence: its figures may be worded


def test_the_short_answer_keeps_how_near_the_figure_is():
    import re

    from rag.answer.extractive import ABOUT, SHORT_PATTERNS

    assert re.search(ABOUT + r"\d+家", "乙市、丙市等城市的企业数量均超过25家。").group(0) == "超过25家"
    assert re.search(SHORT_PATTERNS["percent"], "30%以上企业拥有专利").group(0) == "30%以上"


def test_the_sentence_after_a_documents_own_why_question_answers_it(pipeline):
    from rag.answer.question import analyse
    from rag.schema import Chunk, Hit

    answerer = pipeline.answerer
    q = analyse("甲市为什么能出这么多单项冠军？", answerer.kb.profile)

    def best(text: str) -> str:
        cands = answerer._candidates(q, [Hit(Chunk("c1", "d1", text, "", 0, len(text)), 1.0)])
        return max(cands, key=lambda c: c.score).text

    claim, cause = "甲市单项冠军企业很多，数量全国第一。", "三大要素一起发力，成就了这一格局。"
    posed = f"{claim}甲市缘何成为单项冠军最多的城市？{cause}"
    assert best(posed) == cause  # the article asks the question, the next sentence answers it
    quoted = f"{claim}有人问：“甲市缘何成为单项冠军最多的城市？{cause}”"
    assert best(quoted) == claim  # a question someone is quoted asking is not the article's own
    closed = f"{claim}有人问：“甲市缘何成为单项冠军最多的城市？”{cause}"
    assert best(closed) == claim  # nor one whose quotation closes right after it


def test_our_city_in_a_question_naming_a_source_is_that_sources_city(pipeline):
    # the other city's report says 我市 of itself: its own figure, not the main city's
    answer = pipeline.ask("苏州太湖智库那份专报里，说“我市”的国家级小巨人有多少家")
    assert not answer.refused and answer.short == "172家"
    _check_citations(answer)


def test_money_asked_is_never_answered_with_a_count(pipeline):
    # the documents give no reward for this level: a count of 市级以上研发机构 (个) is no answer
    assert pipeline.ask("市级专精特新中小企业宁波给多少奖励？").refused
    answer = pipeline.ask("宁波对国家级单项冠军奖励多少钱")
    assert not answer.refused and answer.short == "300万元"


def test_a_companys_figure_in_a_sentence_that_calls_it_the_company(pipeline):
    # "…江丰电子便是典型。2017—2024年，公司营收从5.5亿元增至36.05亿元": 公司 is 江丰电子
    answer = pipeline.ask("江丰电子2024年营收多少？")
    assert not answer.refused and answer.short == "36.05亿元"
    _check_citations(answer)
    assert pipeline.ask("江丰电子上市以后营收涨了多少？").short.startswith("5.5亿元 → 36.05亿元")


def test_a_whole_years_figure_is_not_answered_with_part_of_the_year(pipeline):
    # the documents give 2025's GDP for 前三季度 only
    answer = pipeline.ask("宁波2025年全年GDP是多少？")
    assert "1.35万亿元" not in answer.short
    assert pipeline.ask("2022年一整年，宁波政府给企业发的各种帮扶补助钱加起来有多少？").short == "10.8亿元"
    # asked with no time, the year's figure comes before a later one of part of the year
    assert pipeline.ask("江丰电子营收多少？").short == "36.05亿元"


def test_what_a_company_does_is_the_sentence_saying_what_it_makes(pipeline):
    # 镇海 says where the company is: the sentence need not repeat it, and one naming 镇海
    # and the company for another matter (保障…项目用地) is not what it does
    answer = pipeline.ask("镇海的晶钻科技是做什么的？")
    assert not answer.refused and "CVD大单晶金刚石" in answer.text.split("[1]")[0]


@pytest.mark.parametrize("publisher,question,said", [
    ("中国证券报", "中证报那篇讲甲市用金融帮企业转型，提到哪几种工具？", "中证报"),
    ("乙市太湖智库", "乙市智库总结的甲市培育体系包括哪几块？", "乙市智库"),
    ("中国证券报", "中国的证券市场有多大？", ""),  # its characters, but not ending as it ends
    ("甲市日报", "甲报说了什么", ""),  # two characters are too few to tell
])
def test_a_publisher_named_by_its_abbreviation(publisher, question, said):
    from rag.answer.extractive import _abbreviated

    assert _abbreviated(publisher, question) == said


def test_a_source_named_by_its_abbreviation_limits_the_answer_to_it(pipeline):
    answer = pipeline.ask("苏州智库总结的宁波培育小巨人体系，具体包括哪几块做法？")
    assert "梯度构建" in answer.text and "资本赋能" in answer.text
    assert {c.doc_id for c in answer.citations} == {"004_5fdd652ecef025e0"}


def test_stages_asked_are_the_sentence_laying_them_out_not_a_list(pipeline):
    answer = pipeline.ask("宁波培育企业是一级一级往上走的，分哪几级？")
    assert answer.text.startswith("遴选储备") and "—高新技术企业—" in answer.text


def test_a_named_company_main_product_is_whatever_it_makes(pipeline):
    assert pipeline.ask("长阳科技的主打产品在全世界市场里占多大比例？").short == "55%"
    assert pipeline.ask("宁波主导产品市场占有率全球第一的企业有多少家").short == "110家"  # a term when no company


def test_a_whole_year_asked_is_not_answered_by_part_of_it(pipeline):
    from rag.answer.extractive import _only_part_of

    assert _only_part_of("2025年前三季度，营收32.91亿元。", {"2025"})
    assert _only_part_of("2025年1—10月，出口47.99亿元。", {"2025"})
    assert not _only_part_of("2025年，营收40亿元；2025年前三季度30亿元。", {"2025"})
    assert pipeline.ask("江丰电子2025年全年净利润是多少？").refused
    assert pipeline.ask("江丰电子2025年前三季度净利润是多少？").short == "4.01亿元"


def test_a_title_no_document_cites_is_unknown_and_one_cited_is_known(pipeline):
    assert pipeline.ask("宁波出台的《专精特新企业上市三年行动计划》里都有哪些措施？").refused
    assert pipeline.ask("《宁波市科技创新条例》是哪年颁布的？").short == "2025年"


def test_another_place_only_compared_with_is_no_answer(pipeline):
    answer = pipeline.ask("苏州现在有多少家国家级单项冠军？想跟宁波比一比")
    assert answer.refused and answer.short == ""


@pytest.mark.parametrize("sent,before,short", [
    ("2025年1月，甲市整机企业从3家增至8家，配套企业从25家扩增至89家。", "甲市配套企业", "25家 → 89家"),
    ("2025年1月，甲市整机企业从3家增至8家，配套企业从25家扩增至89家。", "能造整机的", "3家 → 8家"),
    ("甲市整机企业有8家。", "整机企业", ""),
])
def test_from_how_many_to_how_many_gives_both_ends(sent, before, short):
    from rag.answer.extractive import _from_to

    assert _from_to(sent, before) == short


def test_a_from_to_question_takes_its_pair_from_a_sentence_holding_several(pipeline):
    # "…整机…企业从3家增至8家，供应链配套企业从25家扩增至89家": the figures table gives the second
    # clause only its own words, so the sentence's pairs are told apart by the words before them
    assert pipeline.ask("宁波人形机器人供应链配套企业从几家增至几家？").short == "25家 → 89家"
    assert pipeline.ask("宁波搞人形机器人的企业，能造整机的从几家变成几家？").short == "3家 → 8家"


@pytest.mark.parametrize("question,fact", [
    ("搞技术联盟那种追赶路子的代表企业是哪一年创办的？", "1998年"),  # 搞…路子, 创办: not the text's words
    ("有家宁波企业造转运危重感染病人的负压特种车，还牵头定了国际标准，是哪家？", "凯福莱"),
])
def test_a_which_question_in_everyday_words_is_answered_from_the_sentence_naming_its_kind(
        pipeline, question, fact):
    answer = pipeline.ask(question)
    assert not answer.refused and fact in answer.text
    _check_citations(answer)


def test_only_a_which_company_or_year_question_needs_less_coverage_and_only_when_nothing_has_enough(pipeline):
    from rag.answer.extractive import FACT_SUPPORT_SHARE, Candidate
    from rag.answer.question import analyse
    from rag.schema import Chunk, Hit

    answerer = pipeline.answerer
    sentence = "甲乙科技创建于1998年。"
    hit = Hit(Chunk("c", "d", sentence, "", 0, len(sentence)), 1.0)

    def candidate(coverage):
        return Candidate(0, hit, 0, len(sentence), sentence, coverage, True, True, True, coverage, frozenset())

    low, floor = [candidate(0.4)], answerer.min_support
    assert answerer._floor(analyse("那家做靶材的企业是哪一年创办的？"), low) == floor * FACT_SUPPORT_SHARE
    assert answerer._floor(analyse("牵头定标准的是哪家公司？"), low) == floor * FACT_SUPPORT_SHARE
    # a sentence with enough coverage: the usual floor, so nothing already answered changes
    assert answerer._floor(analyse("那家做靶材的企业是哪一年创办的？"), [*low, candidate(0.5)]) == floor
    # a figure, a reason, a which-question that asks a figure too: the usual floor
    for question in ("甲市有多少家单项冠军？", "甲市为什么能培育这么多冠军？", "哪家企业份额最高，是多少？"):
        assert answerer._floor(analyse(question), low) == floor


def test_a_later_part_of_the_first_parts_subject_is_answered_from_the_figures(pipeline):
    # "现在实际做到多少了" names nothing: it asks the first part's subject today, not the target again
    answer = pipeline.ask("当初定的2025年单项冠军目标是多少家？现在实际做到多少了，完成没有？")
    assert "130家" in answer.text and "119家" in answer.text
    assert answer.short.endswith("119家")
    _check_citations(answer)


def test_a_growth_rate_is_not_answered_by_a_share(pipeline):
    # the 2021 sentence gives the amount and its share of GDP, no growth rate
    answer = pipeline.ask("宁波2021年工业增加值增速多少")
    assert answer.refused or "47.9%" not in answer.short


def test_two_figure_questions_of_their_own_places_are_answered_each(pipeline):
    # no one sentence names both cities: each part on its own, both cited
    answer = pipeline.ask("宁波小巨人占浙江全省多大比例？苏州的小巨人又占江苏全省多少？")
    assert not answer.refused
    assert "38.72%" in answer.text and "24.2%" in answer.text
    assert answer.short == "38.72%；24.2%"
    _check_citations(answer)


def test_a_part_the_chosen_sentences_leave_unanswered_is_answered_on_its_own(pipeline):
    # the 123亩 sentence names the company too, but says nothing of what it makes
    answer = pipeline.ask("晶钻科技是做啥的？它那个金刚石产业园规划用地多大")
    assert "CVD大单晶金刚石" in answer.text and "123亩" in answer.text
    _check_citations(answer)


def test_a_share_asked_takes_no_growth_rate_as_its_short_answer(pipeline):
    from rag.answer.extractive import _a_growth

    assert _a_growth("实现营业收入653亿元，同比增长23.8%")
    assert not _a_growth("占GDP比重的47.9%") and not _a_growth("平均研发投入占比约5-6%")
    assert not _a_growth("出口额增长较快，占全省的比重达到12%")  # a share, though growth is said
    # the sentence chosen gives revenue and its growth; 23.8% is no share of revenue
    answer = pipeline.ask("那些小巨人企业一般拿出营业收入的多大比例来搞研发？")
    assert "23.8" not in (answer.short or "")
