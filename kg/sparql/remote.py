"""The SPARQL engine when the graph is in a SPARQL server (cfg.graph_store is a URL): /sparql,
the UI and `app.py sparql` proxy to the store, with the same guard, lanes, limits and results
as the worker pool (kg.sparql.engine) in front. The store's own endpoint stays on loopback.

    engine = RemoteEngine(client, dataset, cfg)  # kg.sparql.engine_for(graph) makes one per graph
    res = engine.run(query, cfg, info)           # SparqlResult (TSV / N-Triples / boolean)

- Guard: kg.sparql.guard as always, and, since the store runs outside our sandbox (no seccomp
  filter can stop it calling out), a query in which the word SERVICE appears anywhere (also in
  a string, an IRI or a comment, any case, \\u escapes expanded) is refused (403) and never sent.
- Dataset: without FROM/FROM NAMED or protocol graphs, `dataset` (kg.remote.RemoteGraph.dataset:
  the build's graphs) is sent as default-graph-uri and named-graph-uri (the default graph is
  their union, as embedded); None when the store's default graph is that union already.
- Time: each request runs in a thread; past its lane's time the request is cut (the socket shut
  down: kg.graphstore.Upstream.cancel) or moved to the slow lane, as the worker pool does.
- Results: asked as SPARQL JSON (SELECT, ASK) or N-Triples (CONSTRUCT, DESCRIBE; Turtle and
  RDF/XML are read too), parsed as they stream in and written as TSV / N-Triples cut at
  cfg.sparql_max_rows rows and cfg.sparql_max_result_bytes bytes; the rest is not read.
"""
from __future__ import annotations

import io
import re
import threading
import time
from typing import Any, Callable, Optional, Sequence

import pyoxigraph as ox

from core.errors import GraphStoreError, QueryError
from kg.graphstore import JSON_RESULTS, StoreClient, Upstream, canonical
from kg.sparql.cap import Cap
from kg.sparql.engine import FAST_WORKERS, SLOW_QUEUE, SLOW_WORKERS, _iris, _timeout
from kg.sparql.guard import QueryInfo, _expand, guard, zh
from kg.sparql.lanes import Lane, Lanes, SlowQueries, fingerprint
from kg.sparql.result import SparqlResult

__all__ = ["RemoteEngine", "refuse_service_anywhere"]

GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
_RESULT_TYPES = {"application/sparql-results+json": ox.QueryResultsFormat.JSON,
                 "application/json": ox.QueryResultsFormat.JSON,
                 "application/sparql-results+xml": ox.QueryResultsFormat.XML,
                 "text/tab-separated-values": ox.QueryResultsFormat.TSV}
_GRAPH_TYPES = {"application/n-triples": ox.RdfFormat.N_TRIPLES,
                "text/plain": ox.RdfFormat.N_TRIPLES, "text/turtle": ox.RdfFormat.TURTLE,
                "application/rdf+xml": ox.RdfFormat.RDF_XML}
_SERVICE = re.compile("service", re.IGNORECASE)
RAW_FACTOR = 8          # the store's answer may be this many times the result cap (JSON is wordier)


def refuse_service_anywhere(query: str) -> None:
    """403 when SERVICE appears anywhere in the text (the store is not sandboxed by us)."""
    for text in (query, _expand(query)):
        m = _SERVICE.search(text)
        if m:
            raise QueryError(zh("不允许联邦查询 (SERVICE)", "SERVICE (federated query) is not "
                                "allowed: with a graph store by URL a query may not contain the "
                                f"word SERVICE anywhere, also not in strings, IRIs or comments "
                                f"({m.group()!r} at character {m.start()})"), 403)


def _tsv(res: ox.QuerySolutions, sink: Cap) -> None:
    """SPARQL TSV (terms in Turtle syntax, tabs and newlines escaped) of canonical terms."""
    names = list(res.variables)
    sink.write(("\t".join(str(v) for v in names) + "\n").encode("utf-8"))
    for sol in res:
        sink.write(("\t".join("" if sol[v] is None else str(canonical(sol[v])) for v in names)
                    + "\n").encode("utf-8"))


class _Body(io.RawIOBase):
    """The store's answer as a file for pyoxigraph's parsers; stops past `limit` bytes."""

    def __init__(self, up: Upstream, limit: int):
        self.up, self.limit, self.seen, self.over = up, limit, 0, False

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        if self.seen >= self.limit:
            self.over = True
            return 0
        data = self.up.read(min(len(b), 1 << 16, self.limit - self.seen))
        b[:len(data)] = data
        self.seen += len(data)
        return len(data)


class _Call:
    """One request to the store, run in a thread; wait() for it, cancel() to cut it."""

    def __init__(self, up: Upstream, work: Callable[[Upstream], tuple[dict, bytes]]):
        self.up, self.done = up, threading.Event()
        self.out: Optional[tuple[dict, bytes]] = None
        self.error: Optional[BaseException] = None

        def run() -> None:
            try:
                self.out = work(up.send())
            except BaseException as e:          # handed to the waiting thread
                self.error = e
            finally:
                up.close()
                self.done.set()
        threading.Thread(target=run, name="plangraph-store-query", daemon=True).start()

    def wait(self, timeout_s: float) -> bool:
        return self.done.wait(max(timeout_s, 0.0))

    def result(self) -> tuple[dict, bytes]:
        if self.error is not None:
            raise self.error
        assert self.out is not None
        return self.out

    def cancel(self) -> None:
        self.up.cancel()


class RemoteEngine(Lanes):
    """Lanes and limits in front of the store's query endpoint; thread-safe."""

    def __init__(self, client: StoreClient, dataset: Optional[Sequence[str]], cfg: Any):
        self.client = client
        self.dataset = None if dataset is None else list(dataset)
        self.fast = Lane("fast", FAST_WORKERS, cfg.sparql_queue)
        self.slow = Lane("slow", SLOW_WORKERS, SLOW_QUEUE)
        self.slow_queries = SlowQueries()

    def status(self) -> dict[str, Any]:
        return {"network_isolated": None, "barriers": None, "available": True,
                "store": self.client.query_url,
                "lanes": {"fast": self.fast.state(), "slow": self.slow.state()}}

    def warm(self, lane: str = "fast") -> None:
        """Check that the store answers (nothing to start: the store is running)."""
        up = self.client.open("ASK {}", JSON_RESULTS)
        try:
            up.read()
        finally:
            up.close()

    def close(self) -> None:
        """Nothing held between requests."""

    # ---- one request ---------------------------------------------------------------------
    def _work(self, info: QueryInfo, cfg: Any) -> Callable[[Upstream], tuple[dict, bytes]]:
        max_rows, max_bytes = cfg.sparql_max_rows, cfg.sparql_max_result_bytes

        def work(up: Upstream) -> tuple[dict, bytes]:
            if up.status != 200:                # one line, an HTML error page as text
                refused = self.client._refused(up.status, up.read(4000), "query")
                return {"ok": False, "status": up.status, "error": str(refused)}, b""
            body = _Body(up, max_bytes * RAW_FACTOR + (1 << 20))
            try:
                if info.is_graph:
                    fmt = _GRAPH_TYPES.get(up.content_type)
                    if fmt is None:
                        raise ValueError(f"unexpected media type {up.content_type!r}")
                    sink = Cap(max_rows, max_bytes)
                    try:
                        ox.serialize((ox.Triple(q.subject, q.predicate, canonical(q.object))
                                      for q in ox.parse(body, fmt)), sink, ox.RdfFormat.N_TRIPLES)
                    except BrokenPipeError:
                        pass
                    data, kind = sink.result(), "graph"
                    count = data.count(b"\n")
                else:
                    fmt = _RESULT_TYPES.get(up.content_type)
                    if fmt is None:
                        raise ValueError(f"unexpected media type {up.content_type!r}")
                    res = ox.parse_query_results(body, fmt)
                    if isinstance(res, ox.QueryBoolean):
                        return {"ok": True, "kind": "boolean", "count": 1, "truncated": ""}, \
                            b"true" if bool(res) else b"false"
                    sink = Cap(max_rows + 1, max_bytes)          # TSV has a header line
                    try:
                        _tsv(res, sink)
                    except BrokenPipeError:
                        pass
                    data, kind = sink.result(), "solutions"
                    count = max(0, data.count(b"\n") - 1)
            except (SyntaxError, ValueError, OSError) as e:
                if body.over:                   # a huge answer the caps could not cut
                    return {"ok": True, "kind": "graph" if info.is_graph else "solutions",
                            "count": 0, "truncated": "bytes"}, b""
                if isinstance(e, ConnectionAbortedError):
                    raise
                return {"ok": False, "status": 502, "error": f"unreadable answer ({e})"}, b""
            cut = sink.full or ("bytes" if body.over else "") or ("store" if up.cut_by_store else "")
            return {"ok": True, "kind": kind, "count": count, "truncated": cut}, data
        return work

    def _start(self, query: str, info: QueryInfo, cfg: Any, dg: Optional[list[str]],
               ng: Optional[list[str]], limit: float) -> _Call:
        if dg is None and ng is None and not info.has_dataset and self.dataset is not None:
            dg, ng = self.dataset, self.dataset
        accept = GRAPH_ACCEPT if info.is_graph else JSON_RESULTS
        up = self.client.open(query, accept, dg or [], ng or [], timeout_s=limit + 1, send=False)
        return _Call(up, self._work(info, cfg))

    def run(self, query: str, cfg: Any, info: Optional[QueryInfo] = None,
            default_graphs: Optional[Sequence[str]] = None,
            named_graphs: Optional[Sequence[str]] = None,
            base_iri: Optional[str] = None) -> SparqlResult:
        info = info or guard(query, cfg)
        refuse_service_anywhere(query)
        dg, ng = _iris(default_graphs, "default-graph-uri"), _iris(named_graphs, "named-graph-uri")
        if base_iri and not re.match(r"\s*BASE\b", query, re.IGNORECASE):
            query = f"BASE <{base_iri}>\n{query}"
        limit, budget = cfg.sparql_timeout_s, min(cfg.sparql_fast_lane_s, cfg.sparql_timeout_s)
        key = fingerprint(info.shape or query, dg, ng)
        t0 = time.perf_counter()
        call: Optional[_Call] = None
        if key not in self.slow_queries:
            self.fast.acquire(limit, budget)
            moved = False
            try:
                if key not in self.slow_queries:
                    call = self._start(query, info, cfg, dg, ng, limit)
                    if not call.wait(budget):
                        self.slow_queries.mark(key)
                        if budget < limit and self.slow.try_acquire():
                            moved = True
                        else:
                            call.cancel()
                            raise (_timeout(limit) if budget >= limit else
                                   self.slow.busy(limit)) from None
            finally:
                self.fast.release()
            if moved:
                try:
                    if not call.wait(limit - (time.perf_counter() - t0)):
                        call.cancel()
                        raise _timeout(limit)
                finally:
                    self.slow.release()
        if call is None:                        # known to be slow: the slow lane at once
            left = limit - (time.perf_counter() - t0)
            self.slow.acquire(left, limit)
            try:
                call = self._start(query, info, cfg, dg, ng, limit)
                if not call.wait(left):
                    call.cancel()
                    self.slow_queries.mark(key)
                    raise _timeout(limit)
            finally:
                self.slow.release()
        return self._result(call, info, cfg, t0)

    def _result(self, call: _Call, info: QueryInfo, cfg: Any, t0: float) -> SparqlResult:
        try:
            head, body = call.result()
        except GraphStoreError as e:
            raise QueryError(str(e), 502) from None
        if not head.get("ok"):
            status = head["status"]
            if status == 400:
                raise QueryError(zh("查询语法错误", "malformed query: " + head["error"]), 400)
            if "timed out" in head["error"].lower():        # the store's own limit (Virtuoso)
                raise _timeout(cfg.sparql_timeout_s)
            raise QueryError(head["error"][:600], 502)
        return SparqlResult.from_head(head, body, info, cfg, (time.perf_counter() - t0) * 1000)
