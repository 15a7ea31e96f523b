"""Word classes the answerer relies on (real jieba and its dictionary)."""

from __future__ import annotations

import pytest

from rag.tokenize import is_everyday, words


@pytest.mark.parametrize("word", ["拿出", "条件", "强度", "钱花", "那层"])
def test_everyday_wording_is_everyday(word):
    # frequent dictionary words, and words jieba glued from very common characters (钱花在研发上)
    assert is_everyday(word)


@pytest.mark.parametrize("word", ["德鹰", "极氪", "旭升", "华晟达", "建厂", "零件", "独角兽"])
def test_names_and_terms_are_not(word):
    # a rarer character marks a name; a rare dictionary word is a term an answer must name
    assert not is_everyday(word)


def test_names_are_organisations_and_people_not_everyday_nouns():
    from rag.tokenize import names_in

    assert not names_in("那篇讲技术追赶的论文总结了哪些启示？")  # 论文 is tagged nz, but everyday
    assert "均胜电子" in names_in("均胜电子于2011年全资收购德国普瑞有限责任公司") or \
        "德国普瑞有限责任公司" in names_in("均胜电子于2011年全资收购德国普瑞有限责任公司")


def test_a_synonym_list_word_stays_whole_after_a_one_character_word():
    # jieba alone cuts 经工信部认定 into 经工 / 信部 / 认定; the synonym list makes 工信部 a word
    assert "工信部" in words("经工信部认定的企业")


def test_the_fingerprint_covers_the_data_files_the_tokenizer_reads_and_no_others():
    import re
    from importlib import resources

    from rag.tokenize import TOKENIZER_DATA

    source = (resources.files("rag") / "tokenize.py").read_text(encoding="utf-8")
    read = set(re.findall(r'"([\w.]+\.txt)"', source))
    # answer-only word lists (rag/data/wholes.txt …) can change without invalidating saved tokens
    assert read == set(TOKENIZER_DATA) == {"stopwords.txt", "synonyms.txt"}


def test_jieba_reads_its_dictionary_cache_whole_and_gets_the_same_dictionary(tmp_path):
    """jieba's cache is decoded from the whole file (marshal.load on a file object reads
    a few bytes per call: 1.6 s instead of 0.5 s for the 9 MB cache); what it decodes
    is what marshal wrote, and jieba, loaded through it, cuts as before."""
    import marshal

    from rag.tokenize import _WholeFileMarshal, jieba_tokenizer

    written = ({"宁波": 3, "宁": 0, "单项冠军": 1}, 4)
    path = tmp_path / "cache"
    with path.open("wb") as f:
        _WholeFileMarshal.dump(written, f)
    with path.open("rb") as f:
        assert _WholeFileMarshal.load(f) == written == marshal.loads(path.read_bytes())
    jb = jieba_tokenizer()
    assert jb.marshal is _WholeFileMarshal and jb.dt.initialized and jb.dt.total > 1_000_000
    assert jb.lcut("宁波制造业发展很快") == ["宁波", "制造业", "发展", "很快"]
