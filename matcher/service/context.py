"""What every request of the service shares: the database, the key ring, the clock and the
per-key rate limit. One ``Context`` per application, kept on ``app.state``."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypeVar, cast

from sqlalchemy import Engine

from matcher.db.store import DatabaseRoundStore
from matcher.service.keys import KeyRing
from matcher.service.settings import ServiceSettings

T = TypeVar("T")
REMEMBERED = 64
"""Values the context keeps (prepared rounds: one or two per busy location)."""


def utc_now() -> datetime:
    return datetime.now(UTC)


class RateLimit:
    """A token bucket per key: ``per_minute`` requests a minute, bursts up to that many."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(per_minute)
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        """Take one token from ``key``'s bucket; False when it is empty."""
        now = self._clock()
        with self._lock:
            tokens, since = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - since) * self.rate)
            allowed = tokens >= 1.0
            self._buckets[key] = (tokens - 1.0 if allowed else tokens, now)
        return allowed


@dataclass
class Context:
    """The service's shared state."""

    engine: Engine
    settings: ServiceSettings
    clock: Callable[[], datetime] = utc_now
    keys: KeyRing = field(init=False)
    rate: RateLimit = field(init=False)
    _memory: OrderedDict[Hashable, object] = field(init=False, default_factory=OrderedDict)
    _lock: threading.Lock = field(init=False, default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.keys = KeyRing(self.engine)
        self.rate = RateLimit(self.settings.rate_per_minute)

    def store(self, location_id: str) -> DatabaseRoundStore:
        """The round store of one location (today: the clock's date)."""
        return DatabaseRoundStore(self.engine, location_id, self.clock().date())

    def remembered(self, key: Hashable, make: Callable[[], T]) -> T:
        """``make()``'s value, kept for ``key`` (the last ``REMEMBERED`` keys): for what is
        costly to build and fully named by its key, such as a location's prepared round at a
        version."""
        with self._lock:
            if key in self._memory:
                self._memory.move_to_end(key)
                return cast(T, self._memory[key])
        value = make()
        with self._lock:
            self._memory[key] = value
            while len(self._memory) > REMEMBERED:
                self._memory.popitem(last=False)
        return value
