"""The corpus profile: places and each document's own city come from the text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.errors import CorpusError
from rag.profile import Profile, derive_profile, infer_city, load_domain
from rag.schema import CleanDoc, DocMeta


def _doc(doc_id: str, title: str, text: str, city: str = "") -> CleanDoc:
    return CleanDoc(DocMeta(doc_id, title, home_city=city), text, ())


def test_places_and_cities_are_derived_from_the_documents():
    docs = [
        _doc("a", "青岛制造业观察", "青岛市共有单项冠军20家。我市将继续培育。黄岛区新增3家。"),
        _doc("b", "佛山报道", "佛山和青岛相比，各有所长。"),
        _doc("c", "无题", "本市（合肥市）小巨人企业达到153家，合肥的企业增长很快。", city=""),
    ]
    profile = derive_profile(docs, {"districts": ["某新区"], "examples": ["问一个问题？"]})
    assert {"青岛", "佛山", "合肥", "黄岛"} <= set(profile.places)
    assert "黄岛" in profile.districts and "某新区" in profile.districts
    assert profile.doc_cities == {"a": "青岛", "b": "佛山", "c": "合肥"}
    assert profile.examples == ("问一个问题？",)
    assert Profile.from_json(profile.to_json()) == profile


def test_manifest_city_wins_and_main_city_is_the_most_common():
    docs = [_doc("a", "甲", "宁波的企业。", city="苏州"), _doc("b", "宁波观察", "宁波。"), _doc("c", "宁波", "宁波")]
    profile = derive_profile(docs, {})
    assert profile.doc_cities["a"] == "苏州" and profile.main_city == "宁波"
    assert infer_city("没有地名的标题", "文中多次提到杭州，杭州，还有上海。", profile.places + ("杭州", "上海")) == "杭州"


def test_places_in_prefers_the_longest_name():
    profile = Profile(places=("宁波市", "宁波", "镇海区", "镇海"))
    assert [p for _, p in profile.places_in("宁波市镇海区")] == ["宁波", "镇海"]


def test_domain_file_errors_name_the_file(tmp_path: Path):
    assert load_domain(tmp_path) == {}
    (tmp_path / "domain.json").write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(CorpusError, match="domain.json"):
        load_domain(tmp_path)
    (tmp_path / "domain.json").write_text(json.dumps({"places": "宁波"}), encoding="utf-8")
    with pytest.raises(CorpusError, match="places"):
        load_domain(tmp_path)
    (tmp_path / "domain.json").write_text("{broken", encoding="utf-8")
    with pytest.raises(CorpusError):
        load_domain(tmp_path)
    (tmp_path / "domain.json").write_text(json.dumps({"aliases": ["甬城"]}), encoding="utf-8")
    with pytest.raises(CorpusError, match="aliases"):
        load_domain(tmp_path)
    (tmp_path / "domain.json").write_text(json.dumps({"definitions": {"甲类企业": 3}}), encoding="utf-8")
    with pytest.raises(CorpusError, match="definitions"):
        load_domain(tmp_path)


def test_definitions_are_kept_with_the_profile():
    profile = Profile.from_json(Profile(definitions={"甲类企业": "细分市场领先的企业"}).to_json())
    assert profile.definitions == {"甲类企业": "细分市场领先的企业"}


def test_a_places_other_names_are_read_as_the_place():
    profile = Profile.from_json(Profile(aliases={"乙城": "乙市", "乙": "丙"}).to_json())
    assert profile.unaliased("乙城的企业") == "乙市的企业"  # the longer alias first


def test_a_documents_part_names_only_its_own_places_and_city():
    profile = Profile(places=("青岛市", "黄岛区", "青岛", "黄岛", "佛山", "甲"), districts=("黄岛", "黄岛区"),
                      doc_cities={"a": "青岛", "b": "佛山"}, main_city="青岛")
    part = profile.for_document("a", "青岛制造\n黄岛区新增3家，甲企业在列。")
    assert part.places == ("黄岛区", "青岛", "黄岛", "甲")  # the whole profile's order, 佛山 and 青岛市 absent
    assert part.districts == ("黄岛", "黄岛区") and part.doc_cities == {"a": "青岛"} and not part.main_city
    assert profile.for_document("c", "没有地名").places == ()


def test_figures_from_a_documents_part_equal_those_from_the_whole_profile(real_corpus_copy: Path, tmp_path: Path):
    from rag.answer.facts import extract_facts
    from rag.indexing import prepare
    from rag.settings import load_settings

    prep = prepare(load_settings(corpus_dir=real_corpus_copy, index_dir=tmp_path / "idx"))
    for d in prep.docs:
        chunks = [c for c in prep.chunks if c.doc_id == d.meta.doc_id]
        part = prep.profile.for_document(d.meta.doc_id, f"{d.meta.title}\n{d.text}")
        assert 0 < len(part.places) < len(prep.profile.places)
        whole = extract_facts(d, chunks, prep.profile)
        assert whole and extract_facts(d, chunks, part) == whole


def test_a_place_whose_first_character_ends_an_everyday_word_is_no_mention():
    profile = Profile(places=("中国", "甲市"), main_city="甲市")
    assert profile.places_in("其中国家级单项冠军有几家") == []  # 其中 + 国家级, not 中国
    assert profile.places_in("集中国内资源") == []
    assert profile.places_in("是中国第一，在甲市") == [(1, "中国"), (7, "甲市")]
