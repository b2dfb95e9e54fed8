"""The worker-process pool behind kg.sparql (DESIGN §6, §9). Use it through kg.sparql
(execute / run_to_text / engine_for are there); run() guards a query itself when not handed
the guard's QueryInfo.

    engine = engine_for(graph, cfg)           # one pool per KnowledgeGraph, kept on the graph
    res = engine.run(query, cfg, info)        # kg.sparql.SparqlResult, or QueryError

`python -c WORKER_SOURCE` processes (two per store) open the store read-only (or load
an N-Quads dump of an in-memory store), drop network access where Linux allows (new user +
network namespace), call only Store.query and write results with Oxigraph's own serializers,
stopping at cfg.sparql_max_rows. The caller waits cfg.sparql_timeout_s, then kills the worker
(measured: stops within 0.3 s of the limit). The Oxigraph server's own --timeout-s let an ORDER
BY over a cross product run 161 s at a 1 s limit (2.9 GB RSS), answering 200 with a cut body.

This module does not import kg.sparql at load time (kg.sparql imports it); SparqlEngine.run
imports the guard and the result type from there when called.
"""
from __future__ import annotations

import json
import logging
import os
import select
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, Sequence

import pyoxigraph as ox

from core.errors import QueryError

if TYPE_CHECKING:
    from kg.sparql import QueryInfo, SparqlResult

log = logging.getLogger(__name__)

WORKERS = 2                  # worker processes per engine (the machine has 2 cores)
START_TIMEOUT_S = 120.0      # opening the store (or loading a dump) in a new worker


# ---- worker processes --------------------------------------------------------------------
# Runs as `python -c WORKER_SOURCE MODE SOURCE`; imports nothing of this project. Frames on
# stdin/stdout: 8-byte header (two big-endian lengths), JSON head, binary body.
WORKER_SOURCE = r'''
import ctypes, io, json, signal, struct, sys
signal.signal(signal.SIGINT, signal.SIG_IGN)
def isolate():   # no network at all for this process, where Linux allows it (defence in depth)
    try:
        return sys.platform.startswith("linux") and ctypes.CDLL(None, use_errno=True).unshare(
            0x10000000 | 0x40000000) == 0                      # CLONE_NEWUSER | CLONE_NEWNET
    except Exception:
        return False
isolated = isolate()
import pyoxigraph as ox
inp, out = sys.stdin.buffer, sys.stdout.buffer
def send(head, body=b""):
    h = json.dumps(head).encode()
    out.write(struct.pack(">II", len(h), len(body)) + h + body); out.flush()
class Cap(io.RawIOBase):
    def __init__(self, limit):
        self.buf, self.limit, self.lines, self.full = bytearray(), limit, 0, False
    def writable(self): return True
    def write(self, b):
        b = bytes(b); self.buf += b; self.lines += b.count(b"\n")
        if self.lines > self.limit:
            self.full = True; raise BrokenPipeError("row limit reached")
        return len(b)
mode, src = sys.argv[1], sys.argv[2]
try:
    if mode == "dir":
        store = ox.Store.read_only(src)
    else:
        store = ox.Store(); store.bulk_load(path=src, format=ox.RdfFormat.N_QUADS)
except Exception as e:
    send({"ok": False, "error": "cannot open the graph store: %s" % e}); sys.exit(1)
send({"ok": True, "isolated": bool(isolated), "quads": len(store)})
while True:
    hdr = inp.read(4)
    if len(hdr) < 4:
        sys.exit(0)
    req = json.loads(inp.read(struct.unpack(">I", hdr)[0]))
    kw = {"base_iri": req.get("base")} if req.get("base") else {}
    if req.get("dg") is not None or req.get("ng") is not None:
        kw["default_graph"] = [ox.NamedNode(g) for g in req.get("dg") or []]
        kw["named_graphs"] = [ox.NamedNode(g) for g in req.get("ng") or []]
    elif req.get("union"):
        kw["use_default_graph_as_union"] = True
    try:
        res = store.query(req["q"], **kw)
        if isinstance(res, ox.QueryBoolean):
            send({"ok": True, "kind": "boolean", "count": 1, "truncated": False},
                 b"true" if bool(res) else b"false")
            continue
        table = isinstance(res, ox.QuerySolutions)
        limit = req["max"] + (1 if table else 0)        # TSV starts with a header line
        cap = Cap(limit)
        try:
            res.serialize(cap, ox.QueryResultsFormat.TSV if table else ox.RdfFormat.N_TRIPLES)
        except Exception:
            if not cap.full:
                raise
        data = bytes(cap.buf)
        if cap.full:
            cut = -1
            for _ in range(limit):
                cut = data.index(b"\n", cut + 1)
            data = data[:cut + 1]
        send({"ok": True, "kind": "solutions" if table else "graph", "truncated": cap.full,
              "count": max(0, data.count(b"\n") - (1 if table else 0))}, data)
    except (SyntaxError, ValueError) as e:
        send({"ok": False, "status": 400, "error": str(e)})
    except Exception as e:
        send({"ok": False, "status": 500, "error": "%s: %s" % (type(e).__name__, e)})
'''


class _Late(Exception):
    pass


class _Worker:
    def __init__(self, mode: str, src: str):
        self.proc = subprocess.Popen([sys.executable, "-c", WORKER_SOURCE, mode, src],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     start_new_session=True)
        self._poll = select.poll()           # POSIX; select.select fails on fds >= 1024
        self._poll.register(self.proc.stdout.fileno(), select.POLLIN)
        try:
            head, _ = self._read(time.monotonic() + START_TIMEOUT_S)
        except (_Late, EOFError):
            self.kill()
            raise QueryError("the SPARQL engine did not start", 500) from None
        if not head.get("ok"):
            self.kill()
            raise QueryError(f"the SPARQL engine did not start: {head.get('error')}", 500)
        self.isolated, self.quads = bool(head["isolated"]), int(head["quads"])

    def _exact(self, n: int, deadline: float) -> bytes:
        fd, buf = self.proc.stdout.fileno(), bytearray()
        while len(buf) < n:
            left = deadline - time.monotonic()
            if left <= 0 or not self._poll.poll(left * 1000):
                raise _Late()
            chunk = os.read(fd, min(n - len(buf), 1 << 20))
            if not chunk:
                raise EOFError("worker exited")
            buf += chunk
        return bytes(buf)

    def _read(self, deadline: float) -> tuple[dict, bytes]:
        hl, bl = struct.unpack(">II", self._exact(8, deadline))
        return json.loads(self._exact(hl, deadline)), self._exact(bl, deadline) if bl else b""

    def call(self, req: dict, timeout_s: float) -> tuple[dict, bytes]:
        data = json.dumps(req).encode("utf-8")
        self.proc.stdin.write(struct.pack(">I", len(data)) + data)
        self.proc.stdin.flush()
        return self._read(time.monotonic() + timeout_s)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for f in (self.proc.stdin, self.proc.stdout):
            try:
                f.close()
            except OSError:
                pass


def _shutdown(live: set, tmp: Optional[str]) -> None:
    for w in list(live):
        w.kill()
    live.clear()
    if tmp:
        shutil.rmtree(tmp, ignore_errors=True)


class SparqlEngine:
    """A pool of worker processes over one store. `mode` is "dir" (an on-disk store, opened
    read-only) or "dump" (an N-Quads file loaded into memory). Thread-safe."""

    def __init__(self, mode: str, source: str | Path, workers: int = WORKERS,
                 tmp_dir: Optional[str] = None):
        if mode not in ("dir", "dump"):
            raise ValueError(f"SparqlEngine mode={mode!r}: expected 'dir' or 'dump'")
        if workers < 1:
            raise ValueError(f"SparqlEngine workers={workers!r}: must be >= 1")
        self.mode, self.source, self.size = mode, str(source), workers
        self._slots = threading.BoundedSemaphore(workers)
        self._idle: list[_Worker] = []
        self._live: set[_Worker] = set()
        self._lock = threading.Lock()
        self.isolated: Optional[bool] = None
        self._final = weakref.finalize(self, _shutdown, self._live, tmp_dir)

    @classmethod
    def for_store(cls, store: ox.Store, location: Optional[Path] = None) -> "SparqlEngine":
        """Use `location` (an on-disk copy of `store`) when its size matches, else a dump."""
        if location is not None and Path(location).is_dir():
            eng = cls("dir", location)
            try:
                if eng._spawn_checked(len(store)):
                    return eng
            except QueryError:
                pass
            eng.close()
        tmp = tempfile.mkdtemp(prefix="plangraph-sparql-")
        path = Path(tmp) / "graph.nq"
        store.dump(str(path), ox.RdfFormat.N_QUADS)
        return cls("dump", path, tmp_dir=tmp)

    def _spawn(self) -> _Worker:
        w = _Worker(self.mode, self.source)
        self.isolated = w.isolated
        with self._lock:
            self._live.add(w)
        return w

    def _spawn_checked(self, quads: int) -> bool:
        w = self._spawn()
        ok = w.quads == quads
        self._give_back(w) if ok else self._discard(w)
        return ok

    def _take(self) -> _Worker:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        return self._spawn()

    def _give_back(self, w: _Worker) -> None:
        with self._lock:
            keep = len(self._idle) < self.size
            if keep:
                self._idle.append(w)
        if not keep:
            self._discard(w)

    def _discard(self, w: _Worker) -> None:
        w.kill()
        with self._lock:
            self._live.discard(w)

    def warm(self) -> None:
        """Start one worker now (in this thread) if none is idle."""
        with self._lock:
            if self._idle:
                return
        self._give_back(self._spawn())

    def _rewarm(self) -> None:
        try:
            self.warm()
        except (QueryError, OSError) as e:
            log.warning("SPARQL engine: no replacement worker (%s)", e)

    def run(self, query: str, cfg: Any, info: Optional[QueryInfo] = None,
            default_graphs: Optional[Sequence[str]] = None,
            named_graphs: Optional[Sequence[str]] = None,
            base_iri: Optional[str] = None) -> SparqlResult:
        from kg.sparql import SparqlResult, guard      # kg.sparql imports this module
        info = info or guard(query, cfg)
        dg, ng = _iris(default_graphs, "default-graph-uri"), _iris(named_graphs, "named-graph-uri")
        req = {"q": query, "dg": dg, "ng": ng, "union": not info.has_dataset,
               "base": base_iri, "max": cfg.sparql_max_rows}
        if not self._slots.acquire(timeout=cfg.sparql_timeout_s):
            raise QueryError("the SPARQL engine is busy; try again", 503)
        t0 = time.perf_counter()
        try:
            w = self._take()
            try:
                head, body = w.call(req, cfg.sparql_timeout_s)
            except _Late:
                self._discard(w)
                threading.Thread(target=self._rewarm, daemon=True).start()
                raise QueryError(f"query stopped: it ran longer than the {cfg.sparql_timeout_s:g} s "
                                 "limit (sparql_timeout_s)", 503) from None
            except (EOFError, OSError):
                self._discard(w)
                raise QueryError("the SPARQL engine stopped while running the query", 500) from None
            self._give_back(w)
        finally:
            self._slots.release()
        if not head.get("ok"):
            raise QueryError(("malformed query: " if head["status"] == 400 else "query failed: ")
                             + head["error"], head["status"])
        form = {"boolean": "ASK", "solutions": "SELECT"}.get(head["kind"], info.form)
        return SparqlResult(form, body, head["count"], head["truncated"], cfg.sparql_max_rows,
                            (time.perf_counter() - t0) * 1000)

    def close(self) -> None:
        """Stop every worker. The engine stays usable (workers restart on demand)."""
        with self._lock:
            idle, self._idle = self._idle, []
        for w in idle:
            self._discard(w)

    def __enter__(self) -> "SparqlEngine":
        return self

    def __exit__(self, *exc: Any) -> None:
        self._final()


def _iris(values: Optional[Sequence[str]], what: str) -> Optional[list[str]]:
    if values is None:
        return None
    for v in values:
        try:
            ox.NamedNode(v)
        except (ValueError, TypeError):
            raise QueryError(f"{what} {v!r} is not an absolute IRI", 400) from None
    return list(values)


def engine_for(graph: Any, cfg: Any = None) -> SparqlEngine:
    """The engine of a KnowledgeGraph (or anything with `.store`), kept on the graph object so
    the UI and /sparql share one pool. Workers open the graph's on-disk store: its `location`
    (set by kg.load), or for a graph built in memory cfg.data_dir/kg/store when that holds the
    same number of quads; otherwise they load a dump of the in-memory store."""
    if isinstance(graph, SparqlEngine):
        return graph
    eng = getattr(graph, "_sparql_engine", None)
    if eng is None:
        loc = getattr(graph, "location", None)
        if loc is None and cfg is not None:
            loc = Path(cfg.data_dir) / "kg" / "store"
        eng = SparqlEngine.for_store(graph.store, loc)
        try:
            eng = graph.__dict__.setdefault("_sparql_engine", eng)
        except AttributeError:
            pass
    return eng
