"""The worker-process pool behind kg.sparql (DESIGN §6, §9).

    engine = new_engine(graph, cfg)           # kg.sparql.engine_for keeps one per graph
    res = engine.run(query, cfg, info)        # SparqlResult, or QueryError

Workers (kg/sparql/worker.py, run as scripts; a pool per lane: two for the fast lane, one
for the slow lane at nice 10, see kg.sparql.lanes) open the store read-only (or load an N-Quads dump of an
in-memory store), call only Store.query and write results with Oxigraph's serializers, cut at
cfg.sparql_max_rows rows and cfg.sparql_max_result_bytes bytes. The caller kills a worker past
its time (measured: stops within 0.3 s of the limit; the Oxigraph server's own --timeout-s let
an ORDER BY over a cross product run 161 s at a 1 s limit).

Network: every worker must hold a barrier (a network namespace, or the seccomp filter that
kills it on socket()); when a worker reports neither, the engine refuses every query (503,
fail closed) and `status()` says why. A worker killed by SIGSYS tried to open a socket: the
query used SERVICE, answered 403. A worker that dies of a stack overflow answers 400, one that
passes cfg.sparql_max_memory_mb 503.
"""
from __future__ import annotations

import logging
import shutil
import tempfile
import threading
import time
import weakref
from pathlib import Path
from typing import Any, Optional, Sequence

import pyoxigraph as ox

from core.errors import QueryError
from kg.sparql.guard import QueryInfo, guard, zh
from kg.sparql.lanes import BusyError, Lane, Lanes, SlowQueries, fingerprint
from kg.sparql.process import BARRIERS, WorkerProcess, _Died, _Late, memory_error, unisolated
from kg.sparql.result import SparqlResult

__all__ = ["SparqlEngine", "new_engine", "BARRIERS"]

log = logging.getLogger(__name__)

FAST_WORKERS, SLOW_WORKERS = 2, 1   # the machine has 2 cores; the slow lane keeps one of them
SLOW_QUEUE = 1                      # requests waiting for the slow lane
SLOW_NICE = 10                      # slow-lane workers yield the CPU to everything else


def _shutdown(live: set, tmp: Optional[str]) -> None:
    for w in list(live):
        w.kill()
    live.clear()
    if tmp:
        shutil.rmtree(tmp, ignore_errors=True)


class SparqlEngine(Lanes):
    """A pool of worker processes over one store. `mode` is "dir" (an on-disk store, opened
    read-only) or "dump" (an N-Quads file loaded into memory). `barriers`: the network
    barriers workers set up (tests drop some). Thread-safe."""

    def __init__(self, mode: str, source: str | Path, tmp_dir: Optional[str] = None,
                 barriers: Sequence[str] = BARRIERS, memory_mb: int = 0,
                 fast_workers: int = FAST_WORKERS, slow_workers: int = SLOW_WORKERS,
                 queue: int = 32):
        if mode not in ("dir", "dump"):
            raise ValueError(f"SparqlEngine mode={mode!r}: expected 'dir' or 'dump'")
        self.mode, self.source = mode, str(source)
        self._opts = {**{b: b in barriers for b in BARRIERS}, "memory_mb": memory_mb}
        self.size = fast_workers + slow_workers
        self.fast, self.slow = Lane("fast", fast_workers, queue), Lane("slow", slow_workers, SLOW_QUEUE)
        self.slow_queries = SlowQueries()
        self._idle: dict[str, list[WorkerProcess]] = {"fast": [], "slow": []}   # a pool per lane
        self._live: set[WorkerProcess] = set()
        self._lock = threading.Lock()
        self.barriers: Optional[dict[str, bool]] = None     # known once a worker started
        self._final = weakref.finalize(self, _shutdown, self._live, tmp_dir)

    @classmethod
    def for_store(cls, store: ox.Store, location: Optional[Path] = None,
                  **options: Any) -> "SparqlEngine":
        """Use `location` (an on-disk copy of `store`) when its size matches, else a dump."""
        if location is not None and Path(location).is_dir():
            eng = cls("dir", location, **options)
            try:
                if eng._spawn_checked(len(store)):
                    return eng
            except QueryError:
                if eng.isolated is False:       # fail closed: a dump would not help
                    return eng
            eng.close()
        tmp = tempfile.mkdtemp(prefix="plangraph-sparql-")
        path = Path(tmp) / "graph.nq"
        store.dump(str(path), ox.RdfFormat.N_QUADS)
        return cls("dump", path, tmp_dir=tmp, **options)

    @property
    def isolated(self) -> Optional[bool]:
        """True when workers hold a network barrier, False when none (queries refused)."""
        return None if self.barriers is None else any(self.barriers.values())

    def status(self) -> dict[str, Any]:
        return {"network_isolated": self.isolated, "barriers": self.barriers,
                "available": self.isolated is not False,
                "lanes": {"fast": self.fast.state(), "slow": self.slow.state()}}

    def _spawn(self, lane: str = "fast") -> WorkerProcess:
        opts = {**self._opts, "nice": SLOW_NICE if lane == "slow" else 0}
        w = WorkerProcess(self.mode, self.source, opts, lane)
        self.barriers = w.barriers
        with self._lock:
            self._live.add(w)
        if not any(w.barriers.values()):
            self._discard(w)
            raise unisolated()
        return w

    def _spawn_checked(self, quads: int) -> bool:
        w = self._spawn()
        ok = w.quads == quads
        self._give_back(w) if ok else self._discard(w)
        return ok

    def _take(self, lane: str) -> WorkerProcess:
        with self._lock:
            if self._idle[lane]:
                return self._idle[lane].pop()
        return self._spawn(lane)

    def _give_back(self, w: WorkerProcess) -> None:
        lane = w.lane
        with self._lock:
            keep = len(self._idle[lane]) < (self.fast if lane == "fast" else self.slow).slots
            if keep:
                self._idle[lane].append(w)
        if not keep:
            self._discard(w)

    def _discard(self, w: WorkerProcess) -> None:
        w.kill()
        with self._lock:
            self._live.discard(w)

    def warm(self, lane: str = "fast") -> None:
        """Start one worker of a lane now (in this thread) if none is idle."""
        with self._lock:
            if self._idle[lane]:
                return
        self._give_back(self._spawn(lane))

    def _rewarm(self, lane: str) -> None:
        try:
            self.warm(lane)
        except (QueryError, OSError) as e:
            log.warning("SPARQL engine: no replacement worker (%s)", e)

    def _call(self, lane: str, req: dict, timeout_s: float) -> tuple[dict, bytes]:
        """Run one request on a worker; _Late when it ran out of time (worker killed)."""
        if self.isolated is False:
            raise unisolated()
        w = self._take(lane)
        try:
            return self._finish(w, lambda: w.call(req, timeout_s))
        except _Late:
            self._lost(w)
            raise

    def _fast_then_moved(self, key: str, req: dict, budget: float, limit: float,
                         t0: float) -> Optional[tuple[dict, bytes]]:
        """Run in the fast lane; past the budget the running worker moves to the slow lane
        (its work kept) or, with the slow lane full, is killed (BusyError). None: the query
        was marked slow while it waited, run it in the slow lane."""
        if self.isolated is False:
            raise unisolated()
        self.fast.acquire(limit, budget)
        try:
            if key in self.slow_queries:            # marked while this one waited
                return None
            w = self._take("fast")
            try:
                return self._finish(w, lambda: w.call(req, budget))
            except _Late:
                self.slow_queries.mark(key)
                if budget < limit and self.slow.try_acquire():
                    w.renice("slow", SLOW_NICE)     # keeps running, now in the slow lane
                else:
                    self._lost(w)
                    raise (_timeout(limit) if budget >= limit else self.slow.busy(limit)) \
                        from None
        finally:
            self.fast.release()
        threading.Thread(target=self._rewarm, args=("fast",), daemon=True).start()
        try:
            left = max(limit - (time.perf_counter() - t0), 0.0)
            return self._finish(w, lambda: w.read(time.monotonic() + left))
        except _Late:
            self._lost(w)
            raise _timeout(limit) from None
        finally:
            self.slow.release()

    def _finish(self, w: WorkerProcess, read: Any) -> tuple[dict, bytes]:
        """read() on a worker: back to its pool on success, discarded when it died; on
        _Late the worker is left to the caller (still running)."""
        try:
            out = read()
        except _Died as d:
            self._lost(w)
            raise d.error from None
        self._give_back(w)
        return out

    def _lost(self, w: WorkerProcess) -> None:
        self._discard(w)
        threading.Thread(target=self._rewarm, args=(w.lane,), daemon=True).start()

    def _in_slow_lane(self, req: dict, run_s: float, wait_s: float,
                      retry_after: float) -> tuple[dict, bytes]:
        self.slow.acquire(wait_s, retry_after)
        try:
            return self._call("slow", req, run_s)
        finally:
            self.slow.release()

    def run(self, query: str, cfg: Any, info: Optional[QueryInfo] = None,
            default_graphs: Optional[Sequence[str]] = None,
            named_graphs: Optional[Sequence[str]] = None,
            base_iri: Optional[str] = None) -> SparqlResult:
        info = info or guard(query, cfg)
        dg, ng = _iris(default_graphs, "default-graph-uri"), _iris(named_graphs, "named-graph-uri")
        req = {"q": query, "dg": dg, "ng": ng, "union": not info.has_dataset,
               "base": base_iri, "max": cfg.sparql_max_rows,
               "max_bytes": cfg.sparql_max_result_bytes}
        limit, budget = cfg.sparql_timeout_s, min(cfg.sparql_fast_lane_s, cfg.sparql_timeout_s)
        key = fingerprint(info.shape or query, dg, ng)
        t0 = time.perf_counter()
        out = None
        if key not in self.slow_queries:
            out = self._fast_then_moved(key, req, budget, limit, t0)
        if out is None:
            left = limit - (time.perf_counter() - t0)
            try:
                out = self._in_slow_lane(req, max(left, 0.1), left, limit)
            except _Late:
                self.slow_queries.mark(key)
                raise _timeout(limit) from None
        head, body = out
        if not head.get("ok"):
            if head["status"] == 503:
                raise memory_error(cfg.sparql_max_memory_mb)
            raise QueryError(zh("查询语法错误", "malformed query: " + head["error"])
                             if head["status"] == 400 else
                             zh("查询执行失败", "query failed: " + head["error"]), head["status"])
        return SparqlResult.from_head(head, body, info, cfg, (time.perf_counter() - t0) * 1000)

    def close(self) -> None:
        """Stop every worker. The engine stays usable (workers restart on demand)."""
        with self._lock:
            idle = self._idle["fast"] + self._idle["slow"]
            self._idle = {"fast": [], "slow": []}
        for w in idle:
            self._discard(w)

    def __enter__(self) -> "SparqlEngine":
        return self

    def __exit__(self, *exc: Any) -> None:
        self._final()


def _timeout(limit: float) -> BusyError:
    return BusyError(zh("查询超时", f"query stopped: it ran longer than the {limit:g} s limit "
                        "(sparql_timeout_s)"), limit)


def _iris(values: Optional[Sequence[str]], what: str) -> Optional[list[str]]:
    if values is None:
        return None
    for v in values:
        try:
            ox.NamedNode(v)
        except (ValueError, TypeError):
            raise QueryError(zh("图 IRI 无效", f"{what} {v!r} is not an absolute IRI"), 400) from None
    return list(values)


def new_engine(graph: Any, cfg: Any = None) -> SparqlEngine:
    """A worker pool for a KnowledgeGraph (or anything with `.store`); kg.sparql.engine_for
    keeps one per graph so the UI and /sparql share it. Workers open the graph's on-disk store:
    its `location` (set by kg.load), or for a graph built in memory cfg.data_dir/kg/store when
    that holds the same number of quads; otherwise they load a dump of the in-memory store."""
    loc = getattr(graph, "location", None)
    if loc is None and cfg is not None:
        loc = Path(cfg.data_dir) / "kg" / "store"
    options = {} if cfg is None else {"memory_mb": cfg.sparql_max_memory_mb,
                                      "queue": cfg.sparql_queue}
    return SparqlEngine.for_store(graph.store, loc, **options)
