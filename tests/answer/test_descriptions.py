"""A company or kind of company asked about by description is named from the retrieved
passages, and only when the question does not already name it, ask for the name, or
use the passages' own wording for a counted group (real jieba, hand-made passages)."""

from __future__ import annotations

import pytest

from rag.answer.descriptions import description_in, resolve
from rag.profile import Profile
from rag.schema import Chunk, Hit

PROFILE = Profile(places=("甲市",), main_city="甲市",
                  terms=(("潜在独角兽", "n"), ("独角兽", "n"), ("单项冠军", "n"), ("甲乙电子", "nt"), ("甲乙集团", "nt")))
PASSAGES = [
    "甲乙电子成立于2005年，主要从事超高纯金属溅射靶材的研发生产。丙丁汽车则主要生产汽车座椅。",
    "潜在的独角兽企业估值超过1亿美元，是独角兽企业的后备军。甲市潜在独角兽企业有9家。",
    "甲市在单项冠军培育中加强引导，目前甲市拥有主导产品市场占有率全球第一的企业有110家。",
    "戊己精工股份有限公司是我市小巨人企业中的代表。该公司成立于2009年3月。公司的主要产品是晶圆减薄设备的核心部件——空气静压主轴。",
]


def _hits(passages: list[str], prefix: str) -> list[Hit]:
    return [Hit(Chunk(f"{prefix}{i}", "d", text, "", 0, len(text)), 1.0) for i, text in enumerate(passages)]


HITS = _hits(PASSAGES, "c")


def _resolved(question: str) -> str:
    found = resolve(question, HITS, PROFILE, weight=lambda w: 1.0)
    return found.rewrite(question, PROFILE.places) if found else ""


def test_a_described_company_is_named():
    assert _resolved("那家做超高纯金属溅射靶材的企业是哪年办起来的？") == "甲乙电子是哪年办起来的？"


def test_a_described_kind_of_company_is_named_by_the_more_specific_term():
    # the description says 独角兽 too; 潜在独角兽 is what the passage defines that way
    assert _resolved("估值过1亿美元、算独角兽后备军的甲市企业有多少家？") == "甲市潜在独角兽有多少家？"


def test_a_company_named_only_in_the_sentence_before_is_found_through_its_pointer():
    assert _resolved("那家做空气静压主轴的企业是哪一年成立的？") == "戊己精工股份有限公司是哪一年成立的？"


@pytest.mark.parametrize("question", [
    "甲市主打产品市场占有率做到全球第一的企业有多少家？",  # the passages count that group themselves
    "做超高纯金属溅射靶材的企业是哪家？",  # the name is what is asked
    "甲乙电子那家做溅射靶材的企业是哪年成立的？",  # the question names it
    "甲市对成功创建单项冠军的企业奖励多少？",  # the description's company word is the term's
    "那家做无人机的企业有多少员工？",  # no passage says it
    "做超高纯金属溅射靶材的代表企业是哪几家？",  # the names are what is asked
    "那些做超高纯金属溅射靶材的企业成立多久了？",  # several companies: no one company's name
])
def test_no_name_replaces_what_the_question_says(question):
    assert _resolved(question) == ""


def test_a_company_word_inside_another_word_ends_no_description():
    assert description_in("甲市那家园区的规划用地和厂房规模是多少？") == ""


def test_the_name_a_described_company_goes_by_is_the_answer_when_asked():
    found = resolve("做超高纯金属溅射靶材的企业叫什么？", HITS, PROFILE, weight=lambda w: 1.0, naming=True)
    assert found is not None and found.name == "甲乙电子" and found.hit is not None
    assert "溅射靶材" in found.hit.chunk.text[slice(*found.span)]  # the sentence that describes it
    # several names asked, or a figure: not one name
    assert resolve("做超高纯金属溅射靶材的企业有哪几家？", HITS, PROFILE, weight=lambda w: 1.0, naming=True) is None
    # without naming, a question asking the name is left alone (the rewrite would answer nothing)
    assert resolve("做超高纯金属溅射靶材的企业叫什么？", HITS, PROFILE, weight=lambda w: 1.0) is None


def test_a_which_company_question_describes_the_company_with_all_it_says():
    found = resolve("甲市哪家企业主要从事超高纯金属溅射靶材的研发生产？", HITS, PROFILE,
                    weight=lambda w: 1.0, naming=True)
    assert found is not None and found.name == "甲乙电子"


def test_the_short_name_is_given_as_the_sentence_writes_it_in_full(pipeline):  # type: ignore[no-untyped-def]
    answer = pipeline.ask("全球每3部安卓手机就有1部光学镜头来自宁波哪家企业？")
    assert answer.short == "舜宇光学科技", answer.text


MODES = Profile(places=("甲市",), main_city="甲市",
                terms=(("专精特新", "n"), ("小巨人", "n"), ("甲乙电子", "nt"), ("丙丁密封件", "nt")))
MODE_PASSAGES = [
    "追赶模式的代表企业：自主研发型甲乙电子、技术联盟型丙丁密封件。甲乙电子成立于2005年。",
    "丙丁密封件与高校签约。甲乙电子也在扩大生产。甲乙电子于2011年收购了一家海外同行。",
    "专精特新“小巨人”企业，是专注于细分市场、创新能力强的排头兵企业。甲市专精特新“小巨人”企业有80家。",
]
MODE_HITS = _hits(MODE_PASSAGES, "m")


def _mode_resolved(question: str) -> str:
    found = resolve(question, MODE_HITS, MODES, weight=lambda w: 1.0)
    return found.name if found else ""


def test_a_word_in_a_clause_about_another_company_says_nothing_of_this_one():
    # one sentence names both; 技术联盟型 stands beside 丙丁密封件 only
    assert _mode_resolved("那家技术联盟型的企业是哪年成立的？") == "丙丁密封件"


def test_a_company_name_that_says_the_description_is_evidence_for_it():
    # each sentence says one word of the description; one company's own name says 密封件 too
    assert _mode_resolved("那家与高校合作生产密封件的企业是哪年成立的？") == "丙丁密封件"


def test_two_terms_written_as_one_name_are_one_kind_of_company():
    # 专精特新 and 小巨人 say the same of the description: together they are the answer, not rivals
    assert _mode_resolved("被认定为主攻细分市场、创新能力强的那种中小企业，甲市有多少家？") == "专精特新“小巨人”"


def test_what_a_company_did_describes_it():
    # the description is a verb (收购): no noun to go by
    assert _mode_resolved("那家搞收购的企业是哪年成立的？") == "甲乙电子"


def test_the_asking_words_are_dropped_whole_from_the_description():
    # "是哪家" goes as one: left behind, 家 would glue to the word before it (靶材家)
    found = resolve("超高纯金属溅射靶材是哪家企业做的？", HITS, PROFILE, weight=lambda w: 1.0, naming=True)
    assert found is not None and found.name == "甲乙电子"
    assert "家" not in found.description


def test_a_kind_of_company_described_by_its_definition_is_named():
    # the passage defines the compound term; the question paraphrases the definition
    assert _mode_resolved("那种专注细分市场、创新能力强、经工信部认定的中小企业，甲市有多少家？") == "专精特新“小巨人”"


def test_a_kind_of_company_described_by_the_title_it_holds():
    found = description_in("截至去年底，甲市拿到国家级“专业化、精细化”中小企业排头兵称号的一共有多少家？")
    assert found == "国家级“专业化、精细化”中小企业排头兵称号"  # the title goes with it when rewritten
    assert description_in("甲市有多少家企业获得了排头兵称号？") == ""  # no 的: the title names no one


def test_the_places_of_what_a_company_did_are_not_kept_only_where_it_is():
    from rag.answer.descriptions import Resolved

    found = Resolved("把乙国某公司收购的那家甲市企业", "天生密封件", 0.9)
    assert found.rewrite("把乙国某公司收购的那家甲市企业算哪一类", ("甲市", "乙国")) == "甲市天生密封件算哪一类"
    bought = Resolved("把乙国某公司收购的那家企业", "天生密封件", 0.9)
    assert bought.rewrite("把乙国某公司收购的那家企业算哪一类", ("甲市", "乙国")) == "天生密封件算哪一类"


def test_a_company_word_shortened_after_a_pointer_heads_a_description():
    from rag.answer.descriptions import description_in

    assert description_in("把乙国某公司收进来的那家甬企，算哪一类") == "把乙国某公司收进来的那家甬企"
    assert description_in("科技局说的那个高企总数是多少") == ""  # 高企 is a kind of company, not one
    assert description_in("那家做汽车配件的甬企，是哪年成立的") == "做汽车配件的甬企"  # 的甬企 too


def test_of_two_descriptions_the_first_is_asked_about_not_what_it_bought():
    from rag.answer.descriptions import description_in

    asked = "做汽车配件的那家甬企，当年把一家乙国搞汽车电子的公司整个买下来，是哪一年的事？"
    assert description_in(asked) == "做汽车配件的那家甬企"
    # one clause: the longest of overlapping matches still wins
    assert description_in("把乙国某公司收进来的那家甬企，算哪一类") == "把乙国某公司收进来的那家甬企"
    # "它把一家…的企业买下来": the company acted on, after 把, is not the one asked about
    acted = "甲市有家做汽车零部件的，靠去国外买公司做大，它把一家乙国搞汽车电子的企业整个买下来是在哪一年"
    assert description_in(acted) == ""


def test_a_company_bought_is_not_rewritten_as_its_buyer(pipeline):
    # the rewrite had put the buyer's name for the German company it bought, and the 简答 gave
    # the buyer's founding year (1992年) as the year of the purchase
    answer = pipeline.ask("做汽车零部件的那家甬企，把德国一家搞汽车电子的公司买下来，是哪一年？")
    assert "均胜电子买下来" not in answer.standalone_question
    assert "1992" not in (answer.short or "") and "2011" in answer.text


def test_a_person_pointed_at_by_organisation_and_title_is_named():
    from rag.answer.descriptions import resolve_person, speaker
    from rag.schema import Chunk, Hit

    text = "“甲市的独角兽企业数量相对较少。”某某战略咨询甲市研究院院长张三丰说。"
    hit = Hit(Chunk("c1", "d", text, "", 0, len(text)), 1.0)
    found = resolve_person("想多孵几个独角兽，某某战略咨询那个院长给了哪几招", [hit])
    assert found is not None and found.name == "张三丰"
    assert found.rewrite("想多孵几个独角兽，某某战略咨询那个院长给了哪几招", ()) == "想多孵几个独角兽，张三丰给了哪几招"
    assert resolve_person("某某战略咨询那个所长说了什么", [hit]) is None  # another title: no one
    assert speaker(text) == "张三丰"


def test_a_leader_described_in_the_passage_own_words_before_its_name_is_named():
    # the passage words the description itself, but a name follows it: one company, not a group
    hits = _hits(["2017年登陆创业板的国内半导体龙头企业甲乙电子便是典型。2017—2024年，公司营收从5.5亿元增至36.05亿元。"], "l")
    found = resolve("2017年登陆创业板的那家甲市半导体龙头，2024年营业收入达到多少？", hits, PROFILE, weight=lambda w: 1.0)
    assert found is not None and found.name == "甲乙电子"


def test_a_leader_worded_in_one_clause_and_named_in_the_next_is_named():
    hits = _hits(["作为中国新能源轻量化领域的领军企业，甲乙集团落户北美腹地颇具深意。"], "n")
    found = resolve("甲市那家做新能源轻量化的领军企业派了几个人？", hits, PROFILE, weight=lambda w: 1.0)
    assert found is not None and found.name == "甲乙集团"


def test_a_district_described_by_what_it_did_is_named():
    profile = Profile(places=("甲市", "丙区", "丁区"), districts=("丙区", "丁区"), main_city="甲市",
                      terms=(("小巨人", "n"),))
    hits = _hits(["去年，丙区新增国家级重点“小巨人”企业5家，新增数量居全市第一。丁区新增2家。"], "p")
    found = resolve("去年新增重点小巨人数量排全市第一的那个区，小巨人一共有多少家？", hits, profile, weight=lambda w: 1.0)
    assert found is not None and found.name == "丙区"
    assert found.rewrite("去年新增重点小巨人数量排全市第一的那个区，小巨人一共有多少家？", profile.places) \
        == "丙区，小巨人一共有多少家？"


def test_a_factory_said_as_changzi_is_a_company_described():
    from rag.answer.descriptions import description_in

    assert description_in("那家给核工业做静密封的甲市厂子，是哪年创办的？").endswith("厂子")
    assert description_in("那家企业的厂房有多大？") == ""


def test_a_title_the_description_says_the_company_holds_is_no_rival_and_the_asker_is_no_group():
    passages = ["目前，甲乙电子凭借研发团队的技术优势，于2020年荣获国家单项冠军示范企业称号，是溅射靶材行业唯一获此荣誉的企业。"
                "甲乙电子成立于2005年，主要从事超高纯金属溅射靶材的研发生产。"]
    found = resolve("咱们甲市那家做超高纯溅射靶材、唯一拿到国家单项冠军示范称号的企业，是哪年办起来的？",
                    _hits(passages, "t"), PROFILE, weight=lambda w: 1.0)
    assert found is not None and found.name == "甲乙电子"  # 咱们 is the asker; 单项冠军 the title it holds


@pytest.mark.parametrize("asked,rewritten", [
    ("甲市那家在科创板上市的公司，专做把光反射回去的那层膜、打破了垄断的，它在全球占了多大比例？",
     "甲乙科技，它在全球占了多大比例？"),
    ("甲市有家给核电站做垫片的老厂，跟好几位院士一直合作的那个，是哪一年办起来的？", "甲乙科技，是哪一年办起来的？"),
])
def test_more_of_the_description_after_it_goes_with_it(asked, rewritten):
    # clauses ending in 的 (…的那个) after the description describe the same company and ask nothing
    from rag.answer.descriptions import Resolved

    desc = description_in(asked)
    assert Resolved(desc, "甲乙科技", 0.9).rewrite(asked, ("甲市",)).replace("甲市甲乙科技", "甲乙科技") == rewritten


def test_a_clause_ending_in_de_that_asks_stays():
    from rag.answer.descriptions import Resolved

    asked = "甲市那家做垫片的老厂，是哪年成立的？"
    assert Resolved(description_in(asked), "甲乙科技", 0.9).rewrite(asked, ()) == "甲乙科技，是哪年成立的？"


def test_the_best_of_a_kind_and_the_place_before_the_description_stay_with_it():
    from rag.answer.descriptions import Resolved

    asked = "甲市那种专注细分市场、创新能力强、手握关键核心技术的国家级中小企业排头兵，最新一共有多少家？"
    desc = description_in(asked)
    assert desc.endswith("中小企业排头兵")  # 排头兵 is the companies, not a word left to match
    # 甲市 at the description's start says where the companies are; it stays in the question
    assert Resolved(desc, "乙类企业", 0.9).rewrite(asked, ("甲市",)) == "甲市乙类企业，最新一共有多少家？"
    # a place inside what the company did is no place of the company
    bought = "把乙国某公司收购的那家企业是哪年成立的"
    assert Resolved(description_in(bought), "甲乙科技", 0.9).rewrite(bought, ("乙国",)).startswith("甲乙科技")
