"""The graph read from a SPARQL 1.1 server (cfg.graph_store is a URL; DESIGN §9): the same
typed views, neighbourhood, entity_search, label_of and counts as kg.store.KnowledgeGraph, read
over HTTP.

    graph = open_graph(cfg, build_id)     # RemoteGraph; GraphStoreError when unreachable
    held = store_build(client)            # (build id, {graph IRI: content hash}) the store holds

The build marker (kg.publish) names the build the store holds and its graphs; the reader sends
exactly those graphs as the dataset of every query (kg.graphstore), and refuses a store that
holds another build than data/ (its passages and offsets would not match).

Transport: plain SPARQL 1.1 Protocol requests (kg.graphstore) parsed by pyoxigraph, not
rdflib's SPARQLStore. Loading the typed views of the two plans (13 SELECTs) from the Oxigraph
server, three runs each: 0.13-0.25 s this way, 0.25-0.37 s through SPARQLStore; and SPARQLStore
sends at most one default-graph-uri (the build's graphs are several), while the proxy
(kg.sparql.remote) must stream, cap and cancel, which SPARQLStore cannot either.
"""
from __future__ import annotations

import time
from typing import Any, Optional

import pyoxigraph as ox

from core.errors import GraphStoreError
from kg.graphstore import StoreClient
from kg.model import GRAPH
from kg.rdf import PG
from kg.store import _P, KnowledgeGraph, _v

__all__ = ["RemoteGraph", "open_graph", "store_build", "MARKER"]

MARKER = GRAPH + "build"        # the build marker graph (not part of the dataset queried)


def store_build(client: StoreClient,
                strict: bool = True) -> tuple[Optional[str], dict[str, str]]:
    """(build id or None, {graph IRI: content hash}) as the store's build marker says.
    A marker naming several builds is refused, unless strict=False (`build --force`, which
    replaces every graph and the marker): then (None, every graph it names)."""
    rows = client.select(f"SELECT ?id ?g ?h WHERE {{ GRAPH <{MARKER}> {{ <{MARKER}> <{PG}buildId> ?id "
                         f"OPTIONAL {{ <{MARKER}> <{PG}namedGraph> ?g . ?g <{PG}contentHash> ?h }} }} }}")
    ids = {_v(r["id"]) for r in rows}
    if len(ids) > 1 and not strict:
        return None, {_v(r["g"]): "" for r in rows if r.get("g") is not None}
    if len(ids) > 1:
        raise GraphStoreError(f"图存储的构建标记不一致。graph store {client.query_url}: the build "
                              f"marker names {len(ids)} builds; run `python app.py build --force`")
    graphs = {_v(r["g"]): _v(r["h"]) for r in rows if r.get("g") is not None}
    return (ids.pop() if ids else None), graphs


class RemoteGraph(KnowledgeGraph):
    """KnowledgeGraph whose queries go to the store at client.query_url over `graphs`.
    union=True: the store's default graph is the union of its graphs (cfg.graph_store_dataset
    "union"): no dataset is sent (with 100 plans, naming 101 default graphs made the Oxigraph
    server take 35 s for example query 01 instead of 0.09 s); the marker graph is then part
    of the default graph, and GRAPH ?g patterns here leave it out themselves."""

    def __init__(self, client: StoreClient, graphs: list[str], meta: Optional[dict] = None,
                 views: Optional[dict] = None, union: bool = False):
        self.client, self.graphs, self.union = client, sorted(graphs), union
        self.store = None
        self.meta = meta or {}
        self.location = None
        self._set_views(views)

    @property
    def dataset(self) -> Optional[list[str]]:
        """The graphs to name in a query's dataset (None: the store's default)."""
        return None if self.union else self.graphs

    def _select(self, query: str) -> list[dict]:
        return [{k: _v(t) for k, t in row.items()}
                for row in self.client.select(_P + query, self.dataset)]

    def _around(self, node: str) -> list[tuple[str, str, str, bool]]:
        n = str(ox.NamedNode(node))             # validates the IRI as the embedded store does
        out, mine = [], f"FILTER(?g != <{MARKER}>)"
        for query in (f"SELECT ?p ?o WHERE {{ GRAPH ?g {{ {n} ?p ?o }} {mine} }}",
                      f"SELECT ?s ?p WHERE {{ GRAPH ?g {{ ?s ?p {n} }} {mine} }}"):
            for r in self.client.select(query, self.dataset):
                s, o = r.get("s") or ox.NamedNode(node), r.get("o") or ox.NamedNode(node)
                out.append((s.value, r["p"].value, o.value, isinstance(o, ox.NamedNode)))
        return out

    def __len__(self) -> int:
        rows = self.client.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
                                  f"FILTER(?g != <{MARKER}>) }}", self.dataset)
        return int(rows[0]["n"].value) if rows else 0


def open_graph(cfg: Any, build_id: Optional[str] = None,
               views: Optional[dict] = None) -> RemoteGraph:
    """The graph in the store at cfg.graph_store; with build_id, refused unless the store
    holds that build. `views`: the typed views of that same build (kg.store.load_views of its
    kg/ folder), used instead of reading them from the store; only with build_id."""
    client = StoreClient.from_config(cfg)
    t0 = time.perf_counter()
    held, graphs = store_build(client)
    if held is None or not graphs:
        raise GraphStoreError(f"图存储中没有图谱。graph store {cfg.graph_store} holds no PlanGraph "
                              "build; run `python app.py build` (with graph_store_update set)")
    if build_id is not None and held != build_id:
        raise GraphStoreError(f"图存储与本地数据不是同一次构建。graph store {cfg.graph_store} holds "
                              f"build {held}, {cfg.data_dir} holds build {build_id}; run "
                              "`python app.py build`")
    graph = RemoteGraph(client, list(graphs), {"build_id": held, "store": cfg.graph_store},
                        views=views if build_id is not None else None,
                        union=cfg.graph_store_dataset == "union")
    graph.meta["load_s"] = round(time.perf_counter() - t0, 4)
    return graph
