"""A circuit breaker, so a dead or overloaded API costs one fast fallback, not a stall per request.

Closed: calls go through; ``failure_threshold`` consecutive failures open it. Open: calls are
refused until ``cooldown_s`` has passed. Half-open: one probe call is let through (others are still
refused); its success closes the breaker, its failure opens it for another cool-down.
Thread-safe: the pipeline core calls the backend from a pool of threads.
"""

from __future__ import annotations

import enum
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["BreakerConfig", "BreakerState", "CircuitBreaker"]


class BreakerState(enum.Enum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclass(frozen=True, slots=True)
class BreakerConfig:
    failure_threshold: int = 5
    cooldown_s: float = 30.0

    def __post_init__(self) -> None:
        if self.failure_threshold < 1 or self.cooldown_s < 0:
            raise ValueError("breaker: failure_threshold >= 1 and cooldown_s >= 0")


class CircuitBreaker:
    def __init__(self, config: BreakerConfig, clock: Callable[[], float] = time.monotonic) -> None:
        self.config = config
        self._clock = clock
        self._lock = threading.Lock()
        self._state = BreakerState.CLOSED
        self._failures = 0
        self._opened_at = 0.0
        self._probing = False

    @property
    def state(self) -> BreakerState:
        with self._lock:
            self._advance()
            return self._state

    def _advance(self) -> None:
        if self._state is BreakerState.OPEN and self._clock() - self._opened_at >= self.config.cooldown_s:
            self._state = BreakerState.HALF_OPEN
            self._probing = False

    def allow(self) -> bool:
        """Whether a call may go out now (in half-open state, true once: the probe)."""
        with self._lock:
            self._advance()
            if self._state is BreakerState.CLOSED:
                return True
            if self._state is BreakerState.HALF_OPEN and not self._probing:
                self._probing = True
                return True
            return False

    def record_success(self) -> None:
        with self._lock:
            self._state = BreakerState.CLOSED
            self._failures = 0
            self._probing = False

    def release(self) -> None:
        """A call that ended without an outcome (cancelled): free the half-open probe, count nothing."""
        with self._lock:
            self._probing = False

    def record_failure(self) -> None:
        with self._lock:
            self._failures += 1
            if self._state is BreakerState.HALF_OPEN or self._failures >= self.config.failure_threshold:
                self._state = BreakerState.OPEN
                self._opened_at = self._clock()
                self._probing = False
