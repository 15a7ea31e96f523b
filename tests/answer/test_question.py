"""Question analysis and rule-based follow-up rewriting."""

from __future__ import annotations

import pytest

from rag.answer.followup import is_followup, rewrite
from rag.answer.question import analyse, document_wording, given_numbers, in_digits, ordinals
from rag.profile import Profile
from rag.schema import Turn


def test_kinds_units_and_parts():
    q = analyse("宁波德鹰精密机械的主打产品是什么？在全球占多大比例？")
    assert len(q.parts) == 2 and "percent" in q.parts[1].kinds
    q = analyse("旭升集团派往墨西哥的技术骨干有多少人？")
    assert q.parts[0].unit == "人" and "count" in q.kinds
    assert analyse("天生密封件公司创建于哪一年？").kinds == ("year",)
    assert analyse("2021年宁波工业增加值排第几？").numbers == ("2021",)
    profile = Profile(places=("苏州", "宁波"), main_city="宁波")
    assert analyse("苏州和宁波各有多少家？", profile).places == ("苏州", "宁波")
    assert analyse("苏州和宁波各有多少家？", profile).shape == "compare"
    assert analyse("苏州和宁波小巨人各多少", profile).shape == "compare"  # no 有, no unit


@pytest.mark.parametrize("text,time,unit,kind", [
    ("宁波现在有多少家单项冠军？", "latest", "家", ""),
    ("截至目前累计培育了几家？", "latest", "家", ""),
    ("到2025年计划培育多少家？", "target", "家", ""),
    ("这几年小巨人数量有什么变化？", "trend", "#count", ""),
    ("2021年工业增加值是多少？", "year", "元", ""),
    ("出口额同比增长多少？", "", "%", "growth"),
    ("占全省的比重是多少？", "", "%", "share"),
    ("在全国排第几？", "", "位", "rank"),
    ("去年新增了几家？", "", "家", "change"),
    ("镇海市级专精特新多少家", "", "家", ""),  # the 新 of 专精特新 asks nothing new
    ("第九批甲市有多少企业入围", "", "#count", "change"),  # that batch's entrants
    ("第九批名单公布后甲市一共有多少家单项冠军", "latest", "家", ""),  # the total after it
    ("工业增加值占GDP多少", "", "%", "share"),
    ("甲市小巨人最新多少家了", "latest", "家", ""),  # 最新 asks the latest total, not what is new
    ("最早那会儿甲市单项冠军才几家？", "earliest", "家", ""),
    ("甲市的小巨人一开始有多少家", "earliest", "家", ""),
    ("派去的人平均几岁？", "", "岁", ""),
    ("最早甲市单项冠军才几家（即论文里说稳居全国第一那时候）？", "earliest", "家", ""),  # the aside asks no rank
    ("评上了市里给多少万", "", "元", ""),  # 多少万 / 几个亿 with no unit: money
    ("这个项目投了几个亿", "", "元", ""),
    ("企业评上单项冠军市里给一笔钱，是多少", "", "元", ""),  # 一笔钱, 奖金: money asked
    ("评上的奖金有多少", "", "元", ""),
    ("招了多少万人", "", "人", ""),
    ("单项冠军这块，甲市给自己定的2025年要冲到几家？", "target", "家", ""),
    ("甲市小巨人数量几篇文章说法不一样，各是什么时候的数据", "trend", "#count", ""),  # when each figure was: the series
])
def test_time_intent_unit_and_measure_kind(text, time, unit, kind):
    q = analyse(text)
    assert (q.time, q.unit, q.measure_kind) == (time, unit, kind)


def test_follow_up_detection():
    assert is_followup("那苏州呢？") and is_followup("它是哪一年成立的？")
    assert not is_followup("宁波有多少家国家级单项冠军企业？")


def test_rewrites(corpus_terms):
    h = [Turn("user", "宁波有多少家小巨人企业？"), Turn("assistant", "283家。")]
    assert rewrite("那苏州呢？", h) == "苏州有多少家小巨人企业？"
    h = [Turn("user", "哪家宁波企业是技术联盟型追赶模式的代表？"),
         Turn("assistant", "宁波天生密封件有限公司。")]
    assert rewrite("它是哪一年成立的？", h) == "天生密封件是哪一年成立的？"
    h = [Turn("user", "2021年宁波工业增加值是多少？"), Turn("assistant", "6997.2亿元。")]
    assert rewrite("占GDP的比重呢？", h) == "2021年宁波工业增加值占GDP的比重呢？"  # the share of that figure
    assert rewrite("宁波有多少家单项冠军？", []) == "宁波有多少家单项冠军？"
    h = [Turn("user", "哪家宁波企业牵头定了轨道交通的国际标准？"), Turn("assistant", "宁波天生密封件有限公司。")]
    vague = rewrite("它从哪年开始弄的？", h)  # 弄的 does not say what was done: the previous question does
    assert vague == "天生密封件的轨道交通国际标准从哪年开始弄的？"


def test_follow_up_swaps_the_measure_and_the_place():
    profile = Profile(places=("苏州", "宁波"), main_city="宁波")
    history = [Turn("user", "按2021年的数据，宁波国家级小巨人企业的营业收入是多少？"), Turn("assistant", "653亿元。")]
    assert rewrite("那出口额呢？", history, profile) == "按2021年的数据，宁波国家级小巨人企业的出口额是多少？"
    history = [Turn("user", "苏州太湖智库的专报里说宁波有多少家小巨人企业？"), Turn("assistant", "283家。")]
    assert rewrite("那苏州呢？", history, profile) == "苏州太湖智库的专报里说苏州有多少家小巨人企业？"


def test_another_thing_asked_with_you_is_the_same_question_of_it():
    # "小巨人又有几家" after a question scoped to one industry is that question of 小巨人
    profile = Profile(places=("甲市", "乙市"), main_city="甲市", terms=(("单项冠军", "nz"), ("小巨人", "nz")))
    history = [Turn("user", "甲市新能源汽车产业里一共集聚了多少家单项冠军？"), Turn("assistant", "22家")]
    assert is_followup("小巨人又有几家？", profile)
    assert rewrite("小巨人又有几家？", history, profile) == "甲市新能源汽车产业里一共集聚了多少家小巨人？"
    assert rewrite("那乙市又有多少家？", history, profile) == "乙市新能源汽车产业里一共集聚了多少家单项冠军？"
    # a whole question with its own subject and measure leans on nothing
    assert rewrite("乙市又有多少家小巨人？", history, profile) == "乙市又有多少家小巨人？"


def test_follow_up_with_its_own_question_or_a_whole_noun_phrase():
    from rag.tokenize import add_terms

    # the corpus term, as loading the corpus profile teaches it (alone this test had relied on
    # an earlier test's profile having taught it)
    profile = Profile(places=("甲市", "丙区"), districts=("丙区",), main_city="甲市",
                      terms=(("专精特新中小企业", "nz"),))
    add_terms(profile.terms)
    history = [Turn("user", "甲市现在有多少家国家级单项冠军？"), Turn("assistant", "119家。")]
    # its own question word: the previous subject goes before it (现在 is no subject)
    assert rewrite("最新这一批新增了几家？", history, profile) == "甲市国家级单项冠军最新这一批新增了几家？"
    history = [Turn("user", "丙区有多少家国家级专精特新小巨人企业？"), Turn("assistant", "43家。")]
    assert rewrite("市级的专精特新中小企业呢？", history, profile) == "丙区有多少家市级的专精特新中小企业？"
    # the fragment is the whole subject, its qualifier (市级的) kept, asked in the previous unit
    assert rewrite("那市级的专精特新中小企业呢，有几家？", history, profile) == "丙区市级的专精特新中小企业有几家？"


def test_follow_up_naming_two_measures_asks_each_of_the_same_subject():
    profile = Profile(places=("甲市",), main_city="甲市")
    history = [Turn("user", "甲市国家级小巨人2021年营收多少来着？"), Turn("assistant", "653亿元。")]
    assert rewrite("那利润总额和出口额呢？", history, profile) == "甲市国家级小巨人2021年利润总额和出口额分别多少来着？"
    history = [Turn("user", "甲乙科技营收多少"), Turn("assistant", "…")]  # nothing before the measure: no subject
    assert "甲乙科技" in rewrite("那利润和出口呢？", history, profile)


def test_follow_up_naming_a_term_swaps_the_term_of_its_kind():
    profile = Profile(places=("甲市",), main_city="甲市",
                      terms=(("单项冠军", "n"), ("小巨人", "n"), ("甲乙电子", "nt"), ("丙丁科技", "nt")))
    history = [Turn("user", "甲市对成功创建国家级单项冠军的企业给多少补贴？"), Turn("assistant", "300万元。")]
    # the term, not the question's last noun (企业), is what the follow-up replaces
    assert rewrite("那小巨人呢？", history, profile) == "甲市对成功创建国家级小巨人的企业给多少补贴？"
    history = [Turn("user", "甲乙电子的营业收入是多少？"), Turn("assistant", "36亿元。")]
    assert rewrite("那丙丁科技呢？", history, profile) == "丙丁科技的营业收入是多少？"


def test_a_follow_up_of_a_follow_up_leans_on_the_whole_conversation(corpus_terms):
    profile = Profile(places=("甲市", "乙市"), main_city="甲市",
                      terms=(("单项冠军", "n"), ("小巨人", "n"), ("天生密封件", "nt")))
    history = [Turn("user", "甲市现在有多少家单项冠军？"), Turn("assistant", "119家。"),
               Turn("user", "那小巨人呢？"), Turn("assistant", "418家。")]
    assert rewrite("乙市呢？", history, profile) == "乙市现在有多少家小巨人？"
    history = [Turn("user", "天生密封件哪年成立的？"), Turn("assistant", "1998年。"),
               Turn("user", "它营收多少？"), Turn("assistant", "36亿元。")]
    # the company's name is whose figure it is, not the measure the follow-up replaces
    assert rewrite("净利润呢？", history, profile) == "天生密封件净利润多少？"


@pytest.mark.parametrize("text,present,absent", [
    # asking phrases say how, not what: no key word of their own, none glued to the next word
    ("该市组织了多少场线上的国际展会？", {"线上", "展会"}, {"场线", "多少"}),
    ("这家公司是从什么时候起做这件事的？", set(), {"时候", "这件"}),
    # a spelled-out round amount matches the magnitude written beside digits
    ("该市哪一年GDP迈过一万亿元大关？", {"万亿", "大关"}, {"一万亿元", "万亿元"}),
    # a time suffix jieba leaves on a word it does not know
    ("甲乙电子收购丙丁时，哪部分业务没有收购？", {"业务"}, {"部分"}),
    # who says it is not what is said; 发力 is 侧重 (synonyms), 落地 is 应用 (colloquial)
    ("甲市人工智能为啥在应用上发力，专家是怎么说的？", {"人工智能", "发力"}, {"专家"}),
])
def test_key_words_leave_out_how_the_question_asks(text, present, absent):
    kw = set(analyse(text).key_words)
    assert present <= kw and not (absent & kw)


def test_a_year_question_naming_a_size_asks_for_the_year():
    assert analyse("该市哪一年经济规模上了万亿？").kinds == ("year",)
    assert "count" in analyse("该市2020年经济规模有多少亿元？").kinds


def test_count_units_of_one_class_and_the_head_noun_counted():
    part = analyse("那些企业一共办了多少家市级以上的研发平台？").parts[0]
    assert part.unit == "家" and part.counted == "平台"


def test_spelled_out_counts_from_ten_are_digits_and_why_is_no_key_word():
    kw = analyse("有多少企业在同一行业干了十年以上？为什么？").key_words
    assert "10年" in kw and "为什么" not in kw
    assert "两家" in analyse("宁波有哪两家企业上榜？").key_words  # a concrete count is kept
    assert analyse("发明专利占全市的几成？").kinds == ("percent",)


def test_a_why_question_naming_a_share_asks_for_the_reason():
    assert analyse("为什么该市的潜在独角兽在小巨人里占比还很小？").shape == "reason"
    assert analyse("为什么该市小巨人占比是多少？").shape != "reason"  # it still asks a figure


def test_money_asked_is_an_amount_not_a_count_of_what_it_is_spent_on():
    part = analyse("该市政府一年拿出多少钱帮扶企业？").parts[0]
    assert part.counted is None
    assert analyse("该市组织了多少企业出海参展？").parts[0].counted == "企业"


@pytest.mark.parametrize("text,absent", [
    ("一家企业要够得上独角兽，得满足什么条件？", {"一家", "够得上"}),
    ("那款无人机多少钱一台？", {"那款", "一台"}),
])
def test_determiners_and_how_it_is_asked_are_no_key_words(text, absent):
    assert not (absent & set(analyse(text).key_words))


def test_a_share_word_describing_what_is_counted_is_part_of_the_measure():
    q = analyse("该市市场占有率全国第一的企业有多少家？")
    assert q.unit == "家" and q.measure_kind == "" and "percent" not in q.kinds
    assert "全国第一" in q.measure_words  # one word: 全国第一 is not 全球第一
    assert any("占有率" in w for w in q.measure_words)
    share = analyse("该市小巨人企业占全省的比例是多少？")
    assert share.measure_kind == "share" and share.unit == "%"


def test_a_leading_scope_is_context_not_the_measure():
    q = analyse("2022年该市规上工业中，国有控股企业的增加值增长多少？")
    assert "规上" in q.frame_words and "增加值" not in q.frame_words
    assert analyse("该市规上工业增加值增长多少？").frame_words == ()


def test_these_few_years_is_no_count_asked():
    assert analyse("某公司这几年营收增长这么快，背后原因是什么？").shape == "reason"
    assert analyse("为什么某公司十几年前就开始出口？").shape == "reason"
    assert analyse("为什么该市的小巨人有几家？").shape != "reason"  # 几家 still asks a figure


def test_people_sent_somewhere_are_counted_not_the_place():
    assert analyse("某集团派了多少人去墨西哥建厂？").parts[0].counted is None
    assert analyse("该市有多少家企业去海外建厂？").parts[0].counted == "企业"


def test_this_figure_stands_for_the_figure_asked_before():
    profile = Profile(places=("甲市",), main_city="甲市")
    history = [Turn("user", "甲市高新技术企业总量有多少家？"), Turn("assistant", "8855家。")]
    assert is_followup("这个数近几年的增速怎么样？")
    assert rewrite("这个数近几年的增速怎么样？", history, profile) == "甲市高新技术企业总量近几年的增速怎么样？"


def test_how_a_trend_is_asked_is_no_key_word():
    kw = analyse("某公司上市以来营收是怎么变化的？").key_words
    assert "营收" in kw and not {"变化", "以来"} & set(kw)


def test_a_reward_standard_asks_the_amount():
    kw = analyse("对新评上的小巨人企业奖励标准是多少？").key_words
    assert "奖励" in kw and "标准" not in kw
    assert "国际标准" in analyse("该公司参与制定了哪些国际标准？").key_words


def test_how_a_document_is_referred_to_is_no_key_word():
    kw = analyse("那篇讲技术追赶的论文总结了哪些启示？").key_words
    assert {"技术追赶", "启示"} <= set(kw) and not {"那篇", "论文", "总结"} & set(kw)


def test_everyday_wording_is_read_as_the_documents_word_it():
    from rag.answer.question import plain_wording

    assert plain_wording("宁波为啥能冒出这么多冠军？靠的是啥？") == "宁波为什么能冒出这么多冠军？靠的是什么？"
    assert plain_wording("这家公司哪年上的市？排老几？") == "这家公司哪年上市？排第几？"
    assert plain_wording("自己闷头搞研发那种模式，拿哪家当例子的？") == "自主研发那种模式，拿哪家为例的？"
    q = analyse("该市对冠军企业一次性补多少钱？")
    assert "补贴" in q.key_words and "补贴" in q.measure_words  # 补 on its own stands for 补贴
    assert "补贴" in analyse("对小巨人补贴多少？").key_words  # a word that has 补 in it is left alone


def test_newly_appeared_asks_a_change_not_a_total():
    assert analyse("该市2023年新冒出来几家单项冠军？").measure_kind == "change"


@pytest.mark.parametrize("text", ["截至最新一批名单，甲市国家级单项冠军企业累计有多少家？",
                                  "根据目前掌握的最新数据，甲市国家级单项冠军企业有多少家？",
                                  "按最新公布的榜单，甲市国家级单项冠军企业有多少家？"])
def test_as_of_remarks_are_no_measure(text):
    q = analyse(text)
    assert q.time == "latest"
    assert not {"截至", "一批", "名单", "根据", "掌握", "数据", "公布", "榜单"} & set(q.measure_words)
    assert "冠军" in "".join(q.measure_words)


@pytest.mark.parametrize("text", ["2024年年末那会儿，甲市单项冠军一共有多少家？", "2024年底甲市单项冠军有多少家？",
                                  "2024年年初那时候甲市单项冠军有几家？"])
def test_the_part_of_a_year_is_a_time_no_measure(text):
    q = analyse(text)
    assert q.years == (2024,)
    assert not {"年末", "年底", "年初", "那会儿", "那会", "那时候"} & set(q.measure_words)
    assert "冠军" in "".join(q.measure_words)


@pytest.mark.parametrize("text", ["咱们甲市单项冠军现在手上到底多少家了？", "我们甲市手里有几家单项冠军"])
def test_the_askers_own_words_are_no_measure(text):
    # 咱们/我们 is the asker, 手上有 how they say "has": no row names them
    q = analyse(text)
    assert not {"咱们", "我们", "手上", "手里"} & set(q.measure_words) and "冠军" in "".join(q.measure_words)


def test_document_wording_for_retrieval():
    assert "奖励" in document_wording("评上国家级单项冠军市里奖多少钱")
    assert "奖励" in document_wording("一家厂子评上小巨人，市里能奖多少钱？")  # 能奖 glued: 能 + 奖
    assert "企业" in document_wording("一家厂子评上小巨人")
    assert "为什么" in document_wording("为啥冒出这么多冠军")


def test_how_a_figure_got_here_is_a_trend_not_its_measure():
    q = analyse("甲市单项冠军的数量这几年是怎么一路变过来的？")
    assert q.time == "trend" and q.shape == "figure"
    assert not {"一路", "变过来", "过来"} & set(q.measure_words)


def test_an_aside_saying_what_is_not_meant_is_dropped():
    q = analyse("甲区的小巨人一共有多少家（不光是重点那种）")
    assert "重点" not in q.text and q.shape == "figure"
    assert "2023年" in analyse("甲区的小巨人有多少家（按2023年）").text  # other asides stay


def test_a_few_more_asks_no_number():
    q = analyse("甲市想多孵几个独角兽出来，专家给了什么建议")
    assert "count" not in q.kinds and q.shape == "list"
    assert not {"专家", "多孵", "几个"} & set(q.key_words)  # who advises is no content of the advice


def test_whose_suggestions_are_asked_is_no_content():
    q = analyse("甲市想多出几家独角兽，专家都出了些啥主意？")
    assert q.shape == "list" and "建议" in q.key_words  # 主意 = 建议
    assert not {"专家", "出些", "多出"} & set(q.key_words)
    assert "专家" in analyse("甲市引进了多少位专家？").key_words  # experts counted are content


def test_what_it_relied_on_asks_a_reason():
    assert analyse("甲市小巨人冒出来这么多，主要靠的是什么").shape == "reason"


def test_list_asking_words_are_no_content():
    q = analyse("甲市培育小巨人的体系，具体包括哪几块做法？")
    assert not {"具体", "包括"} & set(q.key_words)
    assert {"培育", "体系"} <= set(q.key_words)


def test_where_it_stands_asks_a_rank():
    q = analyse("要是把各个城市的小巨人家数排个榜，甲市最新排在什么位置")
    assert q.kinds == ("rank",) and q.shape == "figure" and q.measure_kind == "rank"
    assert not {"要是", "各个", "家数", "排个", "位置"} & set(q.measure_words)


def test_bought_outright_is_a_full_acquisition():
    q = analyse("甲公司把德国一家公司百分之百买下来，是什么时候")
    assert q.kinds == ("year",)  # 百分之百 asks no percentage
    assert {"全资", "收购"} <= set(q.key_words)


def test_everyday_words_for_a_flagship_product_ranked_first():
    q = analyse("甲市有多少家企业的拳头产品在全世界同类里份额排头一名")
    assert {"主导产品", "全球", "第一"} <= set(q.measure_words) and "同类" not in q.measure_words


def test_how_many_countries_together_counts_countries():
    assert analyse("跟多少个国家一起定的？").parts[0].counted != "一起"  # an adverb is never what is counted


def test_a_whole_named_before_how_many_is_its_scope():
    q = analyse("甲市上市公司里有多少家是国家级单项冠军？")
    assert "上市公司" in q.frame_words and "上市公司" not in [w for w in q.measure_words if w not in q.frame_words]


def test_a_share_asked_with_duoshao_is_a_percentage():
    assert analyse("工业增加值占GDP多少").kinds == ("percent",)
    assert analyse("市场占有率第一的企业有多少家").kinds == ("count",)  # companies counted


def test_titles_held_count_their_holders():
    q = analyse("甲市手里握着多少块国家级单项冠军的牌子？")
    assert q.parts[0].counted != "称号" and q.shape == "figure"
    assert not {"称号", "牌子", "拥有", "手里", "握着"} & set(q.measure_words)


def test_a_remark_on_the_sources_is_no_question_of_its_own():
    q = analyse("该市到底有多少家小巨人？几份材料说的数不一样")
    assert len(q.parts) == 1 and q.shape == "figure"
    assert not {"材料", "到底"} & set(q.measure_words)


def test_this_figure_keeps_everything_the_previous_question_asked_about():
    profile = Profile(places=("甲市",), main_city="甲市")
    history = [Turn("user", "甲市的小巨人2021年营业额一共多少？"), Turn("assistant", "653亿元。")]
    assert rewrite("这个数比上年涨了多少？", history, profile) == "甲市的小巨人2021年营业额比上年涨了多少？"


def test_everyday_words_for_revenue_targets_and_graduates_are_synonyms():
    from rag.tokenize import synonyms

    assert "营业收入" in synonyms()["营业额"] and "目标" in synonyms()["指标"]
    assert "高校毕业生" in synonyms()["大学毕业生"]
    assert analyse("该市的单项冠军这些年是怎么一步步涨上来的？").time == "trend"


def test_a_request_for_detail_and_those_few_years_ask_nothing_of_their_own():
    q = analyse("某公司上市以后那几年收入变化多大？给个具体数")
    assert len(q.parts) == 1 and q.parts[0].unit is None and q.time == "trend"
    assert not {"上市", "以后"} & set(q.measure_words)


def test_how_a_figure_grew_over_the_years_is_its_series_not_a_reason():
    q = analyse("该市的单项冠军这些年是怎么一步步涨上来的？")
    assert q.shape == "figure" and q.time == "trend" and "上来" not in q.measure_words
    assert analyse("该市是怎么培育单项冠军的？").shape == "reason"  # how, with no growth: a method


def test_what_is_counted_stops_at_the_verb_that_follows_it():
    assert analyse("这几年有多少大学毕业生跑到该市去工作了？").parts[0].counted == "大学毕业生"
    assert analyse("那些企业一共办了多少家市级以上的研发平台？").parts[0].counted == "平台"


def test_the_whole_a_share_is_taken_of_is_not_the_place_swapped():
    profile = Profile(places=("甲市", "乙市", "丙省", "丁省"), main_city="甲市")
    history = [Turn("user", "甲市的小巨人企业占丙省全省的比例是多少？")]
    assert rewrite("那乙市呢？", history, profile) == "乙市的小巨人企业占丙省全省的比例是多少？"


def test_a_leading_source_is_no_scope_and_then_is_no_key_word():
    q = analyse("甲学院那篇单项冠军追赶模式的论文里，当时甲市的单项冠军企业数量是多少家？")
    # what is counted, after the source, is measured; the source's topic is not (whether or
    # not the domain terms are in the tokenizer yet)
    assert q.frame_words == () and any("冠军" in w for w in q.measure_words)
    assert not any("追赶" in w or "模式" in w for w in q.measure_words)
    assert "当时" not in q.words and "那组" not in analyse("那组评论里当时有多少家？").words


def test_the_rank_of_a_share_asks_a_rank():
    q = analyse("甲乙电子收购丙丁之后，全球市场份额排到第几？")
    assert q.measure_kind == "rank" and q.unit == "位"
    assert analyse("甲乙电子的全球市场份额是多少？").measure_kind == "share"


def test_asking_every_sources_figure_asks_the_figure():
    q = analyse("甲市国家级单项冠军的数量，几份材料里分别是多少？")
    assert "分别" not in q.text and "材料" not in q.words and q.shape == "figure"
    assert "材料" not in analyse("甲市单项冠军有多少家？几份材料说的数不一样").text  # a remark asks nothing


def test_a_year_said_by_two_digits_after_a_preposition_is_that_year():
    assert analyse("冠军企业到25年要搞到多少家？").years == (2025,)
    assert analyse("深耕超过10年的企业有多少家？").years == ()
    q = analyse("甲市单项冠军有几家（即论文里说稳居全国第一那时候）？")
    assert "全国第一" not in q.measure_words and "rank" not in q.kinds  # an aside says which figure


@pytest.mark.parametrize("text,year", [
    ("甲市小巨人到二〇二五年的目标是多少家", 2025),
    ("甲市二零二一年工业增加值多少", 2021),
    ("甲市25年前三季度GDP多少", 2025),
    ("按甲市的规划，到二五年底冠军企业要做到多少家", 2025),  # two Chinese digits after 到
    ("二一年甲市工业增加值多少", 2021),
])
def test_years_in_chinese_digits_or_two_digits_before_a_part_of_the_year(text, year):
    assert analyse(text).years == (year,)


def test_years_ago_is_no_year():
    assert analyse("25年前甲市有几家？").years == ()


def test_listing_the_figures_and_who_has_more_are_no_measure():
    q = analyse("甲市小巨人企业数量这几年是怎么涨上来的，几个数都列一下")
    assert q.time == "trend" and q.unit == "#count"  # not 个, counted by 几个数
    assert not any("列" in w or "数都" in w for w in q.measure_words)
    profile = Profile(places=("甲市", "乙市"), main_city="甲市")
    q = analyse("甲市和乙市的国家级小巨人谁多？各多少家", profile)
    assert q.shape == "compare" and "谁多" not in q.measure_words


FOLLOW = Profile(places=("甲市", "乙市"), main_city="甲市",
                 terms=(("单项冠军", "n"), ("小巨人", "n"), ("潜在独角兽", "n"), ("独角兽", "n"),
                        ("天生密封件", "nt")))


def _after(first: str, question: str) -> str:
    return rewrite(question, [Turn("user", first), Turn("assistant", "……")], FOLLOW)


def test_a_follow_up_asking_a_rank_is_asked_of_what_came_before(corpus_terms):
    assert _after("甲市单项冠军有多少家？", "全国排第几") == "甲市单项冠军全国排第几"


def test_a_follow_up_asking_a_figure_of_a_company_keeps_the_company(corpus_terms):
    assert _after("天生密封件是哪种追赶模式？", "全球份额多少") == "天生密封件全球份额多少"


def test_a_figure_asked_of_nothing_named_is_a_follow_up(corpus_terms):
    assert is_followup("占全省比重多少", FOLLOW) and not is_followup("占全省比重多少")
    assert _after("乙市小巨人多少家？", "占全省比重多少") == "乙市小巨人占全省比重多少"
    assert not is_followup("有哪些政策支持企业发展", FOLLOW)  # a general list question stands alone


def test_a_shorter_term_replaces_the_longer_one_it_is_part_of(corpus_terms):
    assert _after("甲市潜在独角兽有几家？", "独角兽呢") == "甲市独角兽有几家？"


def test_a_verb_is_never_swapped_in_for_a_measure(corpus_terms):
    # 上市 (tagged a place by jieba) is a condition added to the question, not its measure
    assert _after("甲市对小巨人奖励多少？", "上市以后呢") == "甲市对小巨人奖励多少？ 上市以后呢"


def test_a_follow_up_swaps_the_measure_not_whose_figure_it_is(corpus_terms):
    first = "甲市小巨人营业收入多少？"
    assert _after(first, "利润呢") == "甲市小巨人利润多少？"
    assert _after(first, "同比增长多少") == "甲市小巨人营业收入同比增长多少"


def test_qizhong_is_no_pronoun(corpus_terms):
    # 其中乙市呢: a part of what was asked, not "it"
    history = [Turn("user", "甲市小巨人多少家？"), Turn("assistant", "天生密封件所在的甲市有418家。")]
    assert rewrite("其中乙市呢", history, FOLLOW) == "乙市小巨人多少家？"


def test_this_figure_is_what_was_counted(corpus_terms):
    assert _after("甲市有多少家单项冠军？", "这个数全国排第几") == "甲市单项冠军全国排第几"


def test_a_follow_up_asking_another_time_asks_the_same_figure_then(corpus_terms):
    first = "甲市有多少家单项冠军？"
    assert _after(first, "目标呢") == "甲市有多少家单项冠军？ 目标呢"  # not "有多少家目标"
    history = [Turn("user", first), Turn("assistant", "119家。"), Turn("user", "最早的时候呢"), Turn("assistant", "51家。")]
    assert rewrite("目标呢", history, FOLLOW) == "甲市有多少家单项冠军？ 目标呢"


def test_compared_with_another_place_asks_both(corpus_terms):
    assert _after("甲市有多少家单项冠军？", "和乙市比呢") == "甲市和乙市分别有多少家单项冠军？"
    assert _after("甲市小巨人多少家？", "跟乙市相比怎么样") == "甲市和乙市小巨人分别多少家？"
    assert analyse("甲市和乙市小巨人分别多少家？", FOLLOW).shape == "compare"


def test_figures_the_asker_quotes_are_a_remark_not_what_is_asked():
    q = analyse("甲市单项冠军到底多少家？材料里有说51家的、83家的，还有119家的，咋回事？", FOLLOW)
    assert q.shape == "figure" and q.numbers == () and len(q.parts) == 1
    q = analyse("甲市小巨人全国排第几？有的材料说第三，有的说第四", FOLLOW)
    assert len(q.parts) == 1 and q.measure_kind == "rank"


def test_two_figures_to_choose_from_ask_which_figure_it_is():
    q = analyse("到2025年甲市小巨人的目标到底是200家还是600家？两个说法都见过", FOLLOW)
    assert q.time == "target" and q.shape == "figure" and "200" not in q.numbers


def test_a_request_to_lay_out_the_figures_asks_nothing_more():
    q = analyse("甲市小巨人这几年是咋涨上来的？按材料里的数给我捋一捋", FOLLOW)
    assert q.shape == "figure" and q.time == "trend" and len(q.parts) == 1


def test_a_remark_on_the_sources_without_figures_keeps_what_it_names(corpus_terms):
    q = analyse("天生密封件在各篇材料里是咋说的？全球占多少？", FOLLOW)
    assert "天生密封件" in q.text  # not dropped as a remark on quoted figures


@pytest.mark.parametrize("text", ["评上国家级单项冠军市里奖多少钱", "评上国家级单项冠军咱们市奖多少钱",
                                  "评上国家级单项冠军我们市里面奖多少钱"])
def test_the_askers_word_for_the_government_is_no_measure(text):  # type: ignore[no-untyped-def]
    q = analyse(text)
    assert not any(w.startswith(("市", "咱", "我们")) for w in q.measure_words), q.measure_words
    assert "冠军" in "".join(q.measure_words) and "奖励" in q.measure_words


def test_a_kind_of_company_with_nothing_measured_of_it_asks_how_many():  # type: ignore[no-untyped-def]
    profile = Profile(places=("甲市",), main_city="甲市", terms=(("小巨人", "n"), ("单项冠军", "n")))
    q = analyse("甲市小巨人最新数字是多少？", profile)
    assert q.unit == "#count" and q.measure_words == ("小巨人",)  # 数字 is the figure asked, not a measure
    assert analyse("甲市小巨人营收是多少？", profile).unit == "元"  # something measured of them
    assert analyse("甲市国家级小巨人最新数据是多少", profile).unit == "#count"


@pytest.mark.parametrize("text, time, unit", [
    ("甲市小巨人182、283、418，到底哪个是最新的", "latest", "#count"),
    ("看到一份说甲市到2025年要培育200家小巨人，另一份说600家，到底以哪个为准？", "target", "家"),
])
def test_figures_the_asker_quotes_to_ask_which_holds_are_no_numbers_asked_about(text, time, unit, corpus_terms):  # type: ignore[no-untyped-def]
    q = analyse(text, Profile(places=("甲市",), main_city="甲市", terms=(("小巨人", "n"),)))
    assert q.numbers == tuple(str(y) for y in q.years) and q.shape == "figure"
    assert q.time == time and q.unit == unit and q.measure_words == ("小巨人",), q


def test_a_remark_quoting_figures_side_by_side_asks_nothing_more():  # type: ignore[no-untyped-def]
    q = analyse("甲市单项冠军数量这几年怎么变的？看到51家、83家、119家好几个说法")
    assert q.time == "trend" and not q.numbers and len(q.parts) == 1


def test_a_comma_between_two_asked_figures_makes_two_parts():  # type: ignore[no-untyped-def]
    q = analyse("甲市2025前三季度GDP多少，growth多少？")
    assert [p.text for p in q.parts] == ["甲市2025年前三季度GDP多少", "增速多少"]  # 2025前三季度: a year
    assert len(analyse("截至去年底，甲市有多少家小巨人？").parts) == 1  # the comma before the ask splits nothing
    assert "2024年年底" not in analyse("截至2024年底甲市有多少家").text


def test_what_the_asker_recalls_after_the_question_asks_nothing():  # type: ignore[no-untyped-def]
    profile = Profile(places=("甲市", "乙市"), main_city="甲市")
    q = analyse("乙市那边国家级小巨人数量是多少啊，我记得比甲市少", profile)
    assert q.places == ("乙市",) and q.shape == "figure"
    assert not {"那边", "记得"} & set(q.measure_words)
    assert analyse("我记得甲市小巨人是200家，现在是多少？", profile).places == ("甲市",)  # before the ask: kept


def test_a_follow_up_fragment_with_further_questions_is_made_whole_first():  # type: ignore[no-untyped-def]
    profile = Profile(places=("甲市", "乙市"), main_city="甲市")
    history = [Turn("user", "按2021年的数据，甲市国家级小巨人企业的营业收入是多少？"), Turn("assistant", "653亿元。")]
    assert rewrite("那出口额呢？增长多少？", history, profile) == \
        "按2021年的数据，甲市国家级小巨人企业的出口额是多少？增长多少？"  # the measure swapped, not appended
    history = [Turn("user", "甲市有多少家小巨人企业？"), Turn("assistant", "418家。")]
    assert is_followup("乙市呢？比甲市少多少？")
    assert rewrite("乙市呢？比甲市少多少？", history, profile) == "乙市有多少家小巨人企业？比甲市少多少？"


def test_a_follow_up_with_its_own_time_or_no_unit_keeps_what_fits():  # type: ignore[no-untyped-def]
    profile = Profile(places=("甲市",), main_city="甲市", terms=(("单项冠军", "n"),))
    history = [Turn("user", "甲市单项冠军目标是多少家？"), Turn("assistant", "130家。")]
    assert "目标" not in rewrite("现在完成了多少？", history, profile)  # its own time: no longer the target
    history = [Turn("user", "甲市现在有多少家单项冠军？"), Turn("assistant", "119家。")]
    assert rewrite("比前年多了多少？", history, profile).endswith("多了多少家？")  # still a count of 家
    history = [Turn("user", "甲市外贸进出口额是多少？"), Turn("assistant", "11926.1亿元。")]
    assert rewrite("出口呢？", history, profile) == "甲市出口是多少？"  # a part of the measure is another one


def test_how_far_from_the_target_asks_todays_figure():  # type: ignore[no-untyped-def]
    assert analyse("甲市单项冠军离目标还差几家").time == "latest"
    assert analyse("甲市单项冠军的目标是多少家").time == "target"


def test_how_much_more_after_two_places_asked_compares_them(corpus_terms):
    history = [Turn("user", "乙市小巨人有多少家？"), Turn("assistant", "172家。"),
               Turn("user", "甲市呢"), Turn("assistant", "418家。")]
    for ask in ("差多少", "两者相差多少家？", "谁多"):
        rewritten = rewrite(ask, history, FOLLOW)
        assert rewritten == "甲市和乙市小巨人分别有多少家？相差多少？", (ask, rewritten)
        assert analyse(rewritten, FOLLOW).shape == "compare"
    one_place = [Turn("user", "甲市小巨人的目标是多少家？"), Turn("assistant", "600家。")]
    assert "乙市" not in rewrite("差多少", one_place, FOLLOW)  # the gap to the target, as before


def test_more_than_another_place_asks_both_and_the_difference(corpus_terms):
    assert _after("甲市小巨人现在有几家", "比乙市多多少？") == "甲市和乙市小巨人现在分别有几家？相差多少？"
    assert _after("甲市小巨人有几家", "比前年多了多少") != "甲市和前年小巨人分别有几家？相差多少？"


@pytest.mark.parametrize("text", ["甲市2025年单项冠军目标完成了吗？", "甲市小巨人600家的目标实现了没有？",
                                  "甲市单项冠军达标了吗"])
def test_whether_a_target_is_met_is_asked_as_the_gap_to_it(text):  # type: ignore[no-untyped-def]
    q = analyse(text, FOLLOW)
    assert q.shape == "figure" and q.time == "latest" and "离目标还差多少" in q.text
    assert len(q.numbers) <= len(q.years)  # 600家 names the target: no figure to find


def test_another_time_said_relatively_is_no_measure(corpus_terms):
    first = "甲市单项冠军企业数量"
    assert _after(first, "那三年前呢？") == "甲市单项冠军企业数量 三年前呢？"  # not 甲市单项冠军企业三年
    assert _after(first, "前年呢") == "甲市单项冠军企业数量 前年呢"


def test_what_a_named_company_does_is_no_measure(corpus_terms):
    q = analyse("做溅射靶材的天生密封件，2017年到2024年营业额从几个亿涨到多少了？", FOLLOW)
    assert "溅射靶材" not in q.measure_words and "营业额" in q.measure_words
    assert "溅射靶材" in analyse("做溅射靶材的企业营业额多少", FOLLOW).measure_words  # no company named


@pytest.mark.parametrize("text", ["甲市小巨人现在实际有多少，离目标还差多少？",
                                  "甲市小巨人不是定了2025年底要到600家嘛，现在实际有多少，离目标还差多少？"])
def test_the_latest_figure_asked_with_the_gap_to_the_target_is_one_question(text):  # type: ignore[no-untyped-def]
    q = analyse(text, FOLLOW)
    assert len(q.parts) == 1 and q.shape == "figure" and q.time == "latest" and "离目标还差多少" in q.text


def test_everyday_names_for_terms_and_months_are_the_documents_words():
    from rag.answer.question import plain_wording

    assert "单项冠军" in plain_wording("国家级“单打冠军”企业")
    assert "前三季度" in plain_wording("25年1到9月份地区生产总值") and "上半年" in plain_wording("1-6月营收")
    assert "高新技术企业" in plain_wording("高企总数") and "追赶模式" in plain_wording("哪种追赶路子")
    # what was sold abroad is exports, not the whole of what was sold (营业收入)
    sold_abroad = plain_wording("把货卖到国外一共卖了多少钱")
    assert "出口" in sold_abroad and "营业收入" not in sold_abroad
    assert "营业收入" in plain_wording("甲乙科技去年一共卖了多少钱")


def test_still_short_of_the_target_after_a_target_was_asked(corpus_terms):
    history = [Turn("user", "甲市单项冠军2025年底的目标是多少家？"), Turn("assistant", "130家。"),
               Turn("user", "那现在实际有多少？"), Turn("assistant", "119家。")]
    assert rewrite("那现在实际有多少？", history[:2], FOLLOW) == "甲市单项冠军现在实际有多少家？"  # no 2025 target year
    gap = rewrite("还差多少？", history, FOLLOW)
    assert gap == "甲市2025年单项冠军离目标还差多少？"
    q = analyse(gap, FOLLOW)
    assert q.time == "latest" and q.years == (2025,)  # the target's year, today's figure


def test_the_part_of_a_measure_asked_next_replaces_it(corpus_terms):
    first = "甲市跨境电商特殊区域出口，二〇二五年1到10月做了多少？"
    assert _after(first, "那网购保税进口那块呢？") == "甲市的网购保税进口，2025年1到10月做了多少？"


def test_who_said_what_the_question_quotes_asks_a_speaker_not_a_count():
    assert "count" not in analyse("甲市的独角兽企业数量相对较少，是谁说的？", FOLLOW).kinds


def test_what_a_paper_summed_up_is_asked_not_a_word_of_it():
    q = analyse("某学院那篇讲技术追赶的，最后总结了哪几条启示？", FOLLOW)
    assert "总结" not in q.words and "最后" not in q.words and q.shape == "list"


def test_a_warning_about_what_not_to_mix_up_asks_nothing():
    q = analyse("份额做到全球第一的甲市企业数量是多少？别和全国第一的搞混", FOLLOW)
    assert "全国第一" not in q.measure_words and len(q.parts) == 1


def test_a_count_of_companies_is_no_share_but_their_share_of_a_whole_is():
    assert analyse("主导产品份额做到全球第一的甲市企业数量是多少", FOLLOW).unit != "%"
    share = analyse("甲市小巨人企业数量占全省的比重是多少", FOLLOW)
    assert share.measure_kind == "share" and share.unit == "%"


def test_newly_brought_in_asks_the_number_added():
    assert analyse("甲市近五年新引进大学生的规模是多少？", FOLLOW).measure_kind == "change"


def test_from_how_many_to_how_many_is_the_two_years_asked_or_the_series():
    assert analyse("天生密封件2017年到2024年营业额从几个亿涨到多少了？", FOLLOW).time == "year"
    assert analyse("能造整机的甲市企业前后从几家涨到了几家", FOLLOW).time == "trend"


def test_everyday_words_for_holding_and_growing():
    from rag.answer.question import plain_wording

    assert plain_wording("丙区手头国家级小巨人攒了多少家了") == "丙区现有国家级小巨人累计有多少家了"
    assert "主导产品" in plain_wording("主打产品份额做到世界第一") and "全球第一" in plain_wording("世界第一")
    assert "增至" in plain_wording("从几家涨到了几家") and "整机" in plain_wording("能整台造机器人")


def test_a_fragment_then_the_figure_itself_asks_it_of_the_fragment(corpus_terms):
    history = [Turn("user", "甲市有多少家国家级单项冠军？"), Turn("assistant", "119家。"),
               Turn("user", "连续几年全国第一了？"), Turn("assistant", "连续8年。")]
    assert rewrite("那国家级小巨人呢，最新有多少家？", history, FOLLOW) == "甲市国家级小巨人最新有多少家？"


def test_a_share_asked_next_is_asked_of_the_same_subject(corpus_terms):
    assert _after("甲市国家级小巨人是多少家？", "占全省比例呢？") == "甲市国家级小巨人占全省比例呢？"


def test_whether_it_was_done_after_a_target_asks_the_gap(corpus_terms):
    history = [Turn("user", "甲市原来定的目标，到2025年国家级单项冠军要达到多少家？"), Turn("assistant", "130家。")]
    gap = rewrite("完成了吗？现在有多少家？", history, FOLLOW)
    assert gap.endswith("离目标还差多少？") and "单项冠军" in gap and "达到" not in gap


def test_a_remark_that_sources_differ_asks_every_figure_of_one_measure():
    q = analyse("甲市国家级单项冠军数量，几篇材料说法不一样，分别是多少、哪个最新？", FOLLOW)
    assert q.shape == "figure" and "材料" not in q.measure_words and "分别" not in q.text


def test_a_year_said_by_two_digits_at_the_start_is_that_year():
    from rag.answer.question import plain_wording

    assert plain_wording("21年甲市进出口拢共做了多大的盘子").startswith("2021年甲市进出口一共")
    assert plain_wording("10年来甲市变化很大").startswith("10年来")  # a span of years, no year


def test_a_section_named_to_locate_the_figure_is_no_measure():
    q = analyse("讲专精特新引才留才那部分，提到甲市近五年新引进大学生的规模是多少？", FOLLOW)
    assert "引才" not in q.measure_words and "部分" not in q.measure_words and "大学生" in q.measure_words


def test_two_figures_joined_by_a_list_comma_are_two_parts_the_same_one_asked_again_is_not():
    assert len(analyse("到底带了多少家企业、跑了几个国家", FOLLOW).parts) == 2
    assert len(analyse("甲市单项冠军数量，是多少、最新是多少", FOLLOW).parts) == 1


def test_another_time_asked_next_replaces_the_time_asked_before(corpus_terms):
    first = "甲市单项冠军最早的时候有多少家"
    now = _after(first, "现在呢")
    assert "最早" not in now and analyse(now, FOLLOW).time == "latest"
    assert analyse(_after(first, "后来呢"), FOLLOW).time == "trend"


def test_growth_asked_after_a_companys_figure_is_the_growth_of_that_figure(corpus_terms):
    assert _after("天生密封件2025年前三季度净利润多少", "同比增长多少") == "天生密封件2025年前三季度净利润同比增长多少"


def test_how_the_figure_should_be_given_is_no_question_of_its_own():
    q = analyse("甲市现在单项冠军一共多少家了？要最新的数")
    assert [p.text for p in q.parts] == ["甲市现在单项冠军一共多少家了，要最新的数"]
    assert len(analyse("甲市单项冠军有多少家？小巨人有多少家？").parts) == 2  # two figures asked stay two
    assert "三五年内" in analyse("甲市在三五年内要培育多少家").text  # three to five years, no year


def test_a_follow_up_naming_its_own_categories_keeps_only_the_place_and_year():
    profile = Profile(places=("甲市", "丙区"), districts=("丙区",), main_city="甲市",
                      terms=(("专精特新", "n"), ("小巨人", "n"), ("单项冠军", "n")))
    history = [Turn("user", "丙区2024年国家级专精特新小巨人有多少家"), Turn("assistant", "43家。")]
    assert rewrite("那重点小巨人跟市级专精特新各有几家", history, profile) == "丙区2024年重点小巨人跟市级专精特新各有几家"
    history = [Turn("user", "甲市2025年单项冠军的目标是多少家"), Turn("assistant", "130家。")]
    # a rate is asked: the previous question's 家 is not added to it (目标 is its own time: no year)
    assert rewrite("那单项冠军对制造业增长的贡献率，定的目标是多少", history, profile) \
        == "甲市单项冠军对制造业增长的贡献率，定的目标是多少"


def test_the_same_source_is_the_one_the_previous_answer_named():
    from rag.answer.followup import with_named_source

    publishers = ["乙市某某智库", "甲市日报理论版（两位作者）", "甲市本地报纸版面"]
    history = [Turn("user", "乙市国家级小巨人有多少家？"), Turn("assistant", "据乙市某某智库的专报，乙市有172家。")]
    asked = "那甲市呢？同一份材料里怎么说"
    assert with_named_source("甲市国家级小巨人有多少家？同一份材料里怎么说", asked, history, publishers) \
        == "乙市某某智库那份材料里，甲市国家级小巨人有多少家？"
    unnamed = [history[0], Turn("assistant", "乙市有172家。")]  # the answer named no source: as rewritten
    assert with_named_source("甲市…？同一份材料里怎么说", asked, unnamed, publishers) == "甲市…？同一份材料里怎么说"
    assert with_named_source("甲市有多少家？", "那甲市呢？", history, publishers) == "甲市有多少家？"


def test_an_answer_as_said_names_its_first_source():
    from rag.schema import Answer, Citation

    cited = Citation(1, "d1", "标题", "乙市某某智库", "2023-05", "", "原文", "c1")
    assert Answer("问", "答。[1]", citations=[cited]).as_said() == "答。[1]（出处：乙市某某智库）"
    assert Answer("问", "资料中没有找到。").as_said() == "资料中没有找到。"


@pytest.mark.parametrize("asked,read", [
    ("甲市2021年跟国外做买卖，买进来加卖出去一共是多少钱？", "甲市2021年进出口额一共是多少钱？"),
    ("甲市那些工厂一年新创造出来的价值加起来有多少", "甲市工业增加值加起来有多少"),
    ("甲市小巨人2021年加起来一共卖了多少钱？", "甲市小巨人2021年营业收入多少钱？"),
    ("银行放给科技小企业、到九月底还挂在账上没还的钱一共有多少？", "银行放给科技小企业、到九月底贷款余额一共有多少？"),
    ("甲市小巨人花在技术开发上的钱占多大比例？", "甲市小巨人研发投入占多大比例？"),
    ("全世界每卖出一百张有几张是它家的？", "全球市场份额是多少？"),
])
def test_a_measure_described_in_everyday_words_is_read_as_its_name(asked, read):
    from rag.answer.question import plain_wording

    assert plain_wording(asked) == read


def test_a_question_on_where_money_comes_from_is_no_measure():
    from rag.answer.question import plain_wording

    assert plain_wording("甲市冠军企业搞研发的钱是从哪来的？") == "甲市冠军企业搞研发的钱是从哪来的？"


def test_a_rise_since_an_event_asks_the_series_not_a_rate():
    q = analyse("甲乙电子上市以后营收涨了多少？")
    assert q.time == "trend" and q.measure_kind == ""
    assert analyse("甲乙电子上市以后营收同比增长多少？").measure_kind == "growth"  # a rate, asked as one


def test_the_whole_year_said_twice_is_no_measure():
    assert "全年" not in analyse("2022年全年甲市发了多少扶持资金？").measure_words


@pytest.mark.parametrize("asked", ["甲市小巨人这几年的数：182、283、418，分别是啥时候的口径",
                                   "甲市单项冠军51、83、119分别是什么时候的数"])
def test_figures_the_asker_lists_asking_when_each_is_from_ask_the_dated_series(asked):
    q = analyse(asked)
    assert q.time == "trend" and q.numbers == ()  # the series with dates; no listed number must be matched


def test_amounts_the_asker_recalls_and_months_are_no_measure_words():
    q = analyse("听说甲市进出口额从2017年的七千多亿一路涨到一万多亿，到2021年那个数具体是多少？")
    assert "进出口额" in q.measure_words and q.years == (2017, 2021)
    assert not any(c in w for w in q.measure_words for c in "千万亿") and "增至" not in q.measure_words
    q = analyse("到2025年九月底甲市科技型小微企业贷款余额有多少？")
    assert "9月底" in q.text and not any("月" in w for w in q.measure_words)


def test_a_month_or_year_is_no_figure_the_asker_gives():
    assert given_numbers(analyse("到2025年9月末甲市科技型小微企业贷款余额达到多少？")) == ()
    assert given_numbers(analyse("2025年1—10月甲市出口多少？")) == ()
    assert given_numbers(analyse("甲市小巨人418家是哪一年的数？")) == ("418",)


@pytest.mark.parametrize("asked", ["甲市专精特新企业研发投入占营收几个点？", "研发投入占收入多少个百分点"])
def test_points_asked_are_a_percentage(asked):
    q = analyse(asked)
    assert q.kinds == ("percent",) and q.unit == "%"


def test_two_dates_asked_across_a_comma_are_two_parts():
    assert len(analyse("甲乙电子哪年成立的，又是哪年上的创业板？").parts) == 2
    assert len(analyse("截至去年底，甲市有多少家小巨人？").parts) == 1  # a time, then one ask


def test_a_follow_up_year_said_by_two_digits_replaces_the_previous_year():
    history = [Turn("user", "2021年甲市工业增加值多少"), Turn("assistant", "6997.2亿元")]
    for asked in ("那22年的呢", "那22年呢"):
        out = rewrite(asked, history, Profile(places=("甲市",), main_city="甲市"))
        assert "2022年" in out and "2021年" not in out and "工业增加值" in out and "的呢" not in out


def test_this_time_and_the_first_time_are_the_asker_wording():
    q = analyse("甲乙集团这回往丙国派了多少人过去？")
    assert "这回" not in q.key_words and "这回" not in q.measure_words
    assert ordinals("第一次全资收购丁国企业是在哪一年") == set()  # "first", not a batch
    assert ordinals("第九批名单") == {"第9批"}


def test_a_year_in_brackets_by_two_digits_and_the_amount_word_after_a_measure():
    q = analyse("甲市工业占GDP快一半的那年（21年），工业这块的增加值总额是多少")
    assert q.years == (2021,) and "总额" not in q.measure_words
    assert "总量" in "".join(analyse("甲市目前的经济总量是多少？").measure_words)  # 经济总量 is the measure


@pytest.mark.parametrize("asked", ["甲市给2025年定的单项冠军目标是多少家？到现在实际完成得怎么样了？",
                                   "甲市对2025年单项冠军定的目标是多少家？跟截至去年底的实际数相比还差多少？"])
def test_a_target_then_how_far_it_is_met_is_one_gap_question(asked):
    q = analyse(asked)
    assert "离目标还差多少" in q.text and q.time == "latest" and "定的" not in q.text


def test_more_of_what_was_just_asked_is_a_follow_up_and_a_listing_is_no_trend():
    history = [Turn("user", "甲市对成功创建单项冠军的企业奖励多少？"), Turn("assistant", "300万元")]
    out = rewrite("上市以后还另外有奖吗？", history, Profile(places=("甲市",), main_city="甲市", terms=(("单项冠军", "n"),)))
    assert "单项冠军" in out and "上市" in out
    assert "上市" in analyse("单项冠军企业上市以后还有奖励吗？").key_words  # a condition, not a trend
    assert "上市" not in analyse("甲乙电子上市以来营收怎么变化的？").key_words


@pytest.mark.parametrize("asked, unit", [("甲乙集团派了几个人去丙国", "人"), ("甲市拿了几个名额", "个"),
                                         ("有几个位置", "个")])
def test_how_many_people_said_with_a_classifier(asked, unit):
    assert analyse(asked).unit == unit


def test_years_from_and_to_said_by_two_digits():
    q = analyse("甲市进出口加起来的盘子从17年到21年是怎么涨上去的？")
    assert q.years == (2017, 2021) and "盘子" not in q.measure_words


def test_the_rank_of_a_share_asks_a_rank_only():
    assert [p.kinds for p in analyse("收购完以后它在全球市场份额排第几？").parts] == [("rank",)]
    assert [p.kinds for p in analyse("市场份额是多少，排第几？").parts] == [("percent",), ("rank",)]


def test_a_share_said_in_tenths_is_a_percentage_but_a_tenths_ask_stays():
    assert "90%以上" in analyse("丙机里那个零件，九成以上用的是甲市哪家企业的？").text
    assert "几成" in analyse("甲市占全省几成？").text


def test_a_place_gone_to_is_measured_not_the_scope_unless_it_is_the_home_city():
    profile = Profile(places=("甲市", "丙国"), main_city="甲市")
    q = analyse("甲乙集团去丙国那批人，到底去了几个技术骨干", profile)
    assert q.places == () and "丙国" in q.measure_words
    assert analyse("这几年有多少大学毕业生跑到甲市去工作了？", profile).places == ("甲市",)


def test_the_exact_figure_asked_is_no_measure_word():
    q = analyse("2022年甲市发的扶持资金，加起来，准数是多少")
    assert "准数" not in q.measure_words and "资金" in q.measure_words


def test_a_place_naming_whose_source_it_is_is_not_the_scope_when_another_is_named():
    profile = Profile(places=("甲市", "乙市"), main_city="甲市")
    assert analyse("乙市那份智库专报里提到甲市的扶持资金，2022年总共是多少？", profile).places == ("甲市",)
    both = analyse("乙市那份智库报告里，乙市小巨人跟甲市差多少家", profile)  # 乙市 asked too
    assert set(both.places) == {"甲市", "乙市"}
    assert analyse("乙市智库的报告里，小巨人有多少家", profile).places == ("乙市",)  # the only place


def test_the_standard_of_an_amount_is_not_what_is_counted():
    assert analyse("甲市给单项冠军的补贴奖励标准是多少？").parts[0].counted != "标准"


def test_a_fragment_then_a_comma_and_a_question_asks_that_question_of_the_fragment():
    profile = Profile(places=("甲市",), main_city="甲市")
    history = [Turn("user", "甲市2021年工业增加值是多少？"), Turn("assistant", "6997.2亿元")]
    out = rewrite("那22年呢，规上工业的，增速多少", history, profile)
    assert out.startswith("甲市2022年工业增加值") and out.endswith("增速多少") and "呢" not in out
    counted = [Turn("user", "甲市有多少家单项冠军？"), Turn("assistant", "119家")]
    assert rewrite("那小巨人呢，全国排第几", counted, profile) == "甲市小巨人全国排第几"


@pytest.mark.parametrize("said,read", [("小巨人21年出口是多少", "小巨人2021年出口是多少"),
                                       ("企业22年营收", "企业2022年营收"), ("经营21年了", "经营21年了"),
                                       ("干了21年", "干了21年"), ("成立21年来", "成立21年来"),
                                       # a range's first year wherever it stands; a span of years stays
                                       ("甲乙电子，17年到24年营收从多少变成多少", "甲乙电子，2017年到2024年营收从多少变成多少"),
                                       ("成立至今，30年了", "成立至今，30年了")])
def test_a_year_by_two_digits_after_a_noun_before_what_is_measured(said, read):
    assert in_digits(said) == read


def test_the_latest_period_new_arrivals_and_hearsay():
    assert analyse("甲乙电子最近一期的营收是多少？").time == "latest"
    assert analyse("这几年甲市引进的大学生，准数是多少啊").measure_kind == "change"
    profile = Profile(places=("甲市", "丙国"), main_city="甲市")
    q = analyse("听说甲乙集团派了一批人去丙国建厂，一共去了多少技术骨干？", profile)
    assert "听说" not in q.measure_words and "建厂" not in q.measure_words and "丙国" in q.measure_words


def test_how_big_the_gap_is_asks_the_difference():
    profile = Profile(places=("甲市", "乙市"), main_city="甲市")
    q = analyse("乙市和甲市的国家级小巨人各有多少家？差距多大", profile)
    assert "相差多少" in q.text and q.shape == "compare"


def test_a_count_the_asker_quotes_describes_something_and_asks_nothing():
    part = analyse("走“几家抱团一起研发”那种路子的甲市企业，跟哪几位院士合作过？").parts[0]
    assert "count" not in part.kinds and part.unit is None and "list" in part.kinds  # 哪几位: who


def test_people_sent_are_counted_whatever_they_were_sent_for():
    for question in ("甲乙科技去乙国建厂派了多少人？", "甲乙科技派了多少人去乙国建厂？"):
        part = analyse(question).parts[0]
        assert part.unit == "人" and part.counted is None  # 建厂 says what for
    assert analyse("甲乙科技去乙国建厂的技术骨干有多少人？").parts[0].counted == "技术骨干"


def test_a_word_for_the_total_is_not_what_is_counted():
    counted = analyse("甲市评上的单项冠军企业合计到多少家了？").parts[0].counted
    assert counted and "冠军" in counted  # 冠军 or 单项冠军, as the corpus's terms are loaded or not
    assert analyse("甲市榜单最后评出来几家？").parts[0].counted == "评出来"  # which ones: those chosen


def test_the_total_of_a_measure_is_that_measure():
    q = analyse("甲市最新的GDP总量是多少？")
    assert "总量" not in q.measure_words and q.parts[0].counted != "总量"
    assert "总额" not in analyse("甲市外贸出口总额是多少？").measure_words
    assert "总量" in analyse("甲市的总量是多少？").measure_words  # nothing before it: it is what is asked


def test_sources_said_to_disagree_around_the_subject_ask_every_dated_figure_of_it():
    q = analyse("几份材料里甲市国家级单项冠军的家数对不上，哪个是最新的，各份材料分别是多少、是什么时候的口径？")
    assert len(q.parts) == 1 and q.time == "latest" and q.shape == "figure"
    assert {"单项冠军", "冠军"} & set(q.measure_words) and not {"材料", "各份", "对不上", "口径"} & set(q.measure_words)


def test_figures_the_asker_saw_written_are_no_question():
    q = analyse("小巨人这几年在甲市是怎么涨上来的？一份写283家，还有更新的没")
    assert len(q.parts) == 1 and q.time == "trend" and not q.numbers


def test_a_later_part_asking_a_figure_of_nothing_it_names_asks_of_the_first_parts_subject():
    from rag.answer.followup import elided_subject
    from rag.tokenize import add_terms

    add_terms([("甲乙电子", "nt")])  # as indexing teaches the tokenizer the corpus's company names
    profile = Profile(places=("甲市",), main_city="甲市", terms=(("单项冠军", "n"), ("甲乙电子", "nt")))
    assert "单项冠军" in (elided_subject("现在实际做到多少了，完成没有", "当初定的2025年单项冠军目标是多少家", profile) or "")
    assert "完成" not in (elided_subject("现在实际做到多少了，完成没有", "当初定的2025年单项冠军目标是多少家", profile) or "完成")
    assert "完成" not in (elided_subject("现在实际到了多少，算完成了没有", "到2025年单项冠军要达到多少家", profile) or "完成")
    assert "甲乙电子" in (elided_subject("收完以后在全球排第几", "甲乙电子收购丙公司是哪一年", profile) or "")
    # a part naming a noun of its own asks of that, not of the first part's subject
    assert elided_subject("手艺好的技术工人又新增了多少", "这几年来甲市的大学生有多少", profile) is None
    assert elided_subject("主要做什么产品", "甲乙电子是哪一年成立的", profile) is None  # no figure asked


def test_items_asked_by_how_many_and_which_are_a_list():
    # 几大…分别是啥 asks the items; it is no count of them
    assert analyse("那份报告说甲市的企业有几大特点，分别是啥？").shape == "list"
    assert analyse("乙市形成了几大产业集群").shape == "list"
    assert analyse("甲市和乙市的小巨人分别是多少家？").shape != "list"  # numbers asked: a comparison


def test_trying_to_recall_is_no_measure():
    # 来着 (…多少钱来着) had been a measure word: it pulled every row's score down
    assert "来着" not in analyse("甲市评上甲类冠军的企业奖多少钱来着？").measure_words
    assert "来着" not in analyse("乙公司是哪年成立的来着").key_words


def test_a_figure_asked_while_trying_to_recall_it_gets_its_short_answer(pipeline):
    assert pipeline.ask("企业评上国家级单项冠军，宁波奖多少来着").short == "300万元"


def test_the_local_government_that_pays_is_no_measure():
    # 当地(政府)给多少: who pays, as 市里 is, not what is measured
    words = analyse("企业评上甲类冠军，当地政府给多少奖励").measure_words
    assert "当地" not in words and "政府" not in words
    # a measure named after the government stays
    assert any("政府" in w for w in analyse("甲市政府引导基金规模多少").measure_words)


def test_a_reward_asked_of_the_local_government_is_answered(pipeline):
    assert pipeline.ask("企业评上单项冠军，当地政府给多少奖励").short == "300万元"


@pytest.mark.parametrize("text,kept,dropped", [
    # the asker remembering or reading: 印象, 记得, 看到 are no measures
    ("单项冠军这块我印象里甲市是83家？最新数是多少", ["单项冠军"], ["印象", "数是"]),
    ("小巨人甲市，我记得是在乙市那个报告里看到的……现在最新是多少家", ["小巨人"], ["记得", "看到"]),
    # an amount recalled with 个/几 (五个多亿, 三十几个亿) is the asker's, not a measure
    ("甲乙电子营收是不是从五个多亿涨到三十几个亿了", ["营收"], ["五个", "多亿", "几个"]),
    # 这条产业链: which one; 发了: the verb's 了 dropped, then too short to measure
    ("甲市新能源车这条产业链上有多少家单项冠军", ["产业链", "单项冠军"], ["这条"]),
    ("2022年甲市一共发了多少扶持资金？", ["扶持", "资金"], ["发了"]),
    ("小巨人企业，甲市到最近一共有多少家", ["小巨人"], ["最近"]),  # 到最近: when (up to now), not what
    ("小巨人数量几篇文章说法不一样，按时间先后分别是多少", ["小巨人"], ["说法", "一样", "时间"]),  # the sources disagreeing
])
def test_what_the_asker_says_of_themselves_is_no_measure(text, kept, dropped):
    profile = Profile(places=("甲市", "乙市"), main_city="甲市")
    measure = analyse(text, profile).measure_words
    assert all(w in measure for w in kept) and not any(w in measure for w in dropped), measure


def test_a_description_after_a_name_is_not_what_is_measured():
    """甲乙电子那个做靶材的，营收多少: the description says who 甲乙电子 is; without the name
    it is what identifies the company and stays."""
    from rag.tokenize import add_terms

    add_terms([("甲乙电子", "nt")])
    named = analyse("甲乙电子那个做靶材的，营收具体数字是多少").measure_words
    assert "靶材" not in named and "营收" in named
    assert "靶材" in analyse("甲市那个做靶材的企业，营收是多少").measure_words


def test_an_item_of_the_last_answer_named_by_its_place_in_the_list():
    from rag.answer.followup import points_at_item

    answer = "本文归纳了追赶模式，主要包括自主研发式、并购整合式和技术联盟型三种方式。[1]（出处：甲大学）"
    h = [Turn("user", "那篇论文把追赶模式归纳成了几种？"), Turn("assistant", answer)]
    assert rewrite("那最后那种是拿哪家企业举例的？", h) == "技术联盟型是拿哪家企业举例的？"
    assert rewrite("第一种是拿哪家举例的", h) == "自主研发式是拿哪家举例的"
    assert points_at_item("第二种是拿哪家举例的", h) and not points_at_item("第五种是拿哪家举例的", h)
    colon = [Turn("user", "有几种？"), Turn("assistant", "三种模式：甲型（代表甲乙电子）、乙型（代表丙丁集团）和丙型。")]
    assert rewrite("那第二种呢？", colon) == "乙型呢？"
    assert not points_at_item("第一种是什么", [Turn("user", "甲市有多少家？"), Turn("assistant", "12家。")])
