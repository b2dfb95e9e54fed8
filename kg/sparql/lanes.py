"""Admission to the SPARQL workers (issue 13 §5): a fast lane and a slow lane, each with a
bounded queue, and a memory of queries that were slow.

A query not known to be slow runs in the fast lane for at most cfg.sparql_fast_lane_s; past
that it is remembered as slow (by its shape: kg.sparql.guard.shape) and its worker, still running,
moves to the slow lane for the rest of its time (or is killed when the slow lane is full: 503
with Retry-After). A remembered query goes to the
slow lane at once. When a lane has no free slot and its queue is full the request is refused
at once (BusyError: 503 with Retry-After), so clients looping slow queries take the slow
lane's slot and get 503s while other queries keep the fast lane.
"""
from __future__ import annotations

import hashlib
import math
import threading
import time
from collections import OrderedDict
from typing import Any, Optional, Sequence

from core.errors import QueryError
from kg.sparql.guard import QueryInfo, zh

__all__ = ["BusyError", "Lane", "SlowQueries", "fingerprint", "Lanes"]

REMEMBER = 1024          # slow queries remembered (least recently seen forgotten first)
REMEMBER_S = 600.0       # for this long after they were last slow


class BusyError(QueryError):
    """503: no slot and a full queue (or the wait ran out). `retry_after` in seconds."""

    def __init__(self, message: str, retry_after: float):
        super().__init__(message, 503)
        self.retry_after = max(1, math.ceil(retry_after))


class Lane:
    """`slots` concurrent queries, at most `queue` waiting; thread-safe."""

    def __init__(self, name: str, slots: int, queue: int):
        if slots < 1 or queue < 0:
            raise ValueError(f"Lane {name}: slots={slots!r} must be >= 1, queue={queue!r} >= 0")
        self.name, self.slots, self.queue = name, slots, queue
        self._cond = threading.Condition()
        self._free, self._waiting = slots, 0

    def busy(self, retry_after: float) -> BusyError:
        """The error for a refusal by this lane."""
        return BusyError(zh("SPARQL 服务繁忙,请稍后再试", f"the SPARQL engine is busy ({self.name} "
                            f"lane: {self.slots} running, {self._waiting} waiting); try again "
                            "later"), retry_after)

    def acquire(self, wait_s: float, retry_after: float) -> None:
        with self._cond:
            if self._free == 0 and self._waiting >= self.queue:
                raise self.busy(retry_after)
            self._waiting += 1
            try:
                ok = self._cond.wait_for(lambda: self._free > 0, max(0.0, wait_s))
            finally:
                self._waiting -= 1
            if not ok:
                raise self.busy(retry_after)
            self._free -= 1

    def try_acquire(self) -> bool:
        """A free slot now, or False (never waits, never queues)."""
        with self._cond:
            if self._free == 0:
                return False
            self._free -= 1
            return True

    def check(self, retry_after: float) -> None:
        """BusyError now if acquire() would refuse at once (a cheap test before queueing)."""
        with self._cond:
            if self._free == 0 and self._waiting >= self.queue:
                raise self.busy(retry_after)

    def release(self) -> None:
        with self._cond:
            self._free += 1
            self._cond.notify()

    def state(self) -> dict[str, int]:
        with self._cond:
            return {"slots": self.slots, "running": self.slots - self._free,
                    "waiting": self._waiting, "queue": self.queue}


def fingerprint(query: str, default_graphs: Optional[Sequence[str]],
                named_graphs: Optional[Sequence[str]]) -> str:
    """Key of a query (its shape, or its text) with its dataset."""
    text = " ".join(query.split()) + "\x00" + repr((default_graphs, named_graphs))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class SlowQueries:
    """Fingerprints of queries that ran past the fast lane; thread-safe, bounded."""

    def __init__(self, size: int = REMEMBER, keep_s: float = REMEMBER_S):
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._size, self._keep_s = size, keep_s
        self._lock = threading.Lock()

    def mark(self, key: str) -> None:
        with self._lock:
            self._seen[key] = time.monotonic() + self._keep_s
            self._seen.move_to_end(key)
            while len(self._seen) > self._size:
                self._seen.popitem(last=False)

    def __contains__(self, key: str) -> bool:
        with self._lock:
            until = self._seen.get(key)
            if until is None:
                return False
            if until < time.monotonic():
                del self._seen[key]
                return False
            return True


class Lanes:
    """What the worker pool (kg.sparql.engine) and the proxy (kg.sparql.remote) share in
    front of their runs: `slow` (a Lane) and `slow_queries` (SlowQueries), set by the engine."""

    slow: Lane
    slow_queries: SlowQueries

    def admit(self, info: QueryInfo, cfg: Any, default_graphs: Optional[Sequence[str]] = None,
              named_graphs: Optional[Sequence[str]] = None) -> None:
        """BusyError at once when run() would be refused at once (a query known to be slow
        and a full slow lane); callers on an event loop test this before taking a thread."""
        if fingerprint(info.shape, default_graphs, named_graphs) in self.slow_queries:
            self.slow.check(cfg.sparql_timeout_s)
