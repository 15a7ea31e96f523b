"""BM25 over jieba tokens, with the document's own city for 我市."""

from __future__ import annotations

from rag.keyword import KeywordIndex
from rag.schema import Chunk, DocMeta
from rag.tokenize import tokens


def test_jieba_tokens_not_whole_clauses(corpus_terms):
    toks = tokens("宁波单项冠军企业的技术追赶模式有哪几种？")
    assert "追赶模式" in toks and "单项冠军企业" in toks
    assert "的" not in toks and "哪几种" not in toks
    assert all(len(t) < 10 for t in toks)


def test_self_reference_is_indexed_as_the_documents_city():
    docs = {"s": DocMeta("s", "苏州专报", home_city="苏州"), "n": DocMeta("n", "宁波报道")}
    chunks = [
        Chunk("s1", "s", "我市拥有小巨人企业172家。", "", 0, 10),
        Chunk("n1", "n", "宁波拥有小巨人企业283家。", "", 0, 10),
        Chunk("n2", "n", "宁波港口优势明显。", "", 0, 10),
    ]
    index = KeywordIndex(chunks, docs)
    assert index.search("苏州小巨人企业", 3)[0][0] == "s1"
    assert [cid for cid, _ in index.search("小巨人", 3, doc_ids=["n"])] == ["n1"]
    assert index.word_idf("港口") is not None and index.word_idf("人口") is None


def test_real_index_finds_company_by_name(pipeline):
    top = pipeline.retriever.keyword.search("天生密封件 创建", 3)
    chunk = pipeline.retriever.chunks[top[0][0]]
    assert "天生密封件" in chunk.text


def test_a_saved_index_loads_for_the_same_chunks_only(tmp_path):
    docs = {"n": DocMeta("n", "甲市报道")}
    chunks = [Chunk("n1", "n", "甲市拥有小巨人企业283家。", "", 0, 10),
              Chunk("n2", "n", "甲市港口优势明显。", "", 10, 20)]
    built = KeywordIndex(chunks, docs)
    built.save(tmp_path / "kw")
    loaded = KeywordIndex.load(tmp_path / "kw", chunks, docs)
    assert loaded is not None
    for query in ("小巨人企业", "港口", "甲市"):
        assert loaded.search(query, 2) == built.search(query, 2)
    assert loaded.doc_freq == built.doc_freq and loaded.idf("港口") == built.idf("港口")
    assert KeywordIndex.load(tmp_path / "kw", chunks[:1], docs) is None  # other chunks: build anew
    assert KeywordIndex.load(tmp_path / "nothing", chunks, docs) is None


def test_each_index_version_saves_its_keyword_index_and_drops_older_ones(tiny_corpus, tmp_path):
    from rag.indexing import update_index
    from rag.keyword import keyword_dir
    from rag.pipeline import Pipeline
    from rag.settings import load_settings

    settings = load_settings(corpus_dir=tiny_corpus, index_dir=tmp_path / "idx")
    first = update_index(settings).info
    assert keyword_dir(settings.index_dir, first.tag).is_dir()
    (tiny_corpus / "c.txt").write_text("# 丙公司\n\n丙公司生产工业机器人减速器。\n", encoding="utf-8")
    second = update_index(settings).info
    saved = list((settings.index_dir / "keyword").iterdir())
    assert saved == [keyword_dir(settings.index_dir, second.tag)]
    pipe = Pipeline.load(settings)
    assert pipe.retriever.keyword.search("减速器", 1)[0][0].startswith("c")


def test_an_unchanged_corpus_gets_a_new_keyword_index_when_the_tokenizer_changed(tiny_corpus, tmp_path, monkeypatch):
    from rag.indexing import update_index
    from rag.keyword import keyword_dir, keyword_is_current
    from rag.settings import load_settings

    settings = load_settings(corpus_dir=tiny_corpus, index_dir=tmp_path / "idx")
    folder = keyword_dir(settings.index_dir, update_index(settings).info.tag)
    assert keyword_is_current(folder)
    # stands in for an edited word list (rag/data/synonyms.txt): the fingerprint is what changes
    monkeypatch.setattr("rag.keyword.tokenizer_fingerprint", lambda: "another tokenizer")
    assert not keyword_is_current(folder)
    report = update_index(settings)
    assert report.mode == "unchanged" and keyword_is_current(folder)
