"""Helpers for the SPARQL and server tests: a small plan-like graph in a temporary on-disk
pyoxigraph store, a live uvicorn server on a loopback port, and a listening socket that records
whatever connects to it (to prove that nothing is fetched)."""
from __future__ import annotations

import contextlib
import socket
import threading
import time
from pathlib import Path
from typing import Iterator

import pyoxigraph as ox

PG = "https://w3id.org/plangraph/ns#"
GRAPH = "https://w3id.org/plangraph/graph/"
ID = "https://w3id.org/plangraph/id/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
BULK = 1500          # triples in the bulk graph: a 3-way cross product of them never finishes


def n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def plan_quads() -> list[ox.Quad]:
    """Two plans (each in its own named graph) + a shared indicator + a bulk graph."""
    out = []
    shared = n(GRAPH + "shared")
    ind = n(ID + "indicator/waste")
    out += [ox.Quad(ind, RDF_TYPE, n(PG + "Indicator"), shared),
            ox.Quad(ind, LABEL, ox.Literal("生活垃圾回收利用率", language="zh"), shared)]
    for doc, city, value in (("plan-a", "甲市", "65"), ("plan-b", "乙市", "60")):
        g = n(GRAPH + doc)
        plan, target = n(ID + doc), n(ID + doc + "/target/1")
        out += [ox.Quad(plan, RDF_TYPE, n(PG + "Plan"), g),
                ox.Quad(plan, LABEL, ox.Literal(f"{city}城市管理规划", language="zh"), g),
                ox.Quad(target, RDF_TYPE, n(PG + "Target"), g),
                ox.Quad(target, n(PG + "plan"), plan, g),
                ox.Quad(target, n(PG + "indicator"), ind, g),
                ox.Quad(target, n(PG + "targetValue"),
                        ox.Literal(value, datatype=n("http://www.w3.org/2001/XMLSchema#decimal")), g),
                ox.Quad(target, LABEL, ox.Literal(f"{city}: 回收利用率 {value}%\t\"引号\"",
                                                  language="zh"), g)]
    bulk = n(GRAPH + "bulk")
    out += [ox.Quad(n(f"{ID}bulk/{i}"), n(f"{PG}p{i % 7}"), ox.Literal(f"v{i}"), bulk)
            for i in range(BULK)]
    return out


def write_store(path: Path, quads: list[ox.Quad]) -> ox.Store:
    """Write quads to an on-disk store at `path`; return it reopened read-only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    store = ox.Store(str(path))
    store.extend(quads)
    store.flush()
    del store
    return ox.Store.read_only(str(path))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def live_server(app) -> Iterator[str]:
    """Serve an ASGI app with uvicorn on a free loopback port; yields the base URL."""
    import uvicorn
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 60
    while not server.started:
        assert thread.is_alive(), "uvicorn stopped during start-up"
        assert time.time() < deadline, "server did not start within 60 s"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)


class Listener:
    """A plain TCP listener on loopback that records every connection (and its first bytes)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/sparql"
        self.received: list[bytes] = []
        self._stop = False
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except (socket.timeout, OSError):
                continue
            with conn:
                conn.settimeout(1)
                try:
                    self.received.append(conn.recv(4096) or b"<connected>")
                except OSError:
                    self.received.append(b"<connected>")

    def close(self) -> None:
        time.sleep(0.3)        # let a late connection arrive before we stop looking
        self._stop = True
        self._thread.join(timeout=2)
        self.sock.close()
