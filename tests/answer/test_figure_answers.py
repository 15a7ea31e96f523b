"""Figure answers group the rows that measure the same thing by the question words
their own measures carry, not by how close their scores are, and a figure whose
text names no level (国家级/省级/…) does not contradict a question asking for one,
while a figure of another level is no answer.

Two layers: FactTable with hand-made rows and weights (scores set apart far
beyond any score-gap rule), and a small invented corpus indexed for real (澜州,
three sources over four years, one stating the count without 国家级, one giving a
provincial-level count). The corpus test passes with or without the bundled
corpus's terms in jieba (``corpus_terms``), in either order."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from rag.answer.facts import Fact
from rag.answer.figure_answers import (
    FactTable,
    Scored,
    as_of_label,
    dated_alike,
    ends_in_noun,
    qualifiers_asked,
    starting_value,
)
from rag.answer.question import Question
from rag.profile import Profile
from rag.schema import Turn

CITY = "澜州"
WEIGHTS = {"国家级": 1.0, "单项冠军": 1.0}


def _fact(sentence: str, measure: str, value: int, as_of: int, doc: str) -> Fact:
    return Fact(doc_id=doc, chunk_id=f"{doc}-0", start=0, end=len(sentence), sentence=sentence,
                clause=sentence, measure=measure, value=float(value), shown=f"{value}家", unit="家",
                as_of=as_of, as_of_text="", kind="actual", place=CITY)


ROWS = [
    # newest, the best match: the question's words in its measure, the embedding close
    _fact("澜州共有国家级单项冠军企业52家。", "国家级单项冠军企业", 52, 202512, "c"),
    # the level said elsewhere in the sentence: still the same measure
    _fact("国家级名单公布后，澜州累计培育单项冠军企业34家。", "累计培育单项冠军企业", 34, 202212, "b"),
    # no level at all, and an embedding far from the question's
    _fact("目前，澜州单项冠军企业数量总共达到21家。", "单项冠军企业数量总共达到", 21, 202106, "a"),
    # another level: never an answer to a 国家级 question
    _fact("在省级层面，澜州单项冠军企业有96家。", "单项冠军企业有", 96, 202212, "b"),
    _fact("澜州市级及以上单项冠军企业合计130家。", "单项冠军企业合计", 130, 202512, "c"),
]
DENSE = [0.98, 0.60, 0.35, 0.99, 0.99]  # far apart: the 21家 row scores well below the best


def _table(dense: Sequence[float] = DENSE) -> FactTable:
    vectors = np.array([[d, float(np.sqrt(1 - d * d))] for d in dense])
    return FactTable(ROWS, vectors, Profile(places=(CITY,), main_city=CITY),
                     weight=lambda w: WEIGHTS.get(w, 1.0), has=lambda text, w: w in text)


def _question(text: str, time: str) -> Question:
    return Question(text=text, words=("国家级", "单项冠军"), numbers=(), kinds=("count",), places=(CITY,),
                    time=time, unit="#count", measure_words=("国家级", "单项冠军"), shape="figure")


QVEC = np.array([1.0, 0.0])


def _shown(rows: Sequence[Scored]) -> list[str]:
    return [s.fact.shown for s in rows]


def test_trend_lists_every_figure_of_the_measure_including_one_without_its_level():
    r = _table().answer(_question("这几年澜州国家级单项冠军数量是怎么增长的？", "trend"), QVEC)
    assert r is not None and r.intent == "trend"
    assert _shown(r.main) == ["21家", "34家", "52家"]  # in date order, 省级 96家 and 市级及以上 130家 left out


def test_grouping_does_not_depend_on_a_score_gap():
    table = _table()
    q = _question("澜州现在有多少家国家级单项冠军企业？", "latest")
    scores = {s.fact.shown: s.score for s in table.score(q, QVEC)}
    assert scores["52家"] - scores["21家"] > 0.3  # far beyond the old 0.15 gap
    r = table.answer(q, QVEC)
    assert r is not None
    assert _shown(r.main) == ["52家"] and _shown(r.older) == ["34家", "21家"]
    # the same grouping whatever the embedding says about the older sources
    for dense in ([0.98, 0.98, 0.98, 0.0, 0.0], [0.98, 0.40, 0.30, 0.0, 0.0]):
        again = _table(dense).answer(q, QVEC)
        assert again is not None and _shown(again.main) == ["52家"] and _shown(again.older) == ["34家", "21家"]


def test_another_level_is_excluded_and_an_unstated_one_is_not():
    table = _table()
    q = _question("澜州现在有多少家国家级单项冠军企业？", "latest")
    assert {f.shown: table.fits(q, f, CITY) for f in ROWS} == {
        "52家": True, "34家": True, "21家": True, "96家": False, "130家": False}
    # were 国家级 among the words an answer must name, the figure that names no level still would
    rare = ["国家级", "单项冠军"]
    assert {f.shown: table.names_what_is_asked(f, rare) for f in ROWS} == {
        "52家": True, "34家": True, "21家": True, "96家": False, "130家": False}
    own = {s.fact.shown: s.own for s in table.score(q, QVEC)}
    assert own["52家"] == 1.0 and 0.5 < own["21家"] < 1.0  # the unstated level weighs half
    # asked for the provincial level, the 省级 figure is the answer and the national ones are not
    provincial = Question(text="澜州有多少家省级单项冠军企业？", words=("省级", "单项冠军"), numbers=(),
                          places=(CITY,), unit="#count", measure_words=("省级", "单项冠军"), shape="figure")
    assert [f.shown for f in ROWS if table.fits(provincial, f, CITY)] == ["21家", "96家"]


# --- the same on an invented corpus, indexed for real -------------------------------------

DOCS = {
    "a": ("2021-06", "澜州制造业单项冠军企业发展报告",
          "澜州是一座以制造业见长的城市。\n\n目前，澜州单项冠军企业数量总共达到21家，拥有数量位居全省前列。\n\n"
          "澜州鼓励企业长期深耕细分市场。\n"),
    "b": ("2023-05", "澜州专报：冠军企业培育",
          "截至2022年底，澜州累计培育国家级制造业单项冠军企业34家。\n\n"
          "在省级层面，澜州的单项冠军企业有96家。\n\n澜州还设立了专项资金支持企业研发。\n"),
    "c": ("2025-12", "澜州新闻：冠军之城",
          "澜州共有国家级制造业单项冠军企业52家，连续三年位居全省第一。\n\n"
          "澜州的冠军企业主要集中在机械和新材料领域。\n"),
}


def _write_corpus(folder: Path) -> None:
    entries = []
    for doc_id, (date, title, body) in DOCS.items():
        (folder / f"{doc_id}.txt").write_text(f"# {title}\n\n{body}", encoding="utf-8")
        entries.append({"id": doc_id, "file": f"{doc_id}.txt", "title": title, "publisher": f"澜州出版{doc_id}",
                        "date": date, "home_city": CITY})
    (folder / "manifest.json").write_text(json.dumps({"documents": entries}, ensure_ascii=False), encoding="utf-8")
    (folder / "domain.json").write_text(json.dumps({"places": [CITY, f"{CITY}市"]}, ensure_ascii=False),
                                        encoding="utf-8")


@pytest.fixture(scope="module")
def lanzhou(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from rag.indexing import build_index
    from rag.pipeline import Pipeline
    from rag.settings import load_settings

    corpus = tmp_path_factory.mktemp("lanzhou_corpus")
    _write_corpus(corpus)
    settings = load_settings(corpus_dir=corpus, index_dir=tmp_path_factory.mktemp("lanzhou_index"))
    build_index(settings)
    return Pipeline.load(settings)


def _check_trend(pipeline) -> None:  # type: ignore[no-untyped-def]
    answer = pipeline.ask("这几年澜州国家级单项冠军数量是怎么增长的？")
    assert not answer.refused
    text = answer.text
    assert all(n in text for n in ("21家", "34家", "52家")), text
    assert text.index("21家") < text.index("34家") < text.index("52家")
    assert "96家" not in text  # the provincial-level count is another measure


def _check_latest(pipeline) -> None:  # type: ignore[no-untyped-def]
    answer = pipeline.ask("澜州现在有多少家国家级单项冠军企业？")
    assert answer.short and "52家" in answer.short
    assert "96家" not in answer.text


def test_invented_corpus_trend_and_latest(lanzhou):
    _check_trend(lanzhou)
    _check_latest(lanzhou)


def test_invented_corpus_with_the_bundled_corpus_terms_in_jieba(lanzhou, corpus_terms):
    _check_trend(lanzhou)
    _check_latest(lanzhou)


def test_the_character_filter_changes_no_score(pipeline):  # type: ignore[no-untyped-def]
    """Rows the spellings filter skips are rows ``has`` would not match: every eval
    question scores every row of the bundled corpus's table exactly as without it."""
    from rag.answer.question import analyse

    table = pipeline.knowledge.table
    assert table.spellings is not None
    plain = FactTable(table.facts, table.vectors, table.profile, table.weight, table.has,
                      doc_dates=table.doc_dates, chunk_texts=table.chunk_texts)
    rows = [json.loads(line) for line in (Path(__file__).parents[2] / "eval" / "qa.jsonl").read_text(
        encoding="utf-8").splitlines() if line.strip()]
    asked = 0
    for row in rows[::3]:
        q = analyse(row["question"], table.profile)
        if q.measure_words:
            qvec = pipeline.knowledge.embed_query(" ".join(q.measure_words))
            assert table.score(q, qvec) == plain.score(q, qvec), row["question"]
            asked += 1
    assert asked >= 40


def test_two_sources_giving_different_figures_for_the_same_time_are_both_the_short_answer(pipeline):  # type: ignore[no-untyped-def]
    from rag.answer.citations import CitationBook
    from rag.answer.figure_text import compose

    rows = [*ROWS[:3], _fact("据另一份报告，澜州国家级单项冠军企业为49家。", "国家级单项冠军企业", 49, 202512, "d")]
    table = FactTable(rows, np.array([[0.98, 0.2]] * 4), Profile(places=(CITY,), main_city=CITY),
                      weight=lambda w: WEIGHTS.get(w, 1.0), has=lambda text, w: w in text)
    r = table.answer(_question("澜州现在有多少家国家级单项冠军企业？", "latest"), QVEC)
    assert r is not None and r.rival is not None
    assert {r.main[0].fact.shown, r.rival.fact.shown} == {"52家", "49家"}
    _, short, note = compose(pipeline.knowledge, r, [], CitationBook(pipeline.docs, CITY))
    assert "52家" in short and "49家" in short and "不同" in note
    one_source = table.answer(_question("澜州现在有多少家国家级单项冠军企业？", "latest"), QVEC, doc_ids=["a", "b", "c"])
    assert one_source is not None and one_source.rival is None  # an older figure is no rival


def test_words_an_answer_must_name_are_names_and_terms_not_everyday_wording():
    table = FactTable(ROWS, np.zeros((len(ROWS), 2)), Profile(places=(CITY,), main_city=CITY),
                      weight=lambda w: {"政府": 3.0, "钱花": 5.0, "帮扶": 1.0}.get(w, 2.0),
                      has=lambda text, w: w in text)
    q = replace(_question("澜州政府拿出多少钱花在单项冠军上？", ""), measure_words=("政府", "钱花", "单项冠军"))
    # 政府 and 钱花 (jieba's glue of 钱 + 花) are rarer in the corpus, but they are how the
    # official asks; the figure must name 单项冠军, not them
    assert table.rare_words(q) == ["单项冠军"]


def test_a_word_in_the_figures_own_clause_beats_one_in_the_next_clause():
    sentence = "澜州拥有市场占有率全球第一的企业有11家；市场占有率全国第一的有26家。"
    rows = [replace(_fact(sentence, "市场占有率全球第一的企业有", 11, 202206, "a"),
                    clause="澜州拥有市场占有率全球第一的企业有11家"),
            replace(_fact(sentence, "市场占有率的有", 26, 202206, "a"),
                    clause="市场占有率全国第一的有26家")]
    table = FactTable(rows, np.zeros((2, 2)), Profile(places=(CITY,), main_city=CITY),
                      weight=lambda w: 1.0, has=lambda text, w: w in text)
    q = replace(_question("澜州市场占有率全国第一的企业有几家？", ""), measure_words=("全国第一", "占有率"))
    best = max(table.score(q, None), key=lambda s: s.score)
    assert best.fact.shown == "26家"


def test_a_sub_group_asked_within_a_scope_gets_its_own_figure():
    sentence = "2022年，澜州规模以上工业增加值增长3.8%，国有控股企业增加值增长6.9%，私营企业增长4.4%。"
    rows = [replace(_fact(sentence, "规上工业增加值增长", 38, 202212, "a"), clause="澜州规模以上工业增加值增长3.8%"),
            replace(_fact(sentence, "国有控股企业增加值增长", 69, 202212, "a"), clause="国有控股企业增加值增长6.9%")]
    table = FactTable(rows, np.zeros((2, 2)), Profile(places=(CITY,), main_city=CITY),
                      weight=lambda w: {"规上": 1.4, "工业": 2.3, "增加值": 3.7}.get(w, 1.1),
                      has=lambda text, w: w in text)
    q = replace(_question("澜州规上工业中，国有控股企业的增加值增长多少？", ""),
                measure_words=("规上", "工业", "国有", "控股", "增加值"), frame_words=("规上", "工业"))
    best = max(table.score(q, None), key=lambda s: s.score)
    assert best.fact.value == 69  # without the frame, 规上工业 in its measure made 3.8% win


def test_words_the_corpus_never_uses_are_the_askers_unless_rare_in_general():
    table = FactTable(ROWS, np.zeros((len(ROWS), 2)), Profile(places=(CITY,), main_city=CITY),
                      weight=lambda w: 5.0 if w in ("拿出", "德鹰") else 1.0, has=lambda text, w: w in text,
                      known=lambda w: w not in ("拿出", "德鹰"))
    assert table.askers_wording("拿出") and not table.askers_wording("德鹰")  # an unknown name stays
    assert not table.askers_wording("增加值")  # a term the corpus uses, though everyday


def test_an_organisation_named_in_the_question_is_a_word_its_figure_must_name():
    table = FactTable(ROWS, np.zeros((len(ROWS), 2)), Profile(places=(CITY,), main_city=CITY),
                      weight=lambda w: {"净利润": 4.5, "甲乙电子": 3.2}.get(w, 1.0), has=lambda text, w: w in text)
    q = replace(_question("甲乙电子有限公司的净利润怎么变化？", "trend"), measure_words=("甲乙电子", "净利润"))
    assert "甲乙电子" in table.rare_words(q)  # another subject's 利润总额 is not its 净利润


def test_a_sentence_whose_figures_are_all_another_places_is_not_this_places_answer():
    sentence = "澜州累计培育单项冠军83家，远超乙市。"
    table = FactTable([_fact(sentence, "累计培育单项冠军", 83, 202305, "a")], np.zeros((1, 2)),
                      Profile(places=(CITY, "乙市"), main_city=CITY), weight=lambda w: 1.0,
                      has=lambda text, w: w in text)
    assert not table.may_be_of(sentence, ("乙市",)) and table.may_be_of(sentence, (CITY,))
    assert table.may_be_of("乙市的产业很有特色。", ("乙市",))  # no figure taken from it: no objection


def test_what_is_measured_leaves_out_whose_figure_it_is_and_how_it_is_asked():
    table = FactTable(ROWS, np.zeros((len(ROWS), 2)),
                      Profile(places=(CITY,), main_city=CITY, terms=(("甲乙电子", "nt"),)),
                      weight=lambda w: 1.0, has=lambda text, w: w in text, known=lambda w: w != "拿出")
    q = replace(_question("甲乙电子研发拿出多少钱？", ""), measure_words=("甲乙", "研发", "拿出", "国家级"))
    assert table.measured_words(q) == ["研发"]  # not the company (甲乙 of 甲乙电子), 拿出, or a level


def test_a_figure_whose_passage_never_names_whose_figure_is_asked_is_another_measure():
    def amount(sentence: str, measure: str, value: float, doc: str) -> Fact:
        return replace(_fact(sentence, measure, 0, 202112, doc), value=value, shown=f"{value}亿元", unit="亿元")

    rows = [amount("2021年，澜州小巨人企业实现出口额144亿元。", "实现出口额", 144, "a"),
            amount("澜州外贸进出口额增至11926.1亿元。", "外贸进出口额", 11926.1, "b")]
    table = FactTable(rows, np.array([[1.0, 0.0], [1.0, 0.0]]), Profile(places=(CITY,), main_city=CITY),
                      # 小巨人 is far commoner than 出口额: not a word every figure must name
                      weight=lambda w: 3.0 if w == "出口额" else 1.0, has=lambda text, w: w in text)
    q = Question(text="澜州小巨人出口额多少", words=("小巨人", "出口额"), numbers=(), places=(CITY,),
                 unit="", measure_words=("小巨人", "出口额"), shape="figure")
    r = table.answer(q, QVEC)
    assert r is not None and _shown(r.main) == ["144亿元"]
    assert r.older == [] and r.rival is None  # the city's 进出口额 names no 小巨人: not an older 出口额


def test_the_value_grown_from_is_older_than_the_value_grown_to_at_the_same_date():
    sentence = "2025年1月，澜州具备整机生产能力的企业从3家增至8家。"
    clause = "澜州具备整机生产能力的企业从3家增至8家"
    rows = [replace(_fact(sentence, "具备整机生产能力的企业从", 3, 202501, "a"), clause=clause),
            replace(_fact(sentence, "具备整机生产能力的企业从增至", 8, 202501, "a"), clause=clause)]
    assert [starting_value(f) for f in rows] == [True, False]
    table = FactTable(rows, np.array([[1.0, 0.0], [1.0, 0.0]]), Profile(places=(CITY,), main_city=CITY),
                      weight=lambda w: 1.0, has=lambda text, w: w in text)
    words = ("整机", "生产能力")
    latest = Question(text="澜州现在具备整机生产能力的企业有几家？", words=words, numbers=(), places=(CITY,),
                      time="latest", unit="家", measure_words=words, shape="figure")
    r = table.answer(latest, QVEC)
    assert r is not None and _shown(r.main) == ["8家"]
    assert r.older == []  # the quoted sentence already shows 3家; it is not another source's figure
    trend = table.answer(replace(latest, text="澜州整机企业数量怎么变化的？", time="trend"), QVEC)
    assert trend is not None and _shown(trend.main) == ["3家", "8家"]


def test_a_figure_of_another_term_of_the_asked_kind_does_not_fit():
    sentence = "对成功创建为国家级单项冠军、小巨人的企业分别给予300万元、100万元补贴。"
    rows = [replace(_fact(sentence, "对成功创建为国家级单项冠军补贴", 300, 202301, "a"), unit="万元"),
            replace(_fact(sentence, "小巨人的企业补贴", 100, 202301, "a"), unit="万元")]
    table = FactTable(rows, np.zeros((2, 2)),
                      Profile(places=(CITY,), main_city=CITY, terms=(("单项冠军", "n"), ("小巨人", "n"))),
                      weight=lambda w: 1.0, has=lambda text, w: w in text)
    q = Question(text="澜州对成功创建国家级小巨人的企业给多少补贴？", words=(), numbers=(), places=(CITY,),
                 measure_words=("成功", "创建", "国家级", "小巨人", "补贴"), shape="figure")
    # the 300万元 row's measure carries more of the question's words, but it is 单项冠军's
    assert [table.fits(q, f, CITY) for f in rows] == [False, True]


def test_an_undated_figure_takes_the_stated_time_of_the_same_figure_in_its_document():
    dated = replace(_fact("2025年12月11日，名单公布，澜州总数攀升至119家。", "总数攀升至", 119, 202512, "c"),
                    as_of_text="2025年12月11日")
    undated = _fact("澜州共有国家级单项冠军企业119家。", "国家级单项冠军企业", 119, 202601, "c")
    other_doc = _fact("澜州共有国家级单项冠军企业119家。", "国家级单项冠军企业", 119, 202601, "d")
    small = replace(_fact("澜州有2家。", "有", 2, 202601, "c"), value=2.0)
    out = dated_alike([dated, undated, other_doc, small])
    assert (out[1].as_of, out[1].as_of_text) == (202512, "2025年12月11日")
    assert out[2].as_of == 202601 and out[3].as_of == 202601  # another document; a small number recurs by chance


def test_whose_figure_it_is_must_be_named_in_the_figures_own_paragraph():
    def amount(sentence: str, measure: str, value: float, as_of: int, doc: str, context: str = "") -> Fact:
        return replace(_fact(sentence, measure, 0, as_of, doc), value=value * 1e8, shown=f"{value:g}亿元",
                       unit="元", context=context)

    rows = [amount("2021年，澜州小巨人企业实现利润总额76亿元。", "利润总额", 76, 202112, "a"),
            # one company's profit, newer; 小巨人 is named only in the paragraph before
            amount("公司净利润从0.6亿元增至4.01亿元。", "净利润从增至", 4.01, 202412, "b",
                   context="38家专精特新小巨人通过上市融资募集资金。\n\n甲乙电子便是典型。\n\n")]
    table = FactTable(rows, np.array([[1.0, 0.0], [1.0, 0.0]]), Profile(places=(CITY,), main_city=CITY),
                      weight=lambda w: 3.0 if w == "利润" else 1.0, has=lambda text, w: w in text)
    q = Question(text="澜州小巨人利润多少", words=("小巨人", "利润"), numbers=(), places=(CITY,), unit="元",
                 measure_words=("小巨人", "利润"), shape="figure")
    r = table.answer(q, QVEC)
    assert r is not None and _shown(r.main) == ["76亿元"] and r.older == []


def test_a_figure_must_carry_what_is_measured_not_only_whose_figure_it_is():
    row = replace(_fact("92%的小巨人企业在特定行业深耕超过10年。", "小巨人企业在特定行业深耕超过", 92, 202305, "a"),
                  unit="%", shown="92%")
    table = FactTable([row], np.array([[1.0, 0.0]]),
                      Profile(places=(CITY,), main_city=CITY, terms=(("小巨人", "n"),)),
                      weight=lambda w: 3.0 if w == "小巨人" else 1.0, has=lambda text, w: w in text)
    q = Question(text="澜州小巨人企业出口额占比多少", words=("小巨人", "出口额"), numbers=(), places=(CITY,),
                 unit="%", measure_kind="share", measure_words=("小巨人", "出口额"), shape="figure")
    assert table.what_is_measured(q) == ["出口额"]  # 小巨人 says whose figure, a domain term
    assert table.answer(q, QVEC) is None  # a share of 小巨人, but not of their 出口额


def test_the_earliest_figure_is_asked_with_the_later_ones_after_it():
    r = _table().answer(_question("澜州最早那会儿有几家国家级单项冠军？", "earliest"), QVEC)
    assert r is not None and _shown(r.main) == ["21家"]
    assert _shown(r.older) == ["34家", "52家"]  # oldest first; the other levels' 96家 and 130家 stay out


def test_the_earliest_figure_in_an_indexed_corpus(lanzhou):  # type: ignore[no-untyped-def]
    answer = lanzhou.ask("澜州的国家级单项冠军一开始有几家？")
    assert answer.short == "21家", answer.text
    assert answer.text.index("21家") < answer.text.index("52家")


def test_a_month_is_shown_only_when_the_text_states_one():
    now = replace(_fact("目前，澜州有21家。", "有", 21, 202106, "a"), as_of_text="目前")
    end = replace(now, as_of=202412, as_of_text="截至去年底")
    assert as_of_label(now) == "2021年"  # the document is dated 2021: no month was said
    assert as_of_label(end) == "2024年12月"


def test_an_average_asked_is_answered_only_by_a_figure_said_to_be_an_average():
    share = replace(_fact("市场占有率全国第一的有262家，占比为68.23%。", "市场占有率的有占比为", 0, 202206, "a"),
                    value=68.23, shown="68.23%", unit="%")
    average = replace(share, sentence="冠军企业平均市场占有率为31%。", clause="冠军企业平均市场占有率为31%",
                      measure="冠军企业平均市场占有率为", value=31.0, shown="31%")
    q = Question(text="澜州冠军企业平均市场占有率多少", words=("市场占有率",), numbers=(), places=(CITY,),
                 unit="%", measure_kind="share", measure_words=("市场占有率",), shape="figure")
    profile = Profile(places=(CITY,), main_city=CITY)
    both = FactTable([share, average], np.array([[1.0, 0.0], [0.9, 0.1]]), profile,
                     weight=lambda w: 1.0, has=lambda text, w: w in text)
    r = both.answer(q, QVEC)
    assert r is not None and _shown(r.main) == ["31%"] and r.older == []
    alone = FactTable([share], np.array([[1.0, 0.0]]), profile, weight=lambda w: 1.0, has=lambda text, w: w in text)
    assert alone.answer(q, QVEC) is None


def test_the_whole_is_answered_before_a_part_above_a_statistical_line():
    def amount(sentence: str, measure: str, value: float, as_of: int) -> Fact:
        return replace(_fact(sentence, measure, 0, as_of, "a"), value=value * 1e8, shown=f"{value:g}亿元", unit="元")

    whole = amount("2021年，澜州工业增加值6997.2亿元。", "工业增加值", 6997.2, 202112)
    part = amount("2022年，澜州规模以上工业实现增加值5339.4亿元。", "规模以上工业实现增加值", 5339.4, 202212)
    table = FactTable([whole, part], np.array([[1.0, 0.0], [1.0, 0.0]]), Profile(places=(CITY,), main_city=CITY),
                      weight=lambda w: 1.0, has=lambda text, w: w in text)
    q = Question(text="澜州工业增加值多少", words=("工业",), numbers=(), places=(CITY,), unit="元",
                 measure_words=("工业",), shape="figure")
    r = table.answer(q, QVEC)
    assert r is not None and _shown(r.main) == ["6997.2亿元"]  # newer, but only the 规模以上 firms'
    r = table.answer(replace(q, text="澜州规上工业增加值多少"), QVEC)
    assert r is not None and _shown(r.main) == ["5339.4亿元"]
    r = table.answer(replace(q, text="澜州2022年工业增加值多少", time="year", years=(2022,)), QVEC)
    assert r is not None and _shown(r.main) == ["5339.4亿元"]  # the year's only figure; its sentence says 规模以上


def test_what_a_share_is_of_is_not_what_is_measured():
    q = Question(text="澜州甲乙电子研发投入占营收比重多少", words=(), numbers=(), places=(CITY,), unit="%",
                 measure_kind="share", measure_words=("研发投入", "营收"), shape="figure")
    assert _table().what_is_measured(q) == ["研发投入"]


def test_two_sources_with_different_targets_for_one_year_are_both_the_target():
    newer = replace(_fact("力争到2025年底，澜州小巨人企业600家。", "小巨人企业", 600, 202512, "b"), kind="target")
    older = replace(_fact("到2025年，要培育200家小巨人企业。", "小巨人企业", 200, 202512, "a"), kind="target")
    table = FactTable([newer, older], np.array([[1.0, 0.0], [1.0, 0.0]]), Profile(places=(CITY,), main_city=CITY),
                      weight=lambda w: 1.0, has=lambda text, w: w in text, doc_dates={"a": 202206, "b": 202305})
    q = Question(text="澜州小巨人2025年目标多少家", words=("小巨人",), numbers=(), places=(CITY,), time="target",
                 years=(2025,), unit="家", measure_words=("小巨人",), shape="figure")
    r = table.answer(q, QVEC)
    assert r is not None and _shown(r.main) == ["600家"]  # the newer source first
    assert r.rival is not None and r.rival.fact.shown == "200家"


def test_the_list_a_count_is_taken_in_is_not_what_is_measured():
    q = Question(text="澜州第四批名单里集成电路企业进了几家", words=(), numbers=(), places=(CITY,), unit="家",
                 measure_kind="change", measure_words=("名单", "集成电路"), shape="figure")
    assert "名单" not in _table().what_is_measured(q)


def test_what_a_measure_counts_is_its_last_noun_company_words_aside():
    assert ends_in_noun("市级以上研发平台", "研发平台")
    assert ends_in_noun("国家级专精特新“小巨人”企业", "小巨人")
    assert not ends_in_noun("主导产品市场占有率全球第一的企业有", "产品")


def _award_rows() -> list[Fact]:
    sentence = "对成功创建为国家级单项冠军、小巨人的企业分别给予300万元、100万元补贴奖励，成功上市后再分别给予200万元、100万元特别奖励。"
    first, second = sentence.split("，")[0], sentence.split("，")[1]
    return [replace(_fact(sentence, "对成功创建为国家级单项冠军补贴奖励", 300, 202305, "p"),
                    clause=first, shown="300万元", unit="元"),
            replace(_fact(sentence, "对成功创建为国家级单项冠军特别奖励", 200, 202305, "p"),
                    clause=second, shown="200万元", unit="元")]


def _award_question(*words: str) -> Question:
    return Question(text="".join(words) + "奖多少钱", words=words, numbers=(), kinds=("count",), places=(CITY,),
                    unit="元", measure_words=words, shape="figure")


def test_of_two_figures_one_sentence_gives_alike_the_one_whose_own_clause_says_the_question_answers():
    # both measures were built with the sentence's subject; only the first figure's clause names it
    table = FactTable(_award_rows(), np.array([[0.97, 0.24], [0.98, 0.2]]),  # the embedding leans to 200万元
                      Profile(places=(CITY,), main_city=CITY),
                      weight=lambda w: 1.0, has=lambda text, w: w in text or (w == "补贴" and "奖励" in text))
    r = table.answer(_award_question("国家级", "单项冠军", "奖励"), QVEC)
    assert r is not None and _shown(r.main) == ["300万元"] and r.rival is None
    asked_after = table.answer(_award_question("上市", "奖励"), QVEC)  # 上市 said by the 200万元 clause only
    assert asked_after is not None and _shown(asked_after.main) == ["200万元"]


def test_two_figures_of_one_sentence_nothing_tells_apart_are_rivals(pipeline):  # type: ignore[no-untyped-def]
    from rag.answer.citations import CitationBook
    from rag.answer.figure_text import compose

    rows = [replace(r, clause=r.sentence) for r in _award_rows()]  # each clause says as much of the question
    table = FactTable(rows, np.array([[0.98, 0.2], [0.98, 0.2]]), Profile(places=(CITY,), main_city=CITY),
                      weight=lambda w: 1.0, has=lambda text, w: w in text)
    r = table.answer(_award_question("单项冠军", "奖励"), QVEC)
    assert r is not None and r.rival is not None
    _, short, note = compose(pipeline.knowledge, r, [], CitationBook(pipeline.docs, CITY))
    assert "300万元" in short and "200万元" in short and "同一句" in note


def test_a_figure_grown_from_is_no_rival_of_what_it_grew_to():
    sentence = "澜州具备整机生产能力的企业从3家增至8家。"
    rows = [replace(_fact(sentence, "具备整机生产能力的企业", v, 202501, "p")) for v in (3, 8)]
    table = FactTable(rows, np.array([[0.98, 0.2], [0.98, 0.2]]), Profile(places=(CITY,), main_city=CITY),
                      weight=lambda w: 1.0, has=lambda text, w: w in text)
    q = Question(text="澜州具备整机生产能力的企业有几家", words=("整机",), numbers=(), kinds=("count",), places=(CITY,),
                 time="latest", unit="家", measure_words=("整机",), shape="figure")
    r = table.answer(q, QVEC)
    assert r is not None and _shown(r.main) == ["8家"] and r.rival is None


def test_a_verbal_noun_the_best_figure_measures_is_part_of_what_older_figures_must_measure():
    award = replace(_fact("对小巨人企业给予100万元补贴奖励。", "小巨人企业补贴奖励", 100, 202305, "p"),
                    shown="100万元", unit="元")
    income = replace(_fact("小巨人企业实现营业收入653亿元。", "小巨人企业实现营业收入", 653, 202112, "q"),
                     shown="653亿元", unit="元", value=6.53e10)
    table = FactTable([award, income], np.array([[0.98, 0.2], [0.98, 0.2]]), Profile(places=(CITY,), main_city=CITY),
                      weight=lambda w: 1.0, has=lambda text, w: w in text)
    q = Question(text="澜州对小巨人奖励多少钱", words=("小巨人", "奖励"), numbers=(), kinds=("count",), places=(CITY,),
                 unit="元", measure_words=("小巨人", "奖励"), shape="figure")
    r = table.answer(q, QVEC)
    assert r is not None and _shown(r.main) == ["100万元"]
    assert r.older == []  # 营业收入 is no older 奖励 (奖励 is a verbal noun: it names the measure)
    given = table.answer(replace(q, text="澜州小巨人给多少钱", measure_words=("小巨人",)), QVEC)
    assert given is not None and _shown(given.main) == ["100万元"]
    assert given.older == []  # both are 元 of 小巨人, but the 奖励 the best figure names is not 营业收入


def test_a_verb_of_how_they_came_about_does_not_split_the_measure():
    # 培育 (a verbal noun) said by the older source only: the newer count is still the answer
    q = Question(text="澜州累计培育了多少家国家级单项冠军", words=("培育", "国家级", "单项冠军"), numbers=(),
                 kinds=("count",), places=(CITY,), time="latest", unit="家",
                 measure_words=("培育", "国家级", "单项冠军"), shape="figure")
    r = _table().answer(q, QVEC)
    assert r is not None and _shown(r.main) == ["52家"] and "34家" in _shown(r.older)


def test_a_count_within_a_group_answers_a_question_naming_both():
    sentence = "澜州125家上市公司中不乏46家单项冠军。"
    clause = "澜州125家上市公司中不乏46家单项冠军"
    rows = [replace(_fact(sentence, "上市公司中不乏", 125, 202512, "a"), clause=clause),
            replace(_fact(sentence, "单项冠军", 46, 202512, "a"), clause=clause, kind="part")]
    table = FactTable(rows, np.array([[1.0, 0.0], [1.0, 0.0]]), Profile(places=(CITY,), main_city=CITY),
                      weight=lambda w: 1.0, has=lambda text, w: w in text)
    within = replace(_question("澜州单项冠军里上市公司有几家？", ""), measure_words=("单项冠军", "上市公司"))
    result = table.answer(within, QVEC, CITY)
    assert result is not None and result.main[0].fact.value == 46  # not the 125 上市公司 in all
    scoped = replace(within, text="澜州上市公司里有多少家是单项冠军？", frame_words=("上市公司",))
    result = table.answer(scoped, QVEC, CITY)
    assert result is not None and result.main[0].fact.value == 46
    whole = replace(within, text="澜州有多少家上市公司？", measure_words=("上市公司",))
    result = table.answer(whole, QVEC, CITY)
    assert result is not None and [s.fact.value for s in result.main] == [125]  # the part is no answer alone


def test_a_verbal_noun_written_with_e_is_what_is_measured(pipeline):
    # 出口 (a verbal noun) is measured in this corpus (出口额): the 营业收入 row naming 小巨人 is no answer
    table, profile = pipeline.knowledge.table, pipeline.knowledge.profile
    from rag.answer.question import analyse

    assert "出口" in table.what_is_measured(analyse("宁波小巨人出口2021年多少", profile))
    assert "培育" not in table.what_is_measured(analyse("宁波小巨人培育了多少", profile))
    history = [Turn("user", "宁波小巨人营业收入2021年多少"), Turn("assistant", "653亿元")]
    assert pipeline.ask("出口呢", history=history).short == "144亿元"


def test_a_qualifier_counts_only_on_a_kind_of_company():
    kinds = ["小巨人", "独角兽"]
    assert qualifiers_asked("丙区重点“小巨人”企业有几家", kinds) == ["重点"]
    assert qualifiers_asked("丙区为了给“小巨人”等重点企业腾地方，保障了多少个项目", kinds) == []
    assert qualifiers_asked("潜在独角兽有多少", []) == ["潜在"]  # no kinds known: any mention


def test_people_counted_with_the_classifier_ge_are_answered_in_ming():
    people = replace(ROWS[0], sentence="甲乙集团25名技术骨干奔赴丙国。", clause="甲乙集团25名技术骨干奔赴丙国。",
                     measure="技术骨干", value=25.0, shown="25名", unit="名")
    q = Question(text="甲乙集团去了几个技术骨干", words=("技术骨干",), numbers=(), kinds=("count",), places=(CITY,),
                 unit="个", measure_words=("技术骨干",), shape="figure")
    assert _table().fits(q, people, CITY)
    assert not _table().fits(replace(q, unit="元"), people, CITY)


def test_a_reward_or_subsidy_asked_with_one_character_is_money():
    from rag.answer.figure_answers import MONEY_ASK

    assert MONEY_ASK.search("上市以后还再奖多少？") and MONEY_ASK.search("评上了市里补多少")
    assert not MONEY_ASK.search("奖多少家") and not MONEY_ASK.search("获奖多少次")  # a count; prizes won


def test_a_short_answer_to_a_reward_question_is_an_amount():
    from rag.answer.extractive import Candidate, short_answer
    from rag.answer.question import analyse
    from rag.schema import Chunk, Hit

    sentence = "甲市125家上市公司中不乏38家小巨人，上市后再给予100万元特别奖励。"
    hit = Hit(Chunk("c", "d", sentence, "", 0, len(sentence)), 1.0)
    c = Candidate(0, hit, 0, len(sentence), sentence, 1.0, True, True, True, 1.0, frozenset())
    assert short_answer(analyse("甲市小巨人企业上市以后再奖多少？"), [c]) == "100万元"


def test_a_district_that_only_says_where_a_company_is_is_not_whose_figure_is_asked():
    profile = Profile(places=(CITY, "丙区"), districts=("丙区",), main_city=CITY,
                      terms=(("甲乙科技", "nt"), ("丁戊智库", "nt")))
    table = FactTable(ROWS, np.array([[1.0, 0.0]] * len(ROWS)), profile, weight=lambda w: 1.0,
                      has=lambda text, w: w in text)
    q = Question(text="丙区的甲乙科技那个产业园规划用地多大", words=(), numbers=(), kinds=(), places=("丙区",))
    assert table.whose(q, "丙区") == CITY  # the company's figure, said of the city it is in
    district = Question(text="丙区有多少家单项冠军", words=(), numbers=(), kinds=(), places=("丙区",))
    assert table.whose(district, "丙区") == "丙区"
    source = Question(text="丙区丁戊智库的报告里单项冠军有多少家", words=(), numbers=(), kinds=(), places=("丙区",))
    assert table.whose(source, "丙区") == "丙区"  # a think-tank is a source, not whose figure


def test_a_first_place_asked_within_one_scope_is_not_another_scopes():
    from rag.answer.figure_answers import _scopes

    assert _scopes("国内市场份额第一的有多少家") == {"全国"}
    assert _scopes("市场占有率全球第一的企业有110家") == {"全球"}
    assert _scopes("国内外市场份额领先") == {"全球", "全国", "全省"}  # both: no scope to tell apart
    assert _scopes("甲市小巨人有多少家") == set()


def test_the_home_market_first_is_not_the_world_first(pipeline):
    # "市场占有率全球第一的企业有110家；市场占有率全国第一的有262家": the 110 had been given for 国内
    answer = pipeline.ask("国内市场份额第一的宁波企业有多少家？")
    assert answer.short.startswith("262家")
    assert pipeline.ask("宁波市场占有率全球第一的企业有多少家？").short.startswith("110家")
