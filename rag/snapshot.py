"""What a reader loads, saved beside the index for each build version.

Loading a large index through the store means reading every chunk, document and
figure row back from Chroma: 3.5 of the 7 s a reader took to load 10,000 chunks.
A build therefore also writes that content as one JSON file and one vector file per
version (``index/snapshot/<build>-v<version>/``), and ``Pipeline.load`` reads those
two files instead. The store stays the source of truth: a reader that finds no
snapshot for the live version (another machine built it, or it was removed) reads
the store, and saves the snapshot for the next start.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rag.schema import Chunk, DocMeta, Section
from rag.store import Store, StoredDoc
from rag.version_files import remove_other_versions, version_dir, written_whole

log = logging.getLogger(__name__)

CONTENT_FILE = "content.json"
VECTORS_FILE = "fact_vectors.npy"
FORMAT = 1  # bump when the files change shape; an older snapshot is then ignored


@dataclass(frozen=True)
class Snapshot:
    """Everything a reader needs from the store besides dense search."""

    chunks: list[Chunk]  # in (doc id, start) order, as ``Store.chunks``
    docs: dict[str, StoredDoc]  # by id, sorted, as ``Store.documents``
    facts: list[dict[str, Any]]  # figure rows in document order, as ``Store.facts``
    fact_vectors: np.ndarray  # one measure vector per row
    profile: str  # the corpus profile (JSON)


def snapshot_dir(index_dir: Path, tag: str) -> Path:
    """Where the snapshot of build version ``tag`` (name@version) is saved."""
    return version_dir(index_dir, "snapshot", tag)


def read_store(store: Store) -> Snapshot:
    """The snapshot's content read from the store (the slow way)."""
    rows, vectors, profile = store.facts()
    return Snapshot(store.chunks(), store.documents(), rows, vectors, profile)


def save_snapshot(index_dir: Path, tag: str, snap: Snapshot, prune: bool = False) -> None:
    """Write ``snap`` for ``tag`` (beside it, then renamed, so a reader never sees half
    of it); with ``prune``, remove other versions' snapshots (readers hold theirs in
    memory). Failing to write is logged, never raised: readers then use the store."""
    target = snapshot_dir(index_dir, tag)
    content = {"format": FORMAT, "profile": snap.profile, "facts": snap.facts,
               "chunks": [vars(c) for c in snap.chunks],
               "docs": [{"meta": vars(d.meta), "text": d.text, "sections": [vars(s) for s in d.sections],
                         "added": d.added} for d in snap.docs.values()]}
    try:
        with written_whole(target) as part:
            (part / CONTENT_FILE).write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
            np.save(part / VECTORS_FILE, np.asarray(snap.fact_vectors, dtype=np.float32))
    except OSError as exc:
        log.warning("Could not save the index snapshot to %s (%s); readers will read the store", target, exc)
        return
    if prune:
        remove_other_versions(target)


def load_snapshot(index_dir: Path, tag: str, dim: int) -> Snapshot | None:
    """The snapshot saved for ``tag`` (vectors of ``dim`` numbers), or None when there
    is none or it cannot be read (the caller reads the store instead)."""
    folder = snapshot_dir(index_dir, tag)
    try:
        data = json.loads((folder / CONTENT_FILE).read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            return None
        vectors = np.load(folder / VECTORS_FILE)
        chunks = [Chunk(**c) for c in data["chunks"]]
        docs = {d["meta"]["doc_id"]: StoredDoc(DocMeta(**d["meta"]), d["text"],
                                               tuple(Section(**s) for s in d["sections"]), d["added"])
                for d in data["docs"]}
        facts = list(data["facts"])
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:  # damaged or half-removed: use the store
        log.warning("Ignoring the index snapshot in %s (%s: %s)", folder, type(exc).__name__, exc)
        return None
    if facts and vectors.shape != (len(facts), dim):
        log.warning("Ignoring the index snapshot in %s (%d rows of %d numbers expected, vectors %s)",
                    folder, len(facts), dim, vectors.shape)
        return None
    return Snapshot(chunks, docs, facts, vectors, str(data["profile"]))
