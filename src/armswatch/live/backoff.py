"""Reconnect delays: exponential backoff with jitter (pure; the random source is injectable)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass
class Backoff:
    """Delay before reconnect attempt ``n`` (0-based): ``min(maximum, initial * factor**n)`` with
    "equal jitter" (half fixed, half uniform random), so clients that lost the same server do not
    come back in lock-step and a delay is never zero. :meth:`reset` after a connection worked."""

    initial: float = 1.0
    maximum: float = 60.0
    factor: float = 2.0
    rng: random.Random = field(default_factory=random.Random)
    attempt: int = 0

    def __post_init__(self) -> None:
        if not (0 < self.initial <= self.maximum) or self.factor < 1:
            raise ValueError("backoff needs 0 < initial <= maximum and factor >= 1")

    def ceiling(self, attempt: int) -> float:
        return float(min(self.maximum, self.initial * self.factor ** min(attempt, 64)))

    def next_delay(self) -> float:
        cap = self.ceiling(self.attempt)
        self.attempt += 1
        return cap / 2 + self.rng.uniform(0, cap / 2)

    def reset(self) -> None:
        self.attempt = 0
