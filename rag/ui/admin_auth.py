"""The administrator password of the 资料管理 page: checking it, remembering a login
without keeping the password, and slowing down guessing.

The password is one of the RAG_ADMIN_KEYS (Settings.admin_key_set), compared with
hmac.compare_digest against every key. A session that logged in keeps only the
SHA-256 of its key, checked against the configured keys on every page run, so a key
taken out of RAG_ADMIN_KEYS ends the logins made with it. Failed attempts are counted
for the whole process (all browser sessions): after MAX_FAILURES within
WINDOW_SECONDS, no login is tried until the oldest of them is that old.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable

MAX_FAILURES = 5
WINDOW_SECONDS = 60.0
FAIL_DELAY_SECONDS = 1.0  # each wrong password answers this much later


def matches(given: str, keys: Iterable[str]) -> bool:
    """Whether ``given`` equals one of ``keys``; every key is compared, each in
    constant time, so the answer's timing says nothing about which part was right."""
    data = given.encode("utf-8")
    found = False
    for key in keys:
        found |= hmac.compare_digest(data, key.encode("utf-8"))
    return found


def fingerprint(key: str) -> str:
    """What a session keeps of the key it logged in with (its SHA-256, hex)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def still_valid(kept: str, keys: Iterable[str]) -> bool:
    """Whether a login's fingerprint belongs to a key that is still configured."""
    return matches(kept, (fingerprint(k) for k in keys))


class AttemptLimiter:
    """Failed logins of this process within a sliding window."""

    def __init__(self, max_failures: int = MAX_FAILURES, window: float = WINDOW_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.max_failures, self.window, self.clock = max_failures, window, clock
        self._failures: deque[float] = deque()
        self._lock = threading.Lock()

    def wait_seconds(self) -> float:
        """Seconds until another attempt is allowed (0: now)."""
        with self._lock:
            now = self.clock()
            while self._failures and now - self._failures[0] >= self.window:
                self._failures.popleft()
            if len(self._failures) < self.max_failures:
                return 0.0
            return self.window - (now - self._failures[0])

    def failed(self) -> None:
        """Count one wrong password."""
        with self._lock:
            self._failures.append(self.clock())


LIMITER = AttemptLimiter()
