"""Figure extraction on sentences from the real articles."""

from __future__ import annotations

from rag.answer.figures import collect, conflicting, figures_in, focal_terms, scope_of
from rag.answer.question import analyse
from rag.schema import DocMeta

SUZHOU = DocMeta("004", "宁波加快建设全球智造创新之都", date="2023-05-05", home_city="苏州")
NINGBO = DocMeta("001", "纪实", date="2026-01")


def test_number_attached_to_term():
    terms = focal_terms(analyse("宁波有多少家国家级单项冠军企业？"))
    assert figures_in("宁波共有国家级制造业单项冠军企业119家，连续8年稳居全国第一。", terms)[0][:2] == ("119", "家")
    # a sub-count of listed companies is not the city's total
    assert figures_in("宁波125家A股上市公司中不乏46家国家级单项冠军、38家专精特新“小巨人”", terms) == []


def test_scope_of_sentence():
    assert scope_of("近年来，我市加强培育，拥有国家级专精特新“小巨人”企业172家", SUZHOU) == "苏州"
    assert scope_of("然而，与这方面的先进城市宁波相比还存在一定落差，宁波尽管…远超苏州，达283家", SUZHOU) == "宁波"
    assert scope_of("目前，该区拥有国家级专精特新“小巨人”企业43家", NINGBO) == "区县"


def test_collect_targets_and_conflict():
    q = analyse("宁波有多少家国家级单项冠军企业？")
    sentences = [
        (0, "001", "宁波共有国家级制造业单项冠军企业119家，连续8年稳居全国第一。"),
        (1, "004", "力争到2025年底，实现国家级制造业单项冠军企业130家。"),
        (2, "004", "宁波尽管制造业规模小于苏州，累计培育国家级制造业单项冠军83家，居全国城市第1位。"),
    ]
    figs = collect(q, sentences, {"001": NINGBO, "004": SUZHOU})
    assert sorted((f.value, f.is_target) for f in figs) == [("119", False), ("130", True), ("83", False)]
    assert figs[0].value == "119"  # newest document first
    assert conflicting(figs)
    assert not conflicting([f for f in figs if f.value != "83"])
