"""Pushing a built graph to the store (cfg.graph_store_update, SPARQL 1.1 Graph Store Protocol).

    report = publish(client, store, build_id)   # store: the build's pyoxigraph Store
    report = publish_folder(client, kg_dir, build_id)   # from data/kg/graph.trig

Each named graph (one per plan, plus shared) is sent whole with one PUT, so a push that fails
leaves that graph as it was. A graph whose content hash (sha256 of its sorted N-Triples) equals
the one the store's build marker records is not sent again; graphs of plans no longer built
are deleted. The marker graph <https://w3id.org/plangraph/graph/build> is written last:

    <…/graph/build> pg:buildId "…" ; pg:namedGraph <…/graph/shaoxing>, … .
    <…/graph/shaoxing> pg:contentHash "…" .

so a store whose push failed still names the previous build (readers refuse to mix it with
the new data/), and the next build sends what differs. `build --force` sends every graph and
writes the marker anew, also over a marker that names several builds.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

import pyoxigraph as ox

from kg.graphstore import StoreClient
from kg.rdf import PG
from kg.remote import MARKER, store_build

__all__ = ["publish", "publish_folder", "PushReport"]

NL = b"\n"


@dataclass
class PushReport:
    build_id: str
    sent: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"graph store: {len(self.sent)} graph(s) sent, {len(self.unchanged)} unchanged, "
                f"{len(self.deleted)} removed; build {self.build_id}")


def _graph_bytes(store: ox.Store, graph: ox.NamedNode) -> tuple[bytes, str]:
    """The graph as sorted N-Triples (also valid Turtle) and its sha256."""
    data = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph) or b""
    lines = sorted(set(data.splitlines()))
    body = b"\n".join(lines) + (b"\n" if lines else b"")
    return body, hashlib.sha256(body).hexdigest()


def _marker(build_id: str, hashes: dict[str, str]) -> bytes:
    m, pg = ox.NamedNode(MARKER), lambda x: ox.NamedNode(PG + x)
    triples = [ox.Triple(m, pg("buildId"), ox.Literal(build_id))]
    for g, h in sorted(hashes.items()):
        triples += [ox.Triple(m, pg("namedGraph"), ox.NamedNode(g)),
                    ox.Triple(ox.NamedNode(g), pg("contentHash"), ox.Literal(h))]
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)


def publish(client: StoreClient, store: ox.Store, build_id: str,
            held: Optional[dict[str, str]] = None, force: bool = False,
            progress: Callable[[str], None] = lambda m: None) -> PushReport:
    """Send every named graph of `store` that the store lacks (every one with force), remove
    graphs of an earlier build that this one does not have, then write the marker.
    `held`: the store's marker as the caller read it (kg.remote.store_build; read here when
    None). force: a marker naming several builds is no error (`build --force` repairs it).
    GraphStoreError (one line) when the store cannot be reached or refuses a request."""
    if held is None:                # also: can the store be reached at all?
        held = store_build(client, strict=not force)[1]
    report = PushReport(build_id)
    hashes: dict[str, str] = {}
    for g in sorted(store.named_graphs(), key=lambda n: n.value):
        if not isinstance(g, ox.NamedNode) or g.value == MARKER:
            continue
        body, digest = _graph_bytes(store, g)
        hashes[g.value] = digest
        if not force and held.get(g.value) == digest:
            report.unchanged.append(g.value)
            continue
        client.put_graph(g.value, body)
        report.sent.append(g.value)
        progress(f"graph store: sent <{g.value}> ({body.count(NL)} triples)")
    for g in sorted(set(held) - set(hashes)):
        client.delete_graph(g)
        report.deleted.append(g)
    client.put_graph(MARKER, _marker(build_id, hashes))
    progress(report.summary())
    return report


def publish_folder(client: StoreClient, kg_dir: Path, build_id: str,
                   held: Optional[dict[str, str]] = None,
                   progress: Callable[[str], None] = lambda m: None) -> PushReport:
    """publish() from a built kg/ folder's graph.trig (a build whose push did not happen)."""
    store = ox.Store()
    store.load(path=str(Path(kg_dir) / "graph.trig"), format=ox.RdfFormat.TRIG)
    return publish(client, store, build_id, held, progress=progress)
