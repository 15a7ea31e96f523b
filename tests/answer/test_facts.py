"""The figures table built at index time, on hand-made documents (real jieba)."""

from __future__ import annotations

from rag.answer.facts import doc_as_of, extract_facts
from rag.profile import Profile
from rag.schema import Chunk, CleanDoc, DocMeta


def _facts(text: str, date: str = "2025-03", city: str = "甲市", places=("甲市", "乙市", "丙区")):
    doc = CleanDoc(DocMeta("d", "甲市产业报道", date=date, home_city=city), text, ())
    chunk = Chunk("c", "d", text, "", 0, len(text))
    profile = Profile(places=places, districts=("丙区",), main_city=city, doc_cities={"d": city})
    return {f.shown: f for f in extract_facts(doc, [chunk], profile)}


def test_time_kind_and_place_of_each_figure():
    f = _facts("截至去年底，我市有418家国家级专精特新企业。力争到2027年达到600家国家级专精特新企业。"
               "去年，乙市新增专精特新企业5家。")
    assert (f["418家"].as_of, f["418家"].kind, f["418家"].place) == (202412, "actual", "甲市")
    assert "专精特新企业" in f["418家"].measure
    assert (f["600家"].kind, f["600家"].year) == ("target", 2027)
    assert (f["5家"].kind, f["5家"].place) == ("change", "乙市")


def test_units_are_normalised_and_ranges_kept():
    f = _facts("2025年前三季度实现GDP 1.35万亿元，同比增长5.0%，平均研发投入占比约5-6%。")
    assert f["1.35万亿元"].value == 1.35e12 and f["1.35万亿元"].unit == "元"
    assert f["1.35万亿元"].as_of == 202509
    assert f["5.0%"].kind == "growth" and "GDP" in f["5.0%"].measure
    assert "5-6%" in f


def test_respectively_pairs_subjects_with_numbers_in_order():
    f = _facts("单项冠军、小巨人企业数量分别居全国城市第1位和第3位。")
    assert f["第1位"].measure.startswith("单项冠军") and f["第3位"].measure.startswith("小巨人")
    # what the amounts are follows them: each measure is its subject and that noun
    g = _facts("对新认定的单项冠军、小巨人企业分别给予300万元、100万元补贴奖励。")
    assert g["100万元"].measure.startswith("小巨人") and g["100万元"].measure.endswith("补贴奖励")
    # 与 inside one item, and 等… closing the list
    h = _facts("前三季度，人工智能与机器人产业、高技术服务业、科技服务业等新兴领域投资分别增长9.3%、41.2%、56.7%。")
    assert h["9.3%"].measure.startswith("人工智能与机器人产业")
    assert h["56.7%"].measure.startswith("科技服务业")
    # a later clause's 分别 with no list of its own pairs with the list the sentence named
    k = _facts("对新认定的单项冠军、小巨人企业分别给予300万元、50万元补贴，成功上市后再分别给予200万元、80万元特别奖励。")
    assert "单项冠军" in k["200万元"].measure and "小巨人" not in k["200万元"].measure
    assert k["80万元"].measure.startswith("小巨人")
    assert k["80万元"].measure.endswith("特别奖励")
    # and keeps its own condition: the later amounts are paid once listed, the first on creation
    assert "上市" in k["200万元"].measure and "上市" not in k["300万元"].measure


def test_from_to_gives_both_years_and_one_measure():
    f = _facts("2017—2024年，公司营收从5.5亿元增至36.05亿元。")
    assert f["5.5亿元"].as_of // 100 == 2017 and f["36.05亿元"].as_of // 100 == 2024
    assert "营收" in f["36.05亿元"].measure


def test_district_reference_and_demonstrative():
    f = _facts("丙区经信局介绍了情况。目前，该区拥有国家级小巨人企业43家。2021年全区有小巨人企业12家。"
               "到2023年底，这一数字已增至20家。")
    assert f["43家"].place == "丙区" and f["43家"].district
    assert "小巨人" in f["20家"].measure and f["20家"].as_of == 202312


def test_subgroup_counts_are_not_totals():
    f = _facts("甲市125家上市公司中不乏46家单项冠军。")
    assert f["46家"].kind == "part"


def test_undated_document_takes_its_latest_stated_time():
    f = _facts("截至2025年底，全市共有153家小巨人企业。目前全市共有153家小巨人企业。", date="")
    assert all(x.as_of == 202512 for x in f.values())
    assert doc_as_of("2023-05-05") == 202305 and doc_as_of("2021") == 202106 and doc_as_of("") == 0


def test_a_total_refers_back_to_what_the_sentence_counts():
    f = _facts("甲市国家级小巨人企业数量远超乙市，达283家，总量居全国第四位。")
    assert f["第四位"].kind == "rank" and "小巨人" in f["第四位"].measure


def test_an_age_is_a_figure():
    f = _facts("甲市企业25名技术骨干组成先锋队，他们平均年龄32岁。")
    assert f["32岁"].unit == "岁" and "平均年龄" in f["32岁"].clause


def test_a_clause_naming_an_organisation_is_not_the_place_named_earlier_in_the_sentence():
    f = _facts("此时，甲市乙丙集团对日本丁戊公司的资产进行收购，使乙丙集团的全球市场份额占到第二位。",
               places=("甲市", "日本"))
    assert f["第二位"].place == "甲市"  # 乙丙集团's rank (the document's city), not 日本's


def test_a_measure_starting_with_guimo_yishang_is_whole_on_its_own():
    # "规模以上工业…" names its measure: it is not a bare 规模 continuing the figure before
    f = _facts("2022年，累计发放各类扶持资金10.8亿元。\n\n2022年，甲市规模以上工业实现增加值5339.4亿元。")
    assert "扶持资金" not in f["5339.4亿元"].measure and "增加值" in f["5339.4亿元"].measure


def test_lines_joined_by_semicolons_keep_the_first_lines_time():
    facts = _facts("据2021年的数据，甲市小巨人企业实现营业收入653亿元，同比增长23.8%；\n"
                   "实现利润总额76亿元，同比增长12.9%；\n实现出口额144亿元，同比增长46.6%。\n\n"
                   "全市工业增加值5000亿元。", date="2023-05")
    by_value = facts
    assert by_value["76亿元"].as_of // 100 == 2021 and by_value["144亿元"].as_of // 100 == 2021
    assert by_value["5000亿元"].as_of // 100 == 2023  # a new sentence after "。": the document's date


def test_the_noun_after_a_classifier_count_is_what_is_counted():
    f = _facts("截至目前，丙区已保障甲乙科技等34个项目3533亩工业用地。关键核心技术数量达到100项以上。")
    assert f["34个"].measure.endswith("项目") and f["3533亩"].measure.endswith("工业用地")
    assert not f["100项"].measure.endswith("以上")  # a bound, not a noun
