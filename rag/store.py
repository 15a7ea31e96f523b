"""Chroma adapter: the only module that touches chromadb.

Layout inside one Chroma database (embedded PersistentClient under index/):
- ``<base>_<stamp>``: chunk vectors, chunk text and metadata; the collection
  metadata records embedder id, dimension, chunking parameters, corpus hash
  and build time.
- ``<base>_<stamp>_docs``: one record per document (metadata + cleaned text).
- ``<base>_<stamp>_facts``: the figures table (one record per figure, its
  measure embedded) and, in the collection metadata, the corpus profile.
- ``<base>__active``: a pointer whose metadata names the live build.

A rebuild writes a new ``<base>_<stamp>`` pair, then flips the pointer, then
drops the old pair, so a failed or interrupted build leaves the old index serving.

Dense search keeps the live chunk collection's handle and row count per build version
(``name@version``), so a search is one Chroma query, not a pointer read, a collection
lookup and a count before it. The kept handle is let go when this store writes, when
``active_tag()`` (what readers poll to see a new version) names another version, and
when its collection has gone (a rebuild elsewhere dropped it): then the search looks
the live build up again, as every search did before.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import json
import logging
import re
import shutil
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from rag.errors import IndexDamagedError, IndexMissingError, StoreUnavailableError
from rag.schema import Chunk, CleanDoc, DocMeta, Section

log = logging.getLogger(__name__)

BATCH = 256

# Chroma saves a collection's vector index every ``sync_threshold`` rows written (1,000
# by default) and replays the rows written since at its first use in each process. The
# documents collection (a few hundred rows, each a whole text) was never saved, so each
# update replayed all of it: 1.7 s per upsert at 10k chunks (docs/BENCHMARKS.md).
HNSW_PASSAGES = {"space": "cosine", "sync_threshold": 100}
HNSW_DOCS = {"sync_threshold": 10}
HNSW_FACTS = {"sync_threshold": 100}


@dataclass(frozen=True)
class BuildInfo:
    """What an index was built from and with."""

    name: str
    embedder: str
    dim: int
    chunk_size: int
    chunk_overlap: int
    corpus_hash: str
    built_at: str
    n_chunks: int
    n_docs: int
    version: int = 1  # moves on with every incremental update of the build
    builder: str = ""  # fingerprint of the indexing code that last wrote it

    @property
    def tag(self) -> str:
        """Changes whenever what readers should load changes: build name and version."""
        return f"{self.name}@{self.version}"


@dataclass
class StoreState:
    """Content hashes of a stored build: chunk id → hash, doc id → (hash, added), fact ids."""

    chunks: dict[str, str] = field(default_factory=dict)
    docs: dict[str, tuple[str, str]] = field(default_factory=dict)
    facts: set[str] = field(default_factory=set)
    profile: str = ""  # the corpus profile (JSON) stored with the build


@dataclass(frozen=True)
class ChunkRow:
    """A chunk to store: the chunk, a hash of what was embedded, its vector."""

    chunk: Chunk
    hash: str
    vector: np.ndarray


@dataclass(frozen=True)
class DocRow:
    """A document to store, with its content hash and when it was first added."""

    doc: CleanDoc
    hash: str
    added: str


@dataclass(frozen=True)
class FactRow:
    """A row of the figures table (id = hash of the row) and its measure vector."""

    fact_id: str
    row: dict[str, Any]
    vector: np.ndarray


@dataclass
class Change:
    """What a build or update writes: rows to add or replace, ids to delete, the corpus
    profile (JSON) and the build metadata (embedder, dim, chunking, hashes)."""

    info: dict[str, Any]
    profile: str = ""
    chunks: list[ChunkRow] = field(default_factory=list)
    docs: list[DocRow] = field(default_factory=list)
    facts: list[FactRow] = field(default_factory=list)
    drop_chunks: list[str] = field(default_factory=list)
    drop_docs: list[str] = field(default_factory=list)
    drop_facts: list[str] = field(default_factory=list)
    profile_changed: bool = False  # only the profile differs (domain.json aliases): still written

    @property
    def empty(self) -> bool:
        """Nothing to add, delete or re-describe."""
        return not (self.chunks or self.docs or self.facts or self.drop_chunks or self.drop_docs
                    or self.drop_facts or self.profile_changed)


def _doc_metadata(row: DocRow) -> dict[str, Any]:
    return {
        "meta": json.dumps(asdict(row.doc.meta), ensure_ascii=False),
        "sections": json.dumps([asdict(s) for s in row.doc.sections], ensure_ascii=False),
        "h": row.hash,
        "added": row.added,
    }


@dataclass
class StoredDoc:
    """A document as kept in the index: metadata, cleaned text and sections."""

    meta: DocMeta
    text: str
    sections: tuple[Section, ...]
    added: str = ""  # when the document first entered the index (ISO time)


@runtime_checkable
class Store(Protocol):
    """Where a build lives: what the pipeline, the page and the API talk to. Readers
    load a snapshot (documents, chunks, figures) and query vectors; builders compare
    ``state()`` with the corpus and write a ``Change``, as a new build (``build``,
    atomic switch) or in place (``update``, a new version). ``ChromaStore`` is the one
    implementation; embedded Chroma and a Chroma server are two configurations of it."""

    def active_tag(self) -> str:
        """``name@version`` of the live build ('' when none); changes with every write."""
        ...

    def info(self) -> BuildInfo:
        """Build metadata of the live build. Raises IndexMissingError."""
        ...

    def documents(self) -> dict[str, StoredDoc]:
        """Documents of the live build by id."""
        ...

    def chunks(self) -> list[Chunk]:
        """Every chunk of the live build, in document order."""
        ...

    def facts(self) -> tuple[list[dict[str, Any]], np.ndarray, str]:
        """The figures table: rows, their measure vectors, the corpus profile (JSON)."""
        ...

    def dense_search(self, vector: np.ndarray, n: int,
                     doc_ids: Sequence[str] | None = None) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) of the ``n`` nearest chunks."""
        ...

    def state(self) -> StoreState:
        """Content hashes of the live build (empty when none)."""
        ...

    def build(self, change: Change, written: Callable[[int, int], None] | None = None) -> BuildInfo:
        """Write a whole new build and switch to it atomically."""
        ...

    def update(self, change: Change, written: Callable[[int, int], None] | None = None) -> BuildInfo:
        """Apply a change to the live build in place (a new version)."""
        ...


def open_client(index_dir: Path, host: str = "", port: int = 8000, timeout: float = 5.0) -> Any:
    """Embedded Chroma under ``index_dir/chroma``, or a ``chroma run`` server when
    ``host`` is set (telemetry off either way). Every call to a server gives up after
    ``timeout`` seconds (StoreUnavailableError) instead of hanging with it."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if host:
        connecting = _CONNECT_POOL.submit(chromadb.HttpClient, host=host, port=port, settings=chroma_settings)
        try:
            client = connecting.result(timeout=timeout)
        except concurrent.futures.TimeoutError:
            raise StoreUnavailableError(f"{host}:{port}", f"no answer within {timeout:g} s") from None
        except Exception as exc:  # noqa: BLE001 - chromadb raises several kinds here
            raise StoreUnavailableError(f"{host}:{port}", str(exc)[:200]) from None
        _limit_wait(client, timeout)
        return client
    try:
        return chromadb.PersistentClient(path=str(index_dir / "chroma"), settings=chroma_settings)
    except Exception as exc:  # noqa: BLE001 - a damaged sqlite file raises chromadb's InternalError
        if _damaged(exc):
            from chromadb.api.shared_system_client import SharedSystemClient

            SharedSystemClient.clear_system_cache()  # else this process reuses the broken client
            raise IndexDamagedError(str(index_dir), str(exc)[:120]) from None
        raise


_CONNECT_POOL = concurrent.futures.ThreadPoolExecutor(max_workers=2, thread_name_prefix="chroma-connect")


def _limit_wait(client: Any, timeout: float) -> None:
    """Give the Chroma HTTP client's session a timeout (chromadb creates it with none,
    so a stopped server would hang every request)."""
    import httpx

    session = getattr(getattr(client, "_server", None), "_session", None)
    if isinstance(session, httpx.Client):
        session.timeout = httpx.Timeout(timeout)
    else:
        log.warning("Could not set a timeout on the Chroma client; a hung server may hang requests")


def _damaged(exc: Exception) -> bool:
    """Whether a Chroma error says its database file is unreadable."""
    text = str(exc).lower()
    return any(w in text for w in ("not a database", "malformed", "disk image", "corrupt", "file is encrypted"))


SEGMENT_DIR = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def remove_stale_segments(chroma_dir: Path) -> int:
    """Delete the vector folders an embedded Chroma keeps after their collections were
    deleted (one per earlier build); the folders of live segments stay. Returns how
    many were removed."""
    db = chroma_dir / "chroma.sqlite3"
    if not db.exists():
        return 0
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        live = {row[0] for row in conn.execute("SELECT id FROM segments")}
    removed = 0
    for folder in chroma_dir.iterdir():
        if folder.is_dir() and SEGMENT_DIR.match(folder.name) and folder.name not in live:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed


READ_PAGE = 5000  # rows per read: one read of ~33,000 rows fails in Chroma's SQLite ("too many SQL variables")


def read_all(col: Any, include: list[str]) -> dict[str, list[Any]]:
    """Every row of a collection (ids plus the ``include`` fields), read a page at a time."""
    out: dict[str, list[Any]] = {"ids": [], **{k: [] for k in include}}
    total = col.count()
    for offset in range(0, total, READ_PAGE):
        got = col.get(include=include, limit=READ_PAGE, offset=offset)
        out["ids"] += list(got["ids"])
        for k in include:
            out[k] += list(got[k])
    return out


def _tag(pointer: dict[str, Any]) -> str:
    """``name@version`` the pointer's metadata names ('' when none)."""
    return f"{pointer['active']}@{pointer.get('version', 1)}" if pointer.get("active") else ""


def row_order(row: dict[str, Any], fact_id: str) -> tuple[str, int, int, str]:
    """Figures in document order: by document, then position in it, then extraction order."""
    return (str(row.get("doc_id", "")), int(row.get("start", 0)), int(row.get("seq", 0)), fact_id)


def _unreachable(exc: Exception) -> bool:
    text = f"{type(exc).__name__} {exc}".lower()
    return any(w in text for w in ("connect", "connection", "timeout", "unavailable", "refused"))


def _gone(exc: Exception) -> bool:
    """Whether a Chroma error says the collection no longer exists."""
    from chromadb.errors import NotFoundError

    return isinstance(exc, NotFoundError)


@dataclass(frozen=True)
class SearchTarget:
    """The live chunk collection as dense search found it: the build's ``name@version``,
    the collection handle and its row count at that version."""

    tag: str
    collection: Any
    count: int


class ChromaStore:
    """Build and read the chunk index in one Chroma database.

    ``keep_handle=False`` looks the live build up before every dense search (a pointer
    read, a collection lookup and a count), as it was done before the handle was kept:
    what bench/search_calls.py compares with."""

    def __init__(self, client: Any, base: str, where: str, *, keep_handle: bool = True) -> None:
        self.client = client
        self.base = base
        self.where = where  # shown in "index missing" errors
        self.keep_handle = keep_handle
        self._target: SearchTarget | None = None  # read without the lock: an immutable value, swapped whole
        self._forgets = 0  # a lookup started before a forget must not keep what it found
        self._target_lock = threading.Lock()

    def _as_store_error(self, exc: Exception) -> Exception:
        """The user-facing error a failed Chroma call stands for (server unreachable,
        database damaged), or the exception itself when it is neither."""
        if _unreachable(exc):
            return StoreUnavailableError(self.where, str(exc)[:200])
        if _damaged(exc):
            return IndexDamagedError(self.where, str(exc)[:120])
        return exc

    # ---- reading -------------------------------------------------------
    def _pointer(self) -> dict[str, Any]:
        """Metadata of the pointer to the live build ({} when nothing was built yet)."""
        from chromadb.errors import NotFoundError

        try:
            pointer = self.client.get_collection(f"{self.base}__active")
        except (NotFoundError, ValueError):
            return {}
        except Exception as exc:
            raise self._as_store_error(exc) from None
        return dict(pointer.metadata or {})

    def active_name(self) -> str | None:
        """Name of the live build, or None when nothing was built yet."""
        return self._pointer().get("active")

    def active_tag(self) -> str:
        """``name@version`` of the live build ('' when none): changes with every rebuild
        and every incremental update, so a reader knows when to reload. A kept search
        handle of another version is let go here."""
        tag = _tag(self._pointer())
        kept = self._target
        if kept is None or kept.tag != tag:
            self.forget_search_target()
        return tag

    def _active(self) -> Any:
        name = self.active_name()
        if not name:
            raise IndexMissingError(self.where)
        return self.client.get_collection(name, embedding_function=None)

    def info(self) -> BuildInfo:
        """Build metadata of the live index. Raises IndexMissingError."""
        col = self._active()
        m = dict(col.metadata or {})
        fields = BuildInfo.__dataclass_fields__
        given = {k: m[k] for k in fields if k != "name" and k in m}
        return BuildInfo(name=col.name, **given)

    def chunks(self) -> list[Chunk]:
        """Every chunk of the live index, in document order."""
        col = self._active()
        got = read_all(col, ["documents", "metadatas"])
        out = [
            Chunk(
                chunk_id=cid,
                doc_id=str(m["doc_id"]),
                text=str(doc),
                section=str(m.get("section", "")),
                start=int(m["start"]),
                end=int(m["end"]),
            )
            for cid, doc, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
        ]
        return sorted(out, key=lambda c: (c.doc_id, c.start))

    def documents(self) -> dict[str, StoredDoc]:
        """Documents of the live index by id."""
        name = self.active_name()
        if not name:
            raise IndexMissingError(self.where)
        got = read_all(self.client.get_collection(f"{name}_docs", embedding_function=None),
                       ["documents", "metadatas"])
        docs: dict[str, StoredDoc] = {}
        for doc_id, text, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True):
            meta = DocMeta(**json.loads(str(m["meta"])))
            sections = tuple(Section(**s) for s in json.loads(str(m["sections"])))
            docs[doc_id] = StoredDoc(meta, str(text), sections, str(m.get("added", "")))
        return dict(sorted(docs.items()))

    def search_target(self) -> SearchTarget:
        """The live chunk collection and its count: the kept one, or looked up (and kept,
        unless ``keep_handle`` is off). Raises IndexMissingError."""
        kept, forgets = self._target, self._forgets
        if kept is not None:
            return kept
        pointer = self._pointer()
        if not pointer.get("active"):
            raise IndexMissingError(self.where)
        col = self.client.get_collection(pointer["active"], embedding_function=None)
        found = SearchTarget(_tag(pointer), col, col.count())
        with self._target_lock:
            if self.keep_handle and forgets == self._forgets:
                self._target = found
        return found

    def forget_search_target(self) -> None:
        """Let the kept handle go: the next dense search looks the live build up again."""
        with self._target_lock:
            self._forgets += 1
            self._target = None

    def dense_search(
        self, vector: np.ndarray, n: int, doc_ids: Sequence[str] | None = None
    ) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) of the ``n`` nearest chunks."""
        where = {"doc_id": {"$in": list(doc_ids)}} if doc_ids else None

        def query(target: SearchTarget) -> Any:
            return target.collection.query(query_embeddings=[vector.tolist()], where=where,
                                           n_results=max(1, min(n, target.count)), include=["distances"])

        kept = self._target
        try:
            try:
                res = query(kept or self.search_target())
            except Exception as exc:
                if kept is None or not _gone(exc):
                    raise
                self.forget_search_target()  # a rebuild dropped the kept build: find the live one
                res = query(self.search_target())
        except StoreUnavailableError:
            raise
        except Exception as exc:
            raise self._as_store_error(exc) from None
        return [(cid, 1.0 - float(d)) for cid, d in zip(res["ids"][0], res["distances"][0], strict=True)]

    def facts(self) -> tuple[list[dict[str, Any]], np.ndarray, str]:
        """The figures table of the live build: rows, their measure vectors and the
        corpus profile (JSON). Builds made before the table existed give empty ones."""
        from chromadb.errors import NotFoundError

        name = self.active_name()
        if not name:
            raise IndexMissingError(self.where)
        try:
            col = self.client.get_collection(f"{name}_facts", embedding_function=None)
        except (NotFoundError, ValueError):
            return [], np.zeros((0, 0), dtype=np.float32), ""
        got = read_all(col, ["metadatas", "embeddings"])
        rows = [json.loads(str(m["row"])) for m in got["metadatas"]]
        order = sorted(range(len(rows)), key=lambda i: row_order(rows[i], got["ids"][i]))
        vecs = np.asarray(got["embeddings"], dtype=np.float32) if rows else np.zeros((0, 0), np.float32)
        profile = str((col.metadata or {}).get("profile", ""))
        return [rows[i] for i in order], (vecs[order] if rows else vecs), profile

    # ---- writing -------------------------------------------------------
    def state(self) -> StoreState:
        """Content hashes of what the live build holds (empty when nothing is built):
        what an incremental update compares the corpus with."""
        name = self.active_name()
        if not name:
            return StoreState()
        try:
            chunks = read_all(self.client.get_collection(name, embedding_function=None), ["metadatas"])
            docs = read_all(self.client.get_collection(f"{name}_docs", embedding_function=None), ["metadatas"])
            facts_col = self.client.get_collection(f"{name}_facts", embedding_function=None)
            facts = read_all(facts_col, [])
        except Exception as exc:
            raise self._as_store_error(exc) from None
        return StoreState(
            profile=str((facts_col.metadata or {}).get("profile", "")),
            chunks={cid: str(m.get("h", "")) for cid, m in zip(chunks["ids"], chunks["metadatas"], strict=True)},
            docs={did: (str(m.get("h", "")), str(m.get("added", "")))
                  for did, m in zip(docs["ids"], docs["metadatas"], strict=True)},
            facts=set(facts["ids"]),
        )

    def build(self, change: Change, written: Callable[[int, int], None] | None = None) -> BuildInfo:
        """Write a whole new build from ``change`` and switch to it; the old build stays
        live (and is then dropped) and stays live on failure: an atomic rebuild."""
        self._drop_orphans()
        name = f"{self.base}_{time.strftime('%Y%m%d%H%M%S')}_{int(time.time() * 1000) % 1000:03d}"
        try:
            self.client.create_collection(name, embedding_function=None,
                                          configuration={"hnsw": HNSW_PASSAGES})
            self._write(name, change, 1, written)
        except BaseException:
            log.error("Index build failed; the previous index (if any) keeps serving.")
            self._drop(name)
            raise
        old = self.active_name()
        self._set_active(name, 1)
        self.forget_search_target()
        if old and old != name:
            self._drop(old)
        return self.info()

    def update(self, change: Change, written: Callable[[int, int], None] | None = None) -> BuildInfo:
        """Apply ``change`` to the live build in place and move its version on. Readers
        keep answering from what they loaded until they see the new version."""
        name = self.active_name()
        if not name:
            raise IndexMissingError(self.where)
        version = self.info().version + 1
        try:
            self._write(name, change, version, written)
        except Exception as exc:
            raise self._as_store_error(exc) from None
        self._set_active(name, version)
        self.forget_search_target()
        return self.info()

    def _writable(self, name: str, hnsw: dict[str, Any], create: bool = True) -> Any:
        """The collection ``name`` (created when missing and ``create``) with ``hnsw``'s save
        settings; a build made before they existed gets them here, so its next write saves."""
        col = self.client.get_or_create_collection(name, embedding_function=None, configuration={"hnsw": hnsw}) \
            if create else self.client.get_collection(name, embedding_function=None)
        saving = {k: v for k, v in hnsw.items() if k != "space"}  # the space is fixed at creation
        current = (col.configuration or {}).get("hnsw") or {}
        if any(current.get(k) != v for k, v in saving.items()):
            col.modify(configuration={"hnsw": saving})
        return col

    def _write(self, name: str, change: Change, version: int,
               written: Callable[[int, int], None] | None) -> None:
        """Deletions first, then additions in batches (``written(done, total)`` after each)."""
        chunks = self._writable(name, HNSW_PASSAGES, create=False)  # made by build(); never made up here
        docs = self._writable(f"{name}_docs", HNSW_DOCS)
        facts = self._writable(f"{name}_facts", HNSW_FACTS)
        for col, ids in ((chunks, change.drop_chunks), (docs, change.drop_docs), (facts, change.drop_facts)):
            for i in range(0, len(ids), BATCH):
                col.delete(ids=list(ids[i : i + BATCH]))
        total, done = len(change.chunks) + len(change.docs) + len(change.facts), 0
        for i in range(0, len(change.chunks), BATCH):
            part = change.chunks[i : i + BATCH]
            chunks.upsert(
                ids=[c.chunk.chunk_id for c in part],
                embeddings=np.vstack([c.vector for c in part]).tolist(),
                documents=[c.chunk.text for c in part],
                metadatas=[{"doc_id": c.chunk.doc_id, "section": c.chunk.section, "start": c.chunk.start,
                            "end": c.chunk.end, "h": c.hash} for c in part],
            )
            done += len(part)
            if written:
                written(done, total)
        for i in range(0, len(change.docs), BATCH):
            dpart = change.docs[i : i + BATCH]
            docs.upsert(ids=[d.doc.meta.doc_id for d in dpart], embeddings=[[0.0] for _ in dpart],
                        documents=[d.doc.text for d in dpart], metadatas=[_doc_metadata(d) for d in dpart])
            done += len(dpart)
        for i in range(0, len(change.facts), BATCH):
            fpart = change.facts[i : i + BATCH]
            facts.upsert(ids=[f.fact_id for f in fpart], embeddings=np.vstack([f.vector for f in fpart]).tolist(),
                         metadatas=[{"row": json.dumps(f.row, ensure_ascii=False)} for f in fpart])
            done += len(fpart)
        if written:
            written(total, total)
        facts.modify(metadata={"profile": change.profile or "{}"})
        counts = {"n_chunks": chunks.count(), "n_docs": docs.count()}
        chunks.modify(metadata={**change.info, **counts, "version": version,
                                "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")})

    def _set_active(self, name: str, version: int) -> None:
        pointer = self.client.get_or_create_collection(f"{self.base}__active", embedding_function=None)
        pointer.modify(metadata={"active": name, "version": version})

    def _drop(self, name: str) -> None:
        for n in (name, f"{name}_docs", f"{name}_facts"):
            with contextlib.suppress(Exception):  # already gone is fine
                self.client.delete_collection(n)

    def _drop_orphans(self) -> None:
        """Remove builds left behind by a killed process (never the live one)."""
        active = self.active_name()
        for col in self.client.list_collections():
            n = col.name
            ours = n.startswith(f"{self.base}_") and not n.endswith(("_docs", "_facts", "__active"))
            if ours and n != active:
                log.info("Removing unfinished build %s", n)
                self._drop(n)
