"""A circuit breaker for a store's server: after repeated failures, answer at once.

While the database is down every call would otherwise wait for its connection to fail and
hold a server thread meanwhile. After ``failures`` consecutive failures the breaker opens and
calls fail at once; ``reset_after`` seconds later it lets one call through as a probe (half
open): if that succeeds it closes, if it fails it opens again. So the app recovers by itself
when the server is back, with no restart.

>>> now = [0.0]
>>> b = CircuitBreaker(failures=2, reset_after=5, clock=lambda: now[0])
>>> b.allow(), b.failed(), b.allow(), b.failed(), b.state
(True, None, True, None, 'open')
>>> b.allow()
False
>>> now[0] = 6.0
>>> b.allow(), b.allow(), b.state   # one probe at a time
(True, False, 'half-open')
>>> b.succeeded(); b.state, b.allow()
('closed', True)
"""
from __future__ import annotations

import threading
import time
from typing import Callable


class CircuitBreaker:
    """Counts consecutive failures; thread-safe, and holds no lock while a call runs."""

    def __init__(self, failures: int = 3, reset_after: float = 5.0, clock: Callable[[], float] = time.monotonic):
        self.failures = max(1, int(failures))
        self.reset_after = float(reset_after)
        self._clock = clock
        self._lock = threading.Lock()
        self._count = 0
        self._opened_at: float | None = None
        self._probing = False

    @property
    def state(self) -> str:
        if self._opened_at is None:
            return "closed"
        return "half-open" if self._probing or self._clock() - self._opened_at >= self.reset_after else "open"

    def allow(self) -> bool:
        """Whether a call may go to the server now (True for the one probe once the wait is over)."""
        with self._lock:
            if self._opened_at is None:
                return True
            if not self._probing and self._clock() - self._opened_at >= self.reset_after:
                self._probing = True
                return True
            return False

    def succeeded(self) -> None:
        with self._lock:
            self._count, self._opened_at, self._probing = 0, None, False

    def failed(self) -> None:
        with self._lock:
            self._count += 1
            if self._probing or self._count >= self.failures:
                self._opened_at, self._probing = self._clock(), False
