"""Pipeline input checks and timings."""

from __future__ import annotations

import pytest

from rag.answer.question import check_question
from rag.errors import EmptyQuestionError, QuestionTooLongError
from rag.schema import Turn


@pytest.mark.parametrize("bad", ["", "   ", "\n\t　"])
def test_empty_question_is_rejected_before_search(pipeline, bad, monkeypatch):
    called = []
    monkeypatch.setattr(pipeline.retriever, "retrieve", lambda *a, **k: called.append(1))
    with pytest.raises(EmptyQuestionError) as err:
        pipeline.ask(bad)
    assert called == [] and "问题为空" in err.value.zh


def test_long_question_is_rejected(pipeline):
    with pytest.raises(QuestionTooLongError, match="2001 characters"):
        pipeline.ask("宁" * 2001)
    assert check_question("  宁波  ", 10) == "宁波"


def test_answer_has_timings_and_json(pipeline):
    answer = pipeline.ask("天生密封件公司创建于哪一年？")
    assert set(answer.timings_ms) == {"retrieve", "answer"}
    data = answer.to_dict()
    assert data["citations"][0]["doc_id"].startswith("000")
    assert data["hits"] and "score" in data["hits"][0]


def test_follow_up_rewrite_cannot_exceed_the_length_limit(pipeline):
    from rag.schema import Turn

    history = [Turn("user", "宁波" + "很" * 1990 + "有多少家小巨人企业？"), Turn("assistant", "…")]
    answer = pipeline.ask("那苏州呢？", history=history)
    assert len(answer.standalone_question) <= 2000


def test_refusal_without_any_passage_promises_none(pipeline):
    answer = pipeline.answerer.answer("宁波2035年的人口目标是多少？", [])
    assert answer.refused and not answer.citations and "最接近" not in answer.text


def test_a_slip_in_the_corpus_jargon_is_read_as_the_term_and_shown(pipeline):
    answer = pipeline.ask("宁波国家级专精特心小巨人企业有多少家？")
    # the page shows 按“…专精特新…”理解; the answer is about 小巨人, not another sentence's count
    assert "专精特新" in answer.standalone_question and answer.question != answer.standalone_question
    assert not answer.refused and any("小巨人" in c.quote for c in answer.citations)


def test_the_askers_story_is_dropped_and_what_was_answered_is_shown(pipeline):
    asked = "我们要给领导写个材料，有人说宁波小巨人是一百八十多家，我有点搞不清了，按最新的口径，宁波国家级小巨人有多少家？"
    answer = pipeline.ask(asked)
    assert answer.question == asked and answer.standalone_question == "按最新的口径，宁波国家级小巨人有多少家？"
    assert not answer.refused and answer.short


def test_figures_asked_of_a_company_in_two_parts_are_not_taken_from_another_company(pipeline):  # type: ignore[no-untyped-def]
    # the bundled articles give no 长阳科技 profit; the passage beside it gives 江丰电子's ("公司…净利润")
    answer = pipeline.ask("长阳科技去年挣了多少钱，净利润多少？")
    assert answer.refused and "4.01亿元" not in answer.text.split("以下是最接近的段落")[0]


def test_a_target_is_no_short_answer_to_a_question_about_what_is(pipeline):  # type: ignore[no-untyped-def]
    # the figures table has no change of the count; the best sentence left holds the 2025 targets
    first = pipeline.ask("宁波现在有多少家小巨人")
    follow = pipeline.ask("比前年多了多少", history=[Turn("user", first.question), Turn("assistant", first.text)])
    assert follow.short not in ("600家", "200家", "653亿元")


def test_a_which_type_question_is_answered_by_the_sentence_naming_the_type(pipeline):
    # the story of the takeovers (依靠跨国并购…) carries the question's words; the type is 并购整合型
    answer = pipeline.ask("靠跨国买买买，把德国普瑞收进来的那家企业，算哪一类追赶路子")
    assert "均胜电子" in answer.standalone_question and "并购整合型" in answer.text
    assert "并购整合型" in pipeline.ask("均胜属于哪种追赶模式？").text  # the short name


def test_a_count_within_a_group_and_whether_a_target_is_met(pipeline):
    assert pipeline.ask("宁波单项冠军里上市公司有几家？").short == "46家"  # not the 125家 listed companies
    met = pipeline.ask("宁波2025年单项冠军目标完成了吗？")
    assert met.short.startswith("还差11家") and "130家" in met.text and "119家" in met.text


def test_how_much_more_after_two_places_is_their_difference(pipeline):
    history = [Turn("user", "苏州专精特新小巨人有多少"), Turn("assistant", "172家"),
               Turn("user", "宁波呢"), Turn("assistant", "418家")]
    answer = pipeline.ask("差多少", history=history)
    assert "苏州" in answer.standalone_question and "宁波" in answer.standalone_question
    assert "相差" in answer.short and "目标" not in answer.short  # not the gap to 宁波's target


def test_who_said_it_and_what_the_person_pointed_at_said(pipeline):
    said = pipeline.ask("宁波的独角兽企业数量相对较少，是谁说的？")
    assert said.short == "江锡军", said.text  # not the 潜在独角兽 the quote names
    tips = pipeline.ask("想多孵几个独角兽出来，长城战略咨询那个院长给宁波支了哪几招")
    assert "平台化、生态化" in tips.text and "高密度对接" in tips.text


def test_a_figure_in_the_clause_after_a_semicolon_keeps_its_months(pipeline):
    history = [Turn("user", "2025年1到10月，宁波跨境电商特殊区域出口货值多少？"), Turn("assistant", "47.99亿元")]
    answer = pipeline.ask("那网购保税进口那块呢？排第几？", history=history)
    assert "255亿元" in answer.text and "第二" in answer.text


def test_a_group_counted_by_its_own_bar_is_not_a_kind_it_resembles(pipeline):
    # the passages count "主导产品市场占有率全球第一的企业" (110家) apart from 单项冠军 (119家)
    world = pipeline.ask("在全球市场上主打产品份额做到世界第一的宁波企业数量是多少？别和全国第一的搞混")
    assert world.short == "110家", world.text
    # a kind described by its own definition (估值超过1亿美元…后备军) is that kind
    assert pipeline.ask("估值超过1亿美元、有望成长为独角兽的那批后备军企业，宁波有几家？").short == "9家"
    # a count of companies is never one company's name (能整台造人形机器人的企业: 3家 → 8家)
    robots = pipeline.ask("能整台造人形机器人的本地企业，前后从几家涨到了几家")
    assert "均胜电子" not in robots.standalone_question and robots.short == "3家 → 8家"


def test_three_turns_from_a_count_to_another_kind_and_a_target(pipeline):
    history = [Turn("user", "宁波现在有多少家国家级单项冠军？"), Turn("assistant", "119家。"),
               Turn("user", "连续几年全国第一了？"), Turn("assistant", "连续8年稳居全国第一。")]
    assert pipeline.ask("那国家级小巨人呢，最新有多少家？", history=history).short == "418家"  # had given 83家
    target = [Turn("user", "宁波原来定的目标，到2025年国家级单项冠军要达到多少家？"), Turn("assistant", "130家。")]
    done = pipeline.ask("完成了吗？现在有多少家？", history=target)
    assert done.short.startswith("还差11家") and "119家" in done.text
    paper = [Turn("user", "宁波日报那篇里宁波国家级小巨人是多少家？"), Turn("assistant", "182家")]
    assert pipeline.ask("宁波日报那篇里宁波国家级小巨人是多少家？").short == "182家"  # that paper's figure
    assert pipeline.ask("占全省比例呢？", history=paper).short == "38.72%"
    differ = pipeline.ask("宁波国家级单项冠军数量，几篇材料说法不一样，分别是多少、哪个最新？")
    assert differ.short == "119家" and "83家" in differ.text and "51家" in differ.text


def test_a_figure_question_is_not_answered_by_a_caption_without_one(pipeline):
    # "2018年至2025年前三季度宁波地区生产总值" is a chart caption: no 2025 full-year GDP is given
    assert pipeline.ask("宁波2025年全年GDP是多少？").refused


def test_everyday_wordings_of_exports_trade_and_fairs(pipeline):
    assert pipeline.ask("21年宁波那批国家级小巨人往国外卖货一共卖了多少钱").short == "144亿元"
    assert pipeline.ask("21年咱宁波进出口拢共做了多大的盘子").short == "11926.1亿元"
    fairs = pipeline.ask("咱们组织企业一块儿出国看展拉订单那个系列活动，到底带了多少家企业、跑了几个国家")
    assert "超300家" in fairs.text and "12国" in fairs.text and fairs.short == ""  # two figures asked


def test_a_lower_bound_stays_a_lower_bound_and_times_replace_each_other(pipeline):
    history = [Turn("user", "宁波有多少家潜在独角兽"), Turn("assistant", "9家")]
    assert pipeline.ask("杭州呢", history=history).short == "超过25家"  # not "25家"
    earliest = [Turn("user", "宁波单项冠军最早的时候有多少家"), Turn("assistant", "51家")]
    assert pipeline.ask("现在呢", history=earliest).short == "119家"  # had answered 51家 again
    profit = [Turn("user", "江丰电子2025年前三季度净利润多少"), Turn("assistant", "4.01亿元")]
    assert pipeline.ask("同比增长多少", history=profit).short == "39.72%"  # had been refused


def test_a_month_in_a_figure_question_is_a_time_not_a_figure_given(pipeline):
    # the 9 of 9月末 had sent a figure question past the figures table, and it was refused
    asked = "宁波出台科技金融政策、推行贷款贴息后，到2025年9月末科技型小微企业贷款余额达到多少？"
    assert pipeline.ask(asked).short == "3811.42亿元"


def test_a_company_described_as_a_leader_in_the_passage_own_words_is_named(pipeline):
    # "…的国内半导体龙头企业江丰电子便是典型" words the description, then names the one company
    assert pipeline.ask("2017年登陆创业板的那家宁波半导体龙头，2024年营业收入达到多少？").short == "36.05亿元"


def test_a_purpose_clause_qualifies_no_kind_of_company(pipeline):
    # "为了给“小巨人”等重点企业腾地方" says why; 重点 there is no 重点小巨人 the answer must name
    asked = "镇海为了给“小巨人”等重点企业腾地方，目前保障了多少个项目、多少亩工业用地？"
    answer = pipeline.ask(asked)
    assert "34个项目" in answer.text and "3533亩" in answer.text


def test_when_a_company_was_founded_is_the_sentence_saying_so_of_it(pipeline):
    # "2020年…合作成立了…联合实验室" also says 成立 and a year, of a laboratory
    assert pipeline.ask("天生密封那个厂子是哪年办起来的？好像是九几年？").short == "1998年12月"
    assert pipeline.ask("江丰那家公司是哪年搞起来的？我印象里是零几年，具体记不清了。").short == "2005年"


def test_the_first_time_and_this_time_are_no_figures_or_names_to_match(pipeline):
    assert pipeline.ask("均胜电子第一次全资拿下德国汽车电子企业是在哪一年？").short == "2011年"
    assert pipeline.ask("旭升这回往墨西哥派了多少人过去？").short == "25名"


def test_a_share_the_asker_states_to_say_which_part_is_not_what_is_measured(pipeline):
    # "GDP里差不多占了一半的那块": GDP is the whole, 差不多 is "about", not a difference asked
    asked = "宁波GDP里差不多占了一半的那块——工业，2021年的增加值总量是多少？"
    assert pipeline.ask(asked).short == "6997.2亿元"


def test_each_part_of_a_two_part_question_gets_its_sentence(pipeline):
    # the rank of a share asks a rank, and a part with no words of its own (那是哪年收的) takes
    # the best sentence of the kind it asks
    for asked in ("均胜电子收购日本高田资产是哪一年？收购完以后它在全球市场份额排第几？",
                  "均胜把日本高田的资产收了以后，全球市场份额排第几？那是哪年收的？"):
        text = pipeline.ask(asked).text
        assert "2018年" in text and "第二位" in text


def test_a_place_asked_only_beside_another_is_a_refusal_when_the_documents_lack_it(pipeline):
    # 杭州 is asked; 宁波 is only for comparison: no 简答 of 宁波's figure, and the answer says so
    beside = pipeline.ask("杭州国家级单冠有多少家？想跟宁波对比一下")
    assert beside.refused and beside.short == "" and "杭州" in beside.text
    both = pipeline.ask("杭州和宁波国家级单冠各有多少家？")  # both asked: one side answered
    assert not both.refused and "119家" in both.short
