"""Answer feedback (👍/👎 and a comment) kept in a local SQLite file."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

from rag.errors import FeedbackBusyError
from rag.schema import Answer

BUSY_WAIT = 5.0  # seconds to wait for another writer's lock before giving up

SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    sources TEXT NOT NULL,      -- JSON list of citations
    config TEXT NOT NULL,       -- JSON of the settings that produced the answer
    rating INTEGER NOT NULL,    -- 1 = helpful, -1 = not helpful
    comment TEXT NOT NULL DEFAULT ''
)
"""


class FeedbackStore:
    """Append-only feedback table in ``path`` (created on first use)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute(SCHEMA)

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """A connection that commits on success and is always closed; a lock held by
        another writer past BUSY_WAIT seconds raises FeedbackBusyError (never a silent loss)."""
        db = sqlite3.connect(self.path, timeout=BUSY_WAIT)
        try:
            with db:
                yield db
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise FeedbackBusyError(BUSY_WAIT) from None
            raise
        finally:
            db.close()

    def add(self, answer: Answer, rating: int, comment: str = "",
            config: dict[str, Any] | None = None) -> int:
        """Store one rating (+1/-1) for an answer; returns the row id."""
        if rating not in (1, -1):
            raise ValueError(f"rating must be 1 or -1, got {rating!r}")
        sources = json.dumps([asdict(c) for c in answer.citations], ensure_ascii=False)
        with self._connect() as db:
            cur = db.execute(
                "INSERT INTO feedback (created_at, question, answer, sources, config, rating, comment)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (time.strftime("%Y-%m-%dT%H:%M:%S%z"), answer.question, answer.text, sources,
                 json.dumps(config or {}, ensure_ascii=False, default=str), rating, comment.strip()),
            )
            return int(cur.lastrowid or 0)

    def all(self) -> list[dict[str, Any]]:
        """Every stored row, oldest first."""
        with self._connect() as db:
            db.row_factory = sqlite3.Row
            return [dict(r) for r in db.execute("SELECT * FROM feedback ORDER BY id")]
