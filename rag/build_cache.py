"""What indexing has already computed, kept between builds in ``index_dir/cache.sqlite3``.

Three kinds of entries, each keyed by a hash of everything its value depends on,
so a stale entry is never used (it is simply never asked for again):

- ``vectors``: embeddings by (embedder id, sha256 of the embedded text). A document
  that did not change is never embedded twice; a changed one re-embeds only its
  changed chunks.
- ``values``: JSON values by key: a cleaned document and the places it names (by
  its raw text, metadata, repairs and the builder code), a chunk's keyword tokens.

Only builds write (under the build lock); readers may read at the same time (WAL).
A cache that cannot be opened or read is logged and bypassed: building still works,
only slower.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from rag.sqlite_wal import use_wal

log = logging.getLogger(__name__)
CACHE_FILE = "cache.sqlite3"
SCHEMA = """
CREATE TABLE IF NOT EXISTS vectors (embedder TEXT NOT NULL, key TEXT NOT NULL, vec BLOB NOT NULL,
                                    PRIMARY KEY (embedder, key));
CREATE TABLE IF NOT EXISTS "values" (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
LOOKUP = 500  # keys per SELECT … IN (…)


def text_key(*parts: str) -> str:
    """A stable key for the given strings."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass") + b"\x1f")
    return digest.hexdigest()[:32]


class BuildCache:
    """Embeddings and JSON values kept between builds (see the module docstring)."""

    def __init__(self, folder: Path, busy_timeout_s: float = 30.0) -> None:
        self.path = folder / CACHE_FILE
        self._db: sqlite3.Connection | None = None
        try:
            folder.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=busy_timeout_s, check_same_thread=False)
            use_wal(db, busy_timeout_s)
            db.executescript(SCHEMA)
            self._db = db
        except (sqlite3.Error, OSError) as exc:
            log.warning("Build cache %s unusable (%s); building without it", self.path, exc)

    def close(self) -> None:
        """Close the database (the cache object is unusable afterwards)."""
        if self._db is not None:
            self._db.close()
            self._db = None

    # ---- embeddings ----------------------------------------------------
    def embed(self, embedder_id: str, texts: Sequence[str],
              compute: Callable[[Sequence[str]], np.ndarray]) -> np.ndarray:
        """Vectors for ``texts``: cached ones read, the others computed with ``compute``
        (called once, with only the missing texts, in order) and stored."""
        keys = [text_key(t) for t in texts]
        found = self._get_vectors(embedder_id, set(keys))
        missing = [i for i, k in enumerate(keys) if k not in found]
        if missing:
            fresh = np.asarray(compute([texts[i] for i in missing]), dtype=np.float32)
            for i, vec in zip(missing, fresh, strict=True):
                found[keys[i]] = vec
            self._put_vectors(embedder_id, [(keys[i], found[keys[i]]) for i in missing])
        if not keys:
            return np.zeros((0, 0), dtype=np.float32)
        return np.vstack([found[k] for k in keys])

    def _get_vectors(self, embedder_id: str, keys: set[str]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for part in _parts(sorted(keys)):
            rows = self._select(f"SELECT key, vec FROM vectors WHERE embedder = ? AND key IN "
                                f"({','.join('?' * len(part))})", [embedder_id, *part])
            out.update((k, np.frombuffer(v, dtype=np.float32)) for k, v in rows)
        return out

    def _put_vectors(self, embedder_id: str, items: Sequence[tuple[str, np.ndarray]]) -> None:
        self._write("INSERT OR REPLACE INTO vectors (embedder, key, vec) VALUES (?, ?, ?)",
                    [(embedder_id, k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in items])

    # ---- JSON values ---------------------------------------------------
    def get(self, keys: Iterable[str]) -> dict[str, Any]:
        """The cached values of those ``keys`` that are present."""
        out: dict[str, Any] = {}
        for part in _parts(sorted(set(keys))):
            rows = self._select(f'SELECT key, value FROM "values" WHERE key IN ({",".join("?" * len(part))})',
                                part)
            out.update((k, json.loads(v)) for k, v in rows)
        return out

    def put(self, items: dict[str, Any]) -> None:
        """Store JSON-ready values by key."""
        self._write('INSERT OR REPLACE INTO "values" (key, value) VALUES (?, ?)',
                    [(k, json.dumps(v, ensure_ascii=False)) for k, v in items.items()])

    # ---- plumbing ------------------------------------------------------
    def _select(self, sql: str, args: Sequence[Any]) -> list[tuple[Any, ...]]:
        if self._db is None:
            return []
        try:
            return self._db.execute(sql, list(args)).fetchall()
        except sqlite3.Error as exc:
            log.warning("Build cache read failed (%s); computing instead", exc)
            return []

    def _write(self, sql: str, rows: Sequence[tuple[Any, ...]]) -> None:
        if self._db is None or not rows:
            return
        try:
            with self._db:
                self._db.executemany(sql, rows)
        except sqlite3.Error as exc:
            log.warning("Build cache write failed (%s); the next build recomputes", exc)


def _parts(keys: Sequence[str]) -> Iterable[Sequence[str]]:
    for i in range(0, len(keys), LOOKUP):
        yield keys[i : i + LOOKUP]


@contextlib.contextmanager
def open_cache(folder: Path) -> Any:
    """A BuildCache for ``folder``, closed afterwards."""
    cache = BuildCache(folder)
    try:
        yield cache
    finally:
        cache.close()
