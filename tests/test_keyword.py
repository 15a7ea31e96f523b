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
