"""Read-only SPARQL over the graph store (DESIGN §6, §9): a guard, then the Oxigraph engine
(pyoxigraph) in worker processes that are killed when a query runs past its time limit.

    info = guard(query, cfg)                  # QueryInfo, or QueryError(message, status)
    res = execute(graph, query, cfg)          # SparqlResult: payload, count, truncation notice
    body, content_type = run_to_text(graph, query, cfg, fmt)

Modules: guard (tokenizer, refusals), result (formats, SparqlResult), lanes (fast/slow lanes,
queue limits), engine (worker pool, network barriers, limits), worker (the worker script),
remote (the proxy to a graph store by URL: cfg.graph_store).

QueryError statuses: 400 malformed query or bad argument; 403 SPARQL Update or SERVICE (never
run); 413 query over cfg.sparql_max_query_bytes; 422 a result that cannot be converted to the
asked format; 503 over cfg.sparql_timeout_s or cfg.sparql_max_memory_mb, a full queue
(BusyError, with retry_after), or no network barrier for the workers; 500 engine failure.
"""
from __future__ import annotations

import logging
import threading
import weakref
from typing import Any, Optional, Sequence

from core.config import Config
from kg.remote import RemoteGraph
from kg.sparql.engine import SparqlEngine, new_engine
from kg.sparql.guard import QueryInfo, Token, guard, tokenize
from kg.sparql.lanes import BusyError
from kg.sparql.remote import RemoteEngine
from kg.sparql.result import SparqlResult, content_type, format_for

__all__ = ["guard", "tokenize", "format_for", "content_type", "execute", "run_to_text",
           "QueryInfo", "Token", "SparqlResult", "SparqlEngine", "RemoteEngine", "engine_for",
           "running_engine", "attach_engine", "BusyError"]

log = logging.getLogger(__name__)


Engine = SparqlEngine | RemoteEngine
# One engine per graph, so the UI and /sparql share its workers; held weakly by the graph (an
# engine does not refer to its graph), so it closes when the graph is dropped.
_ENGINES: "weakref.WeakKeyDictionary[Any, Engine]" = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def engine_for(graph: Any, cfg: Any = None) -> Engine:
    """The engine of a graph, started on first use: the worker pool over the embedded store
    (kg.sparql.engine), or for a graph in a SPARQL server (kg.remote.RemoteGraph) the proxy to
    it (kg.sparql.remote). An engine is its own engine."""
    if isinstance(graph, (SparqlEngine, RemoteEngine)):
        return graph
    with _LOCK:
        eng = _ENGINES.get(graph)
        if eng is None:
            eng = RemoteEngine(graph.client, graph.dataset, cfg if cfg is not None else Config()) \
                if isinstance(graph, RemoteGraph) \
                else new_engine(graph, cfg)
            _ENGINES[graph] = eng
    return eng


def running_engine(graph: Any) -> Optional[Engine]:
    """The graph's engine if one was started, else None (never starts one)."""
    return _ENGINES.get(graph) if graph is not None else None


def attach_engine(graph: Any, engine: Engine) -> None:
    """Give a graph an engine made with other options (a test's barriers or memory cap)."""
    with _LOCK:
        _ENGINES[graph] = engine


def execute(graph: Any, query: str, cfg: Any, default_graph_uris: Optional[Sequence[str]] = None,
            named_graph_uris: Optional[Sequence[str]] = None,
            base_iri: Optional[str] = None) -> SparqlResult:
    """Guard, then run. Default graph: the union of all graphs, unless the query (FROM) or
    default_graph_uris / named_graph_uris say otherwise (graphs of the store only)."""
    info = guard(query, cfg)
    return engine_for(graph, cfg).run(query, cfg, info, default_graph_uris, named_graph_uris,
                                      base_iri)


def run_to_text(graph: Any, query: str, cfg: Any, fmt: Optional[str] = None) -> tuple[str, str]:
    """For the CLI and UI: (text, content type). fmt: json|csv|tsv|xml for SELECT/ASK (default
    tsv), turtle|n-triples|json-ld|rdf-xml|n3 for CONSTRUCT/DESCRIBE (default turtle)."""
    info = guard(query, cfg)
    name = format_for(info, fmt)
    res = engine_for(graph, cfg).run(query, cfg, info)
    body, ctype = res.serialize(name)
    if res.truncated:
        log.warning("%s", res.notice)
    return body.decode("utf-8"), ctype
