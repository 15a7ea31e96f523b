"""Request counters that every API worker shares: a sliding window per key.

``RateLimiter.hit(key, limit, window_s)`` records one request and says whether it
is allowed (at most ``limit`` allowed requests in any ``window_s`` seconds).

- ``sqlite`` (default): a file in the index folder (``ratelimit.sqlite3``), one
  transaction per request; shared by every worker process on this machine.
- ``redis`` (``RAG_REDIS_URL``): one sorted set per key, updated by a Lua script
  (atomic); shared by several machines behind a load balancer. Needs the ``redis``
  extra; imported only when chosen.

Either store, when it cannot be reached, raises ``LimiterUnavailableError`` (the
API answers 503) rather than letting requests through uncounted.
"""

from __future__ import annotations

import logging
import math
import os
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from rag.errors import BackendUnavailableError, RagError
from rag.sqlite_wal import use_wal

log = logging.getLogger(__name__)
SQLITE_FILE = "ratelimit.sqlite3"  # inside RAG_INDEX_DIR
REDIS_INSTALL = "pip install -e '.[redis]'  (or: pip install 'redis>=5')"


class LimiterUnavailableError(RagError):
    """The shared counter store (SQLite file or Redis) cannot be used right now."""

    def __init__(self, store: str, detail: str) -> None:
        super().__init__(
            f"The rate-limit store ({store}) is unavailable ({detail}); try again shortly.",
            "限流服务暂时不可用，请稍后再试或联系管理员。",
        )


@runtime_checkable
class RateLimiter(Protocol):
    """Counts requests per key in a store all workers see."""

    def hit(self, key: str, limit: int, window_s: float) -> bool:
        """Record one request for ``key``; False (and nothing recorded) when ``limit``
        requests were already allowed in the last ``window_s`` seconds."""
        ...


SQLITE_SCHEMA = """
CREATE TABLE IF NOT EXISTS hits (
    key TEXT NOT NULL,
    at REAL NOT NULL,        -- time.time() of an allowed request
    expires REAL NOT NULL    -- when the row stops counting (pruned after)
);
CREATE INDEX IF NOT EXISTS hits_key_at ON hits (key, at);
CREATE INDEX IF NOT EXISTS hits_expires ON hits (expires);
"""


class SqliteLimiter:
    """Sliding window in a SQLite file (WAL). Each hit is one ``BEGIN IMMEDIATE``
    transaction that prunes expired rows, counts the key's rows and adds one, so
    processes on the same machine never both take the last slot."""

    def __init__(self, path: str | Path, busy_timeout_s: float = 2.0) -> None:
        self.path = Path(path)
        self.busy_timeout_s = busy_timeout_s
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        self._pid = 0

    def _connect(self) -> sqlite3.Connection:
        """The connection of this process (opened lazily; a forked child opens its own)."""
        if self._db is None or self._pid != os.getpid():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=self.busy_timeout_s, isolation_level=None,
                                 check_same_thread=False)
            try:
                self._set_up(db)
            except BaseException:
                db.close()
                raise
            self._db, self._pid = db, os.getpid()
        return self._db

    def _set_up(self, db: sqlite3.Connection) -> None:
        """WAL mode (see rag/sqlite_wal.py) and the schema."""
        use_wal(db, self.busy_timeout_s)
        db.execute("PRAGMA synchronous=NORMAL")
        db.executescript(SQLITE_SCHEMA)

    def hit(self, key: str, limit: int, window_s: float) -> bool:
        with self._lock:
            try:
                db = self._connect()
                db.execute("BEGIN IMMEDIATE")  # take the write lock now: no lost updates
                try:
                    now = time.time()
                    db.execute("DELETE FROM hits WHERE expires <= ?", (now,))
                    (used,) = db.execute("SELECT COUNT(*) FROM hits WHERE key = ? AND at > ?",
                                         (key, now - window_s)).fetchone()
                    allowed = bool(used < limit)
                    if allowed:
                        db.execute("INSERT INTO hits (key, at, expires) VALUES (?, ?, ?)",
                                   (key, now, now + window_s))
                    db.execute("COMMIT")
                except BaseException:
                    db.execute("ROLLBACK")
                    raise
            except (sqlite3.Error, OSError) as exc:
                log.warning("rate-limit store %s: %s", self.path, exc)
                raise LimiterUnavailableError(f"SQLite file {self.path}", type(exc).__name__) from None
        return allowed


# KEYS[1] = the key's sorted set; ARGV = limit, window in ms, a unique member.
# The server's clock decides, so machines with skewed clocks still share one window.
REDIS_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
    return 0
end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], window)
return 1
"""


class RedisLimiter:
    """Sliding window in Redis: one sorted set per key, checked and updated by one Lua
    script (atomic on the server). Short socket timeouts: an unreachable Redis gives
    LimiterUnavailableError within about a second, never a hang."""

    prefix = "rag:rate:"

    def __init__(self, url: str, timeout_s: float = 1.0) -> None:
        try:
            import redis
            from redis.backoff import NoBackoff
            from redis.retry import Retry
        except ImportError:
            raise BackendUnavailableError("redis", REDIS_INSTALL) from None
        self._errors: tuple[type[Exception], ...] = (redis.RedisError, OSError)
        # one retry: a pooled connection that died with a Redis restart is replaced once
        self._client: Any = redis.Redis.from_url(url, socket_timeout=timeout_s,
                                                 socket_connect_timeout=timeout_s,
                                                 retry=Retry(NoBackoff(), 1))
        self._script = self._client.register_script(REDIS_SCRIPT)

    def hit(self, key: str, limit: int, window_s: float) -> bool:
        window_ms = max(1, math.ceil(window_s * 1000))
        try:
            allowed = self._script(keys=[self.prefix + key], args=[limit, window_ms, uuid.uuid4().hex])
        except self._errors as exc:
            log.warning("rate-limit store Redis: %s: %s", type(exc).__name__, exc)
            raise LimiterUnavailableError("Redis at RAG_REDIS_URL", type(exc).__name__) from None
        return bool(allowed)


LIMITERS: dict[str, Callable[[str], RateLimiter]] = {
    "sqlite": SqliteLimiter,
    "redis": RedisLimiter,
}


def make_limiter(redis_url: str, index_dir: Path) -> RateLimiter:
    """Redis when ``redis_url`` is set, else the SQLite file in ``index_dir``."""
    if redis_url:
        return LIMITERS["redis"](redis_url)
    return LIMITERS["sqlite"](str(index_dir / SQLITE_FILE))
