"""Answer feedback (👍/👎 and a comment) kept in a local SQLite file."""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from rag.schema import Answer

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

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path)

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
