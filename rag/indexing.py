"""Build the index: corpus → clean → chunk → embed → Chroma (atomic switch)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import socket
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from rag.answer.facts import extract_facts, measure_text
from rag.chunking import chunk_document
from rag.cleaning import clean_document
from rag.corpus import load_corpus
from rag.embedders import Embedder, make_embedder
from rag.errors import BuildLockedError, IndexDamagedError, IndexMissingError
from rag.profile import Profile, derive_profile, load_domain
from rag.schema import Chunk, CleanDoc, DocMeta
from rag.settings import Settings
from rag.store import BuildInfo, ChromaStore, open_client, remove_stale_segments

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


@dataclass
class Prepared:
    """The corpus cleaned and chunked, with its profile (nothing embedded yet)."""

    docs: list[CleanDoc]
    chunks: list[Chunk]
    skipped: list[tuple[str, str]]
    corpus_hash: str
    profile: Profile


def prepare(settings: Settings, cleaned: Callable[[int, int, str], None] | None = None) -> Prepared:
    """Load, clean and chunk the corpus and derive its profile (no embedding).
    ``cleaned(done, total, file name)`` is called after each document is cleaned.

    A document whose manifest entry gives no home city gets the one its own
    title or text names (see rag/profile.py)."""
    loaded = load_corpus(settings.corpus_dir, int(settings.max_doc_mb * 1e6))
    docs = []
    for n, d in enumerate(loaded.docs, 1):
        docs.append(clean_document(d.meta, d.text, d.repair))
        if cleaned:
            cleaned(n, len(loaded.docs), d.path.name)
    domain = load_domain(settings.corpus_dir)
    profile = derive_profile(docs, domain)
    docs = [d if d.meta.home_city else replace(d, meta=replace(d.meta, home_city=profile.doc_cities.get(
        d.meta.doc_id, ""))) for d in docs]
    chunks = [c for d in docs for c in chunk_document(d, settings.chunk_size, settings.chunk_overlap)]
    return Prepared(docs, chunks, loaded.skipped,
                    loaded.fingerprint + _hash(json.dumps(domain)) + builder_fingerprint(), profile)


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:8]


# What the stored index is made by besides the corpus: the cleaning, chunking, profile
# and figure-extraction code and its data files. A change to any of them makes the
# index out of date, so `rag index` rebuilds instead of saying it is current.
BUILDER_PARTS = ("cleaning.py", "chunking.py", "corpus.py", "manifest.py", "profile.py", "indexing.py",
                 "answer/facts.py", "numbers.py", "data")


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


def figures_table(prep: Prepared, embedder: Embedder) -> tuple[list[dict[str, Any]], np.ndarray, str]:
    """Every figure of the corpus as a row, with its measure embedded (rag/answer/facts.py)."""
    rows = []
    seen = set()
    for d in prep.docs:
        for f in extract_facts(d, prep.chunks, prep.profile):
            key = (f.doc_id, f.start, f.shown, f.clause)
            if key not in seen:
                seen.add(key)
                rows.append(f.to_dict())
    vecs = embedder.embed_passages([measure_text(r) for r in rows]) if rows else np.zeros((0, 1))
    return rows, vecs, prep.profile.to_json()


BUILD_STORE_TIMEOUT = 120.0  # seconds a Chroma server call may take while building


def store_for(settings: Settings, create: bool = False) -> ChromaStore:
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


def build_index(
    settings: Settings,
    embedder: Embedder | None = None,
    progress: Callable[[int, int], None] | None = None,
    cleaned: Callable[[int, int, str], None] | None = None,
) -> BuildReport:
    """Build a fresh index and switch to it. ``progress(done, total)`` is called per
    embedding batch, ``cleaned(done, total, file name)`` per cleaned document.
    One build at a time per index folder: a second one raises BuildLockedError."""
    with build_lock(lock_dir(settings)):
        return _build(settings, embedder, progress, cleaned)


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
    or raise BuildLockedError naming the process that holds it."""
    from filelock import FileLock, Timeout

    index_dir.mkdir(parents=True, exist_ok=True)
    owner = index_dir / ".build.owner"
    lock = FileLock(str(index_dir / ".build.lock"))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        holder = owner.read_text(encoding="utf-8").strip() if owner.exists() else "unknown process"
        raise BuildLockedError(holder) from None
    try:
        owner.write_text(f"pid {os.getpid()} on {socket.gethostname()}", encoding="utf-8")
        yield
    finally:
        with contextlib.suppress(OSError):
            owner.unlink()
        lock.release()


def _build(settings: Settings, embedder: Embedder | None, progress: Callable[[int, int], None] | None,
           cleaned: Callable[[int, int, str], None] | None) -> BuildReport:
    prep = prepare(settings, cleaned)
    docs, chunks = prep.docs, prep.chunks
    embedder = embedder or make_embedder(settings.embedder, settings.embedder_model)
    metas = {d.meta.doc_id: d.meta for d in docs}
    done = 0

    def embed(batch: Sequence[Chunk]) -> np.ndarray:
        out = []
        for i in range(0, len(batch), settings.embed_batch):
            part = batch[i : i + settings.embed_batch]
            out.append(embedder.embed_passages([passage_text(c, metas.get(c.doc_id)) for c in part]))
            nonlocal done
            done += len(part)
            if progress:
                progress(done, len(chunks))
        return np.vstack(out)

    info = {
        "embedder": embedder.id,
        "chunk_size": settings.chunk_size,
        "chunk_overlap": settings.chunk_overlap,
        "corpus_hash": prep.corpus_hash,
    }
    facts = figures_table(prep, embedder)
    built = store_for(settings, create=True).build(docs, chunks, embed, info, facts=facts)
    if not settings.chroma_host:
        removed = remove_stale_segments(settings.index_dir / "chroma")
        log.info("Removed %d vector folders of earlier builds", removed)
    log.info("Indexed %d chunks from %d documents", built.n_chunks, built.n_docs)
    return BuildReport(built, prep.skipped, {d.meta.doc_id: d.report for d in docs})
