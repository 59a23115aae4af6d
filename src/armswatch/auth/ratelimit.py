"""Login rate limit: failed attempts per user name and per client address in a sliding window.

Kept in memory: one server process serves a small team (a restart forgets the counts).
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Final

from armswatch.auth.errors import RateLimitedError

MAX_FAILURES: Final = 5
WINDOW_S: Final = 300.0


class LoginLimiter:
    def __init__(
        self,
        max_failures: int = MAX_FAILURES,
        window_s: float = WINDOW_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures = max_failures
        self.window_s = window_s
        self.clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        q = self._failures.setdefault(key, deque())
        while q and q[0] <= now - self.window_s:
            q.popleft()
        return q

    def check(self, *keys: str) -> None:
        """Raise :class:`RateLimitedError` when any key had too many recent failures."""
        now = self.clock()
        with self._lock:
            for key in keys:
                q = self._recent(key, now)
                if len(q) >= self.max_failures:
                    wait = max(1, math.ceil(q[0] + self.window_s - now))
                    raise RateLimitedError(f"too many failed logins; try again in {wait} s", retry_after=wait)

    def failed(self, *keys: str) -> None:
        now = self.clock()
        with self._lock:
            for key in keys:
                self._recent(key, now).append(now)

    def succeeded(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)
