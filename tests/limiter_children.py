"""Work done in child processes by tests/test_ratelimit.py. Kept apart from the test
module so a spawned child imports only the limiter, not the API and its test helpers."""

from __future__ import annotations

from typing import Any

from rag.ratelimit import LIMITERS, SqliteLimiter


def take(name: str, where: str, key: str, limit: int, tries: int, start: Any, out: Any) -> None:
    """`tries` hits on `key` once every process is ready; puts the allowed count."""
    limiter = LIMITERS[name](where)
    start.wait(timeout=120)
    out.put(sum(limiter.hit(key, limit, 60.0) for _ in range(tries)))


def open_and_hit(where: str, start: Any, out: Any) -> None:
    """Open a brand-new SQLite store at the same moment as the others and hit it 50
    times (one process's writes while another still opens the file is what failed);
    puts True or the error."""
    start.wait(timeout=120)
    try:
        limiter = SqliteLimiter(where)
        out.put(all([limiter.hit("k", 1000, 60.0) for _ in range(50)]))
    except Exception as exc:  # reported to the parent, which fails the test with it
        out.put(repr(exc))
