"""Cleaning repairs each artefact of the real articles, and never rewrites characters."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from rag.cleaning import clean_document
from rag.corpus import load_corpus
from rag.schema import DocMeta

from .conftest import CORPUS


@pytest.fixture(scope="module")
def cleaned():
    loaded = load_corpus(CORPUS)
    return {d.meta.doc_id[:3]: clean_document(d.meta, d.text, d.repair) for d in loaded.docs}, {
        d.meta.doc_id[:3]: d.text for d in loaded.docs
    }


def _titles(doc):
    return [s.title for s in doc.sections]


def test_hard_wrapped_words_are_joined(cleaned):
    docs, _ = cleaned
    text = docs["000"].text
    assert "要想实现制造业从大到强" in text
    assert "培育单项冠军企业" in text and "单项冠\n" not in text
    assert "宁波天生密封件有限公司创建于1998年12月" in text


def test_headings_become_sections(cleaned):
    docs, _ = cleaned
    titles = " | ".join(_titles(docs["000"]))
    assert "2.1 自主研发型——以江丰电子为例" in titles
    assert "2.3 技术联盟型——以天生密封件公司为例" in titles
    # the table caption is not a section parent
    assert not any(t.startswith("表") for t in _titles(docs["000"]))


def test_cut_sentence_marked_as_heading_is_joined_back(cleaned):
    docs, _ = cleaned
    assert "长阳科技董事长金亚东结合企业成长历程" in docs["001"].text
    assert not any("东结合" in t for t in _titles(docs["001"]))


def test_subtitle_joins_its_title(cleaned):
    docs, _ = cleaned
    assert _titles(docs["001"])[0] == "从“冠军之城”到“新质之城”——宁波发展新质生产力纪实"


def test_repeated_paragraphs_are_dropped(cleaned):
    docs, raw = cleaned
    text = docs["001"].text
    assert raw["001"].count("舜宇光学科技总裁王东杰告诉记者") == 3
    assert text.count("舜宇光学科技总裁王东杰告诉记者") == 1
    assert text.count("帮助企业在1至2天作业时间") == 1  # also the copy contained in a longer paragraph
    assert docs["001"].report["duplicate_paragraphs_dropped"] >= 10
    assert docs["001"].report["duplicate_headings_dropped"] == 1


def test_near_duplicate_keeps_the_fuller_copy(cleaned):
    docs, _ = cleaned
    assert "新芝生物董事长周劲" in docs["001"].text
    assert "宁波市董事长周劲" not in docs["001"].text


def test_interleaved_columns_are_put_back(cleaned):
    docs, _ = cleaned
    d = docs["002"]
    assert "整合优势，对引进技术进行改良创新" in d.text
    assert "精准匹配专精特新企业用工需求。" in d.text
    xie_end = d.text.index("（作者单位：市社科院经济研究所）")
    lin_start = d.text.index("宁波拥有国家级专精特新“小巨人”企业182家")
    assert lin_start > xie_end
    sec = next(s for s in d.sections if s.start <= lin_start < s.end)
    assert "林锦锦" in sec.title


def test_numbers_and_units_stay_intact(cleaned):
    docs, _ = cleaned
    for figure in ("1.35万亿元", "5.0%", "2025年1—10月", "47.99亿元"):
        assert figure in docs["001"].text
    assert "于2016年3月印发" in docs["000"].text
    assert "GDP 1.35万亿元" in docs["001"].text  # space between two Latin/digit runs kept


def test_whitespace_normalised(cleaned):
    docs, _ = cleaned
    for d in docs.values():
        assert "\u3000" not in d.text
        assert not re.search(r" {2,}", d.text)
        assert "\n\n\n" not in d.text


def test_cleaning_never_rewrites_characters(cleaned):
    """Only whitespace is removed and lines moved; the one addition is the section
    heading a manifest repair names (002's restored second article)."""
    docs, raw = cleaned
    added_heading = Counter("锚定专精特新（林锦锦葛振峰）")
    for key, d in docs.items():
        kept = Counter(ch for ch in d.text if not ch.isspace())
        source = Counter(ch for ch in raw[key] if not ch.isspace())
        extra = kept - source
        assert not extra - added_heading, key


def test_sections_cover_cleaned_text_in_order(cleaned):
    docs, _ = cleaned
    for d in docs.values():
        starts = [s.start for s in d.sections]
        assert starts == sorted(starts)
        assert all(s.start < s.end <= len(d.text) for s in d.sections)


def test_small_synthetic_document():
    raw = ("# 标题\n\n这是被硬换行切开的第一\n\n句话，它还没有结束。\n\n"
           "这是被硬换行切开的第一句话，它还没有结束。\n\n(图片说明)\n")
    doc = clean_document(DocMeta("x", "x"), raw)
    assert doc.text.split("\n\n") == ["标题", "这是被硬换行切开的第一句话，它还没有结束。", "(图片说明)"]
    assert doc.report["duplicate_paragraphs_dropped"] == 1


def test_a_repair_that_does_not_fit_is_reported_and_the_text_kept(caplog):
    with caplog.at_level("ERROR"):
        doc = clean_document(DocMeta("x", "x"), "甲。\n\n乙。\n", {"move_block": ["丙"]})
        first = clean_document(DocMeta("y", "y"), "甲。\n\n乙。\n", {"move_block": ["甲"]})
    assert doc.report["repairs_not_applied"] == first.report["repairs_not_applied"] == 1
    assert "x: manifest repair not applied (repair anchor not found" in caplog.text
    assert "y: manifest repair not applied (the moved block would have nothing before it" in caplog.text
    assert "甲" in doc.text and "乙" in doc.text


def test_duplicate_check_agrees_with_comparing_every_pair():
    """The inverted-index check drops exactly what comparing every pair drops (the
    old quadratic method, kept here as the reference)."""
    from bench.cleaning import all_pairs_dedupe
    from rag.cleaning import _dedupe, _lines, _paragraphs

    base = ["甲市全力打造制造业高质量发展先行城市，单项冠军企业数量位居全国前列。",
            "乙区拥有国家级专精特新小巨人企业四十三家，市级专精特新中小企业一百九十四家。",
            "丙公司创建于一九九八年，主要从事通用设备制造业，是国内最大的静密封制造厂商之一。"]
    paras = [*base, base[0],  # an exact repeat
             base[1] + "另有重点小巨人企业十家，数量居全市第一。",  # a fuller copy of base[1]
             base[2].replace("最大", "最大的"),  # a near-duplicate
             "丁市的情况完全不同，这里讲的是另一件事情，与上面各段都没有关系。"]
    parsed = _paragraphs(_lines("\n\n".join(paras)), False)
    drop = all_pairs_dedupe(parsed)
    kept, dropped, _ = _dedupe(parsed)
    assert [p.text for p in kept] == [p.text for i, p in enumerate(parsed) if i not in drop]
    assert dropped == len(drop) == 3
