"""Build the index: corpus → clean → chunk → embed → Chroma (atomic switch)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from rag.answer.facts import extract_facts, measure_text
from rag.build_cache import BuildCache, open_cache, text_key
from rag.chunking import chunk_document
from rag.cleaning import clean_document
from rag.corpus import load_corpus
from rag.embedders import Embedder, make_embedder
from rag.errors import BuildLockedError, IndexDamagedError, IndexMissingError
from rag.keyword import (
    KeywordIndex,
    keyword_dir,
    keyword_is_current,
    keyword_tokens,
    save_keyword_index,
)
from rag.profile import Profile, derive_profile, load_domain, places_named
from rag.schema import Chunk, CleanDoc, DocMeta, Section
from rag.settings import Settings
from rag.snapshot import Snapshot, save_snapshot, snapshot_dir
from rag.store import (
    BuildInfo,
    Change,
    ChromaStore,
    ChunkRow,
    DocRow,
    FactRow,
    Store,
    StoredDoc,
    StoreState,
    open_client,
    remove_stale_segments,
    row_order,
)

log = logging.getLogger(__name__)


def passage_text(chunk: Chunk, meta: DocMeta | None) -> str:
    """What gets embedded for a chunk: its nearest heading as context, then the text.

    Measured on eval/qa.jsonl (docs/EVAL.md): the nearest heading beat both the bare
    text and title + full section path on hit@1, and embeds faster than the latter.
    """
    heading = chunk.section.split(" › ")[-1]
    return f"{heading}\n{chunk.text}" if heading else chunk.text


@dataclass
class BuildReport:
    """What a build did: the index info plus skipped files and cleaning counts."""

    info: BuildInfo
    skipped: list[tuple[str, str]]
    cleaning: dict[str, dict[str, int]]
    mode: str = "rebuilt"  # rebuilt | updated | unchanged
    reason: str = ""  # why a full build was made ("--rebuild", "no index yet", "the embedder changed …")
    counts: dict[str, int] = field(default_factory=dict)  # docs_added/changed/removed, chunks_*


@dataclass
class Prepared:
    """The corpus cleaned and chunked, with its profile (nothing embedded yet)."""

    docs: list[CleanDoc]
    chunks: list[Chunk]
    skipped: list[tuple[str, str]]
    corpus_hash: str
    profile: Profile


def prepare(settings: Settings, cleaned: Callable[[int, int, str], None] | None = None,
            cache: BuildCache | None = None) -> Prepared:
    """Load, clean and chunk the corpus and derive its profile (no embedding).
    ``cleaned(done, total, file name)`` is called after each document is cleaned.
    With a ``cache``, a document whose text, metadata and repairs (and the cleaning
    code) did not change since the last build is not cleaned again.

    A document whose manifest entry gives no home city gets the one its own
    title or text names (see rag/profile.py)."""
    loaded = load_corpus(settings.corpus_dir, int(settings.max_doc_mb * 1e6))
    keys = [text_key("clean", builder_fingerprint(), json.dumps(vars(d.meta), ensure_ascii=False),
                     json.dumps(d.repair, ensure_ascii=False, sort_keys=True), d.text) for d in loaded.docs]
    known = cache.get(keys) if cache else {}
    docs, places, fresh = [], [], {}
    for n, (d, key) in enumerate(zip(loaded.docs, keys, strict=True), 1):
        if key in known:
            doc = _clean_from_json(d.meta, known[key])
            named = set(known[key]["places"])
        else:
            doc = clean_document(d.meta, d.text, d.repair)
            named = places_named(f"{doc.meta.title}\n{doc.text}")
            fresh[key] = _clean_to_json(doc, named)
        docs.append(doc)
        places.append(named)
        if cleaned:
            cleaned(n, len(loaded.docs), d.path.name)
    if cache and fresh:
        cache.put(fresh)
    domain = load_domain(settings.corpus_dir)
    profile = derive_profile(docs, domain, places)
    docs = [d if d.meta.home_city else replace(d, meta=replace(d.meta, home_city=profile.doc_cities.get(
        d.meta.doc_id, ""))) for d in docs]
    chunks = [c for d in docs for c in chunk_document(d, settings.chunk_size, settings.chunk_overlap)]
    return Prepared(docs, chunks, loaded.skipped,
                    loaded.fingerprint + _hash(json.dumps(domain)) + builder_fingerprint(), profile)


def _clean_to_json(doc: CleanDoc, places: set[str]) -> dict[str, Any]:
    return {"text": doc.text, "sections": [asdict(s) for s in doc.sections], "report": doc.report,
            "places": sorted(places)}


def _clean_from_json(meta: DocMeta, data: dict[str, Any]) -> CleanDoc:
    return CleanDoc(meta, str(data["text"]), tuple(Section(**s) for s in data["sections"]),
                    {str(k): int(v) for k, v in data["report"].items()})


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:8]


# What the stored index is made by besides the corpus: the cleaning, chunking, profile
# and figure-extraction code and the data files it reads. A change to any of them makes
# the index out of date, so `rag index` rebuilds instead of saying it is current. The
# answer step's own word lists (rag/data/colloquial.txt, measures.txt, wholes.txt) are
# not here: editing them must not throw away a saved index (tests/test_indexing.py
# checks that every module and data file the builder reads is listed).
BUILDER_PARTS = ("cleaning.py", "chunking.py", "corpus.py", "manifest.py", "profile.py", "indexing.py",
                 "answer/facts.py", "answer/boilerplate.py", "numbers.py", "tokenize.py", "keyword.py",
                 "extract", "data/places.txt", "data/stopwords.txt", "data/synonyms.txt")


@lru_cache(maxsize=1)
def builder_fingerprint() -> str:
    """A short hash of the code and data files that shape the index."""
    root = resources.files("rag")
    digest = hashlib.sha256()
    for part in BUILDER_PARTS:
        node = root.joinpath(part)
        files = sorted((f for f in node.iterdir() if f.is_file()), key=lambda f: f.name) \
            if node.is_dir() else [node]
        for f in files:
            digest.update(f.name.encode() + f.read_bytes())
    return digest.hexdigest()[:8]


def figure_rows(prep: Prepared, cache: BuildCache | None = None) -> list[dict[str, Any]]:
    """Every figure of the corpus as a row (rag/answer/facts.py), each with ``seq`` (its
    place among its document's figures). A document's rows are cached by its content
    and its part of the profile (the places it names, its city), so an update extracts
    only from changed documents and from those naming a place that changed."""
    parts = {d.meta.doc_id: prep.profile.for_document(d.meta.doc_id, f"{d.meta.title}\n{d.text}")
             for d in prep.docs}
    keys = {d.meta.doc_id: text_key("facts", parts[d.meta.doc_id].to_json(), builder_fingerprint(), _doc_hash(d))
            for d in prep.docs}
    known = cache.get(keys.values()) if cache else {}
    by_doc: dict[str, list[Chunk]] = {}
    for c in prep.chunks:
        by_doc.setdefault(c.doc_id, []).append(c)
    rows, fresh = [], {}
    for d in prep.docs:
        key = keys[d.meta.doc_id]
        if key not in known:
            mine: list[dict[str, Any]] = []
            seen: set[tuple[int, str, str]] = set()
            for f in extract_facts(d, by_doc.get(d.meta.doc_id, []), parts[d.meta.doc_id]):
                if (f.start, f.shown, f.clause) not in seen:
                    seen.add((f.start, f.shown, f.clause))
                    mine.append({**f.to_dict(), "seq": len(mine)})
            known[key] = fresh[key] = mine
        rows += known[key]
    if cache and fresh:
        cache.put(fresh)
    return rows


def _doc_hash(doc: CleanDoc) -> str:
    return text_key(json.dumps(vars(doc.meta), ensure_ascii=False), doc.text,
                    json.dumps([vars(s) for s in doc.sections]))


def _chunk_hash(chunk: Chunk, passage: str) -> str:
    return text_key(passage, chunk.section, str(chunk.end))


def _fact_id(row: dict[str, Any]) -> str:
    return text_key(json.dumps(row, ensure_ascii=False, sort_keys=True))


BUILD_STORE_TIMEOUT = 120.0  # seconds a Chroma server call may take while building


def store_for(settings: Settings, create: bool = False) -> Store:
    """The Chroma store the settings point at. Unless ``create``, a missing index
    raises IndexMissingError instead of creating an empty database."""
    if settings.chroma_host:
        where = f"chroma://{settings.chroma_host}:{settings.chroma_port}"
        # a build's large writes get longer than a request's reads
        wait = max(settings.store_timeout, BUILD_STORE_TIMEOUT) if create else settings.store_timeout
        client = open_client(settings.index_dir, settings.chroma_host, settings.chroma_port, wait)
        return ChromaStore(client, settings.collection, where)
    if not create and not (settings.index_dir / "chroma").exists():
        raise IndexMissingError(str(settings.index_dir))
    try:
        client = open_client(settings.index_dir)
    except IndexDamagedError:
        if not create:
            raise
        # a build replaces a damaged database: keep it aside (nothing is deleted), start afresh
        aside = settings.index_dir / f"chroma.damaged-{time.strftime('%Y%m%d%H%M%S')}"
        (settings.index_dir / "chroma").rename(aside)
        log.warning("The index database was damaged; moved it to %s and building a new one", aside)
        client = open_client(settings.index_dir)
    return ChromaStore(client, settings.collection, str(settings.index_dir))


Progress = Callable[[int, int], None]


def build_index(settings: Settings, embedder: Embedder | None = None, progress: Progress | None = None,
                cleaned: Callable[[int, int, str], None] | None = None,
                written: Progress | None = None) -> BuildReport:
    """Build a fresh index and switch to it atomically (``rag index --rebuild``).
    Embeddings of unchanged passages come from the build cache.
    ``progress(done, total)`` is called per embedding batch, ``cleaned(done, total,
    file name)`` per cleaned document, ``written(done, total)`` per stored batch.
    One build at a time per index folder: a second one raises BuildLockedError."""
    with build_lock(lock_dir(settings)), open_cache(settings.index_dir) as cache:
        return _sync(settings, cache, embedder, Callbacks(progress, cleaned, written), "--rebuild")


def update_index(settings: Settings, embedder: Embedder | None = None, progress: Progress | None = None,
                 cleaned: Callable[[int, int, str], None] | None = None,
                 written: Progress | None = None) -> BuildReport:
    """Bring the index up to date with the corpus folder (``rag index``): embed and add
    only new or changed passages, delete what was removed, keep everything else. Falls
    back to a full build (saying why) when there is no index yet or the embedder or
    chunking settings changed. Same callbacks and lock as ``build_index``."""
    with build_lock(lock_dir(settings)), open_cache(settings.index_dir) as cache:
        return _sync(settings, cache, embedder, Callbacks(progress, cleaned, written), "")


def lock_dir(settings: Settings) -> Path:
    """Where the build lock lives: the index folder, or for a Chroma server (which
    keeps nothing locally) a folder in the temp directory named for that server."""
    if not settings.chroma_host:
        return settings.index_dir
    server = f"{settings.chroma_host}:{settings.chroma_port}/{settings.collection}"
    return Path(tempfile.gettempdir()) / f"rag-build-{_hash(server)}"


@contextmanager
def build_lock(index_dir: Path) -> Iterator[None]:
    """Hold the index folder's build lock (a lock file; released if the process dies),
    or raise BuildLockedError naming the process that holds it. Re-entrant within one
    thread; another thread or process is refused."""
    from filelock import FileLock, Timeout

    index_dir.mkdir(parents=True, exist_ok=True)
    key = str(index_dir.resolve())
    held: set[str] = _HELD.__dict__.setdefault("dirs", set())
    if key in held:  # this thread holds it already (adding a file, then updating the index)
        yield
        return
    owner = index_dir / ".build.owner"
    lock = FileLock(str(index_dir / ".build.lock"))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        holder = owner.read_text(encoding="utf-8").strip() if owner.exists() else "unknown process"
        raise BuildLockedError(holder) from None
    held.add(key)
    try:
        owner.write_text(f"pid {os.getpid()} on {socket.gethostname()}", encoding="utf-8")
        yield
    finally:
        held.discard(key)
        with contextlib.suppress(OSError):
            owner.unlink()
        lock.release()


_HELD = threading.local()  # index folders whose build lock this thread holds


@dataclass(frozen=True)
class Callbacks:
    """Progress callbacks of a build (each may be None)."""

    embedded: Progress | None = None
    cleaned: Callable[[int, int, str], None] | None = None
    written: Progress | None = None


def rebuild_reason(store: Store, settings: Settings, embedder_name: str) -> str:
    """Why an update cannot be incremental ('' when it can): no index yet, another
    embedder, other chunking settings, or an index written before updates existed."""
    if not store.active_tag():
        return "no index yet"
    info = store.info()
    if info.embedder != embedder_name:
        return f"the embedder changed ({info.embedder} -> {embedder_name})"
    if (info.chunk_size, info.chunk_overlap) != (settings.chunk_size, settings.chunk_overlap):
        return (f"the chunking settings changed (size/overlap {info.chunk_size}/{info.chunk_overlap} -> "
                f"{settings.chunk_size}/{settings.chunk_overlap})")
    if not info.builder:
        return "the index was made by an older version that kept no content hashes"
    return ""


def _sync(settings: Settings, cache: BuildCache, embedder: Embedder | None, calls: Callbacks,
          forced: str) -> BuildReport:
    prep = prepare(settings, calls.cleaned, cache)
    embedder = embedder or make_embedder(settings.embedder, settings.embedder_model)
    store = store_for(settings, create=True)
    why = forced or rebuild_reason(store, settings, embedder.id)
    state = StoreState() if why else store.state()
    change, counts, snap = plan_change(prep, state, settings, embedder, cache, calls.embedded)
    change.info = {"embedder": embedder.id, "chunk_size": settings.chunk_size,
                   "chunk_overlap": settings.chunk_overlap, "corpus_hash": prep.corpus_hash,
                   "builder": builder_fingerprint(), "dim": counts.pop("dim")}
    if why:
        log.info("Building the whole index: %s", why)
        built, mode = store.build(change, calls.written), "rebuilt"
    elif change.empty:
        built, mode = store.info(), "unchanged"
    else:
        change.info["dim"] = change.info["dim"] or store.info().dim
        built, mode = store.update(change, calls.written), "updated"
    if not settings.chroma_host:
        removed = remove_stale_segments(settings.index_dir / "chroma")
        log.info("Removed %d vector folders of earlier builds", removed)
    if mode != "unchanged" or not keyword_is_current(keyword_dir(settings.index_dir, built.tag)):
        save_keyword(settings, prep, built, cache)
    if mode != "unchanged" or not snapshot_dir(settings.index_dir, built.tag).exists():
        save_snapshot(settings.index_dir, built.tag, snap, prune=True)
    log.info("Index %s: %d chunks from %d documents", mode, built.n_chunks, built.n_docs)
    return BuildReport(built, prep.skipped, {d.meta.doc_id: d.report for d in prep.docs}, mode, why, counts)


def save_keyword(settings: Settings, prep: Prepared, built: BuildInfo, cache: BuildCache) -> None:
    """Save the keyword index of the build just written, in the order readers load the
    chunks, so loading it is a file read instead of tokenising every chunk."""
    chunks = sorted(prep.chunks, key=lambda c: (c.doc_id, c.start))
    metas = {d.meta.doc_id: d.meta for d in prep.docs}
    index = KeywordIndex(chunks, metas, keyword_tokens(chunks, metas, prep.profile.terms, cache))
    save_keyword_index(settings.index_dir, built.tag, index)


def plan_change(prep: Prepared, state: StoreState, settings: Settings, embedder: Embedder,
                cache: BuildCache, embedded: Progress | None = None) -> tuple[Change, dict[str, int], Snapshot]:
    """What to write so the store holds ``prep``: rows whose content hash differs from
    ``state`` (embedded, or taken from the cache), and ids ``state`` has but ``prep``
    lacks. Also counts for the report (documents added/changed/removed, passages
    embedded/reused/deleted), and the snapshot readers load once it is written."""
    metas = {d.meta.doc_id: d.meta for d in prep.docs}
    passages = {c.chunk_id: passage_text(c, metas.get(c.doc_id)) for c in prep.chunks}
    wanted = {c.chunk_id: _chunk_hash(c, passages[c.chunk_id]) for c in prep.chunks}
    new_chunks = [c for c in prep.chunks if state.chunks.get(c.chunk_id) != wanted[c.chunk_id]]
    vectors, computed = _embed(embedder, [passages[c.chunk_id] for c in new_chunks], settings, cache, embedded)
    change = Change(info={}, profile=prep.profile.to_json())
    change.profile_changed = bool(state.chunks) and state.profile != change.profile
    change.chunks = [ChunkRow(c, wanted[c.chunk_id], v) for c, v in zip(new_chunks, vectors, strict=True)]
    change.drop_chunks = sorted(set(state.chunks) - set(wanted))
    now = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    doc_hashes = {d.meta.doc_id: _doc_hash(d) for d in prep.docs}
    added = {d.meta.doc_id: state.docs.get(d.meta.doc_id, ("", now))[1] or now for d in prep.docs}
    change.docs = [DocRow(d, doc_hashes[d.meta.doc_id], added[d.meta.doc_id])
                   for d in prep.docs if state.docs.get(d.meta.doc_id, ("", ""))[0] != doc_hashes[d.meta.doc_id]]
    change.drop_docs = sorted(set(state.docs) - set(doc_hashes))
    rows = {_fact_id(r): r for r in figure_rows(prep, cache)}
    ids = sorted(rows, key=lambda i: row_order(rows[i], i))
    fact_vecs, _ = _embed(embedder, [measure_text(rows[i]) for i in ids], settings, cache)  # old ones cached
    change.facts = [FactRow(i, rows[i], v) for i, v in zip(ids, fact_vecs, strict=True) if i not in state.facts]
    change.drop_facts = sorted(state.facts - set(rows))
    snap = Snapshot(sorted(prep.chunks, key=lambda c: (c.doc_id, c.start)),
                    {d.meta.doc_id: StoredDoc(d.meta, d.text, d.sections, added[d.meta.doc_id])
                     for d in sorted(prep.docs, key=lambda d: d.meta.doc_id)},
                    [rows[i] for i in ids], fact_vecs, change.profile)
    counts = {"docs_added": sum(1 for d in change.docs if d.doc.meta.doc_id not in state.docs),
              "docs_changed": sum(1 for d in change.docs if d.doc.meta.doc_id in state.docs),
              "docs_removed": len(change.drop_docs), "chunks_written": len(change.chunks),
              "chunks_embedded": computed, "chunks_deleted": len(change.drop_chunks),
              "dim": int(vectors.shape[1]) if len(vectors) else 0}
    return change, counts, snap


def _embed(embedder: Embedder, texts: Sequence[str], settings: Settings, cache: BuildCache,
           progress: Progress | None = None) -> tuple[np.ndarray, int]:
    """Vectors for ``texts`` (cached ones reused), and how many had to be computed."""
    computed = 0

    def compute(missing: Sequence[str]) -> np.ndarray:
        nonlocal computed
        out = []
        for i in range(0, len(missing), settings.embed_batch):
            out.append(embedder.embed_passages(list(missing[i : i + settings.embed_batch])))
            computed = min(len(missing), i + settings.embed_batch)
            if progress:
                progress(computed, len(missing))
        return np.vstack(out)

    vecs = cache.embed(embedder.id, texts, compute)
    if progress and not computed:
        progress(0, 0)
    return vecs, computed
