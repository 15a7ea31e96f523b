"""Switch a SQLite connection to WAL mode safely when several processes open the file."""

from __future__ import annotations

import sqlite3
import time


def use_wal(db: sqlite3.Connection, wait_s: float) -> None:
    """Put ``db`` in WAL mode (readers never wait on the writer). Switching a new file
    to WAL does not wait on SQLite's busy handler (two processes opening it at once get
    "database is locked" at once), so the switch is retried for up to ``wait_s`` seconds."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            (mode,) = db.execute("PRAGMA journal_mode").fetchone()
            if str(mode).lower() != "wal":
                db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.01)
