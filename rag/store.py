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
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import json
import logging
import re
import shutil
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rag.errors import IndexDamagedError, IndexMissingError, StoreUnavailableError
from rag.schema import Chunk, CleanDoc, DocMeta, Section

log = logging.getLogger(__name__)

BATCH = 256


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


@dataclass
class StoredDoc:
    """A document as kept in the index: metadata, cleaned text and sections."""

    meta: DocMeta
    text: str
    sections: tuple[Section, ...]


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


def _unreachable(exc: Exception) -> bool:
    text = f"{type(exc).__name__} {exc}".lower()
    return any(w in text for w in ("connect", "connection", "timeout", "unavailable", "refused"))


class ChromaStore:
    """Build and read the chunk index in one Chroma database."""

    def __init__(self, client: Any, base: str, where: str) -> None:
        self.client = client
        self.base = base
        self.where = where  # shown in "index missing" errors

    def _as_store_error(self, exc: Exception) -> Exception:
        """The user-facing error a failed Chroma call stands for (server unreachable,
        database damaged), or the exception itself when it is neither."""
        if _unreachable(exc):
            return StoreUnavailableError(self.where, str(exc)[:200])
        if _damaged(exc):
            return IndexDamagedError(self.where, str(exc)[:120])
        return exc

    # ---- reading -------------------------------------------------------
    def active_name(self) -> str | None:
        """Name of the live build, or None when nothing was built yet."""
        from chromadb.errors import NotFoundError

        try:
            pointer = self.client.get_collection(f"{self.base}__active")
        except (NotFoundError, ValueError):
            return None
        except Exception as exc:
            raise self._as_store_error(exc) from None
        return (pointer.metadata or {}).get("active")

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
        return BuildInfo(name=col.name, **{k: m[k] for k in fields if k != "name"})

    def chunks(self) -> list[Chunk]:
        """Every chunk of the live index, in document order."""
        col = self._active()
        got = col.get(include=["documents", "metadatas"])
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
        got = self.client.get_collection(f"{name}_docs", embedding_function=None).get(
            include=["documents", "metadatas"]
        )
        docs: dict[str, StoredDoc] = {}
        for doc_id, text, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True):
            meta = DocMeta(**json.loads(str(m["meta"])))
            sections = tuple(Section(**s) for s in json.loads(str(m["sections"])))
            docs[doc_id] = StoredDoc(meta, str(text), sections)
        return docs

    def dense_search(
        self, vector: np.ndarray, n: int, doc_ids: Sequence[str] | None = None
    ) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) of the ``n`` nearest chunks."""
        try:
            col = self._active()
            where = {"doc_id": {"$in": list(doc_ids)}} if doc_ids else None
            n = max(1, min(n, col.count()))
            res = col.query(query_embeddings=[vector.tolist()], n_results=n, where=where,
                            include=["distances"])
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
        got = col.get(include=["metadatas", "embeddings"])
        rows = [json.loads(str(m["row"])) for m in got["metadatas"]]
        order = sorted(range(len(rows)), key=lambda i: int(got["ids"][i]))
        vecs = np.asarray(got["embeddings"], dtype=np.float32) if rows else np.zeros((0, 0), np.float32)
        profile = str((col.metadata or {}).get("profile", ""))
        return [rows[i] for i in order], (vecs[order] if rows else vecs), profile

    # ---- writing -------------------------------------------------------
    def build(
        self,
        docs: Sequence[CleanDoc],
        chunks: Sequence[Chunk],
        embed: Callable[[Sequence[Chunk]], np.ndarray],
        info: dict[str, Any],
        progress: Callable[[int], None] | None = None,
        facts: tuple[Sequence[dict[str, Any]], np.ndarray, str] | None = None,
    ) -> BuildInfo:
        """Write a new build and switch to it; the old build stays live on failure.

        ``embed`` is called per batch of chunks; ``progress`` gets the count done;
        ``facts`` is the figures table (rows, measure vectors, profile JSON).
        """
        self._drop_orphans()
        name = f"{self.base}_{time.strftime('%Y%m%d%H%M%S')}_{int(time.time() * 1000) % 1000:03d}"
        try:
            col = self.client.create_collection(
                name, embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
            )
            dim = 0
            for i in range(0, len(chunks), BATCH):
                batch = list(chunks[i : i + BATCH])
                vecs = embed(batch)
                dim = int(vecs.shape[1])
                col.add(
                    ids=[c.chunk_id for c in batch],
                    embeddings=vecs.tolist(),
                    documents=[c.text for c in batch],
                    metadatas=[
                        {"doc_id": c.doc_id, "section": c.section, "start": c.start, "end": c.end}
                        for c in batch
                    ],
                )
                if progress:
                    progress(len(batch))
            self._write_docs(name, docs)
            self._write_facts(name, *(facts or ([], np.zeros((0, 1)), "")))
            meta = {
                **info,
                "dim": dim,
                "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "n_chunks": len(chunks),
                "n_docs": len(docs),
            }
            col.modify(metadata=meta)
        except BaseException:
            log.error("Index build failed; the previous index (if any) keeps serving.")
            self._drop(name)
            raise
        old = self.active_name()
        self._set_active(name)
        if old and old != name:
            self._drop(old)
        return self.info()

    def _write_docs(self, name: str, docs: Sequence[CleanDoc]) -> None:
        col = self.client.create_collection(f"{name}_docs", embedding_function=None)
        col.add(
            ids=[d.meta.doc_id for d in docs],
            embeddings=[[0.0] for _ in docs],
            documents=[d.text for d in docs],
            metadatas=[
                {
                    "meta": json.dumps(asdict(d.meta), ensure_ascii=False),
                    "sections": json.dumps([asdict(s) for s in d.sections], ensure_ascii=False),
                }
                for d in docs
            ],
        )

    def _write_facts(self, name: str, rows: Sequence[dict[str, Any]], vecs: np.ndarray,
                     profile: str) -> None:
        col = self.client.create_collection(f"{name}_facts", embedding_function=None,
                                            metadata={"profile": profile or "{}"})
        for i in range(0, len(rows), BATCH):
            part = rows[i : i + BATCH]
            col.add(
                ids=[str(i + j) for j in range(len(part))],
                embeddings=vecs[i : i + len(part)].tolist(),
                metadatas=[{"row": json.dumps(r, ensure_ascii=False)} for r in part],
            )

    def _set_active(self, name: str) -> None:
        pointer = self.client.get_or_create_collection(f"{self.base}__active", embedding_function=None)
        pointer.modify(metadata={"active": name})

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
