"""Real SPARQL servers for the graph-store tests, started on free loopback ports and stopped
afterwards: the Oxigraph server (PyPI `oxigraph`, beside the venv's python) and Virtuoso 7
(Debian `virtuoso-opensource`, `make virtuoso`). A test is skipped, with the reason, only when
the server's binary is not installed."""
from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Optional

import httpx
import pytest


@dataclass
class Server:
    """A running SPARQL server: its query URL, Graph Store Protocol URL and credentials."""
    name: str
    query: str
    update: str
    auth: str = ""
    proc: Optional[subprocess.Popen] = field(default=None, repr=False)

    def env(self) -> dict[str, str]:
        """PLANGRAPH_* variables that point a PlanGraph process at this server."""
        out = {"PLANGRAPH_GRAPH_STORE": self.query, "PLANGRAPH_GRAPH_STORE_UPDATE": self.update}
        if self.auth:
            out["PLANGRAPH_GRAPH_STORE_AUTH"] = self.auth
        return out

    def ask(self, query: str) -> bool:
        r = httpx.post(self.query, data={"query": query}, timeout=30,
                       headers={"Accept": "application/sparql-results+json"})
        r.raise_for_status()
        return bool(r.json()["boolean"])

    def count(self, graph: Optional[str] = None) -> int:
        """Triples in one graph, or in all graphs."""
        where = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "GRAPH ?g { ?s ?p ?o }"
        r = httpx.post(self.query, data={"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}"},
                       headers={"Accept": "application/sparql-results+json"}, timeout=30)
        r.raise_for_status()
        return int(r.json()["results"]["bindings"][0]["n"]["value"])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_ready(server: Server, deadline_s: float) -> None:
    t0 = time.time()
    while True:
        if server.proc is not None and server.proc.poll() is not None:
            err = server.proc.stderr.read().decode("utf-8", "replace") if server.proc.stderr else ""
            raise RuntimeError(f"{server.name} exited with {server.proc.returncode}: {err[-800:]}")
        try:
            if server.ask("ASK {}") in (True, False):
                return
        except (httpx.HTTPError, ValueError, KeyError):
            pass
        if time.time() - t0 > deadline_s:
            raise RuntimeError(f"{server.name} did not answer within {deadline_s} s")
        time.sleep(0.1)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def oxigraph_binary() -> Optional[str]:
    return shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")


@contextlib.contextmanager
def oxigraph_server(folder: Path) -> Iterator[Server]:
    """`oxigraph serve` on a free loopback port over a store in `folder`."""
    exe = oxigraph_binary()
    if exe is None:
        pytest.skip("the Oxigraph server is not installed (PyPI oxigraph, pinned in requirements.txt)")
    port = free_port()
    proc = subprocess.Popen([exe, "serve", "--location", str(folder), "--bind", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    server = Server("oxigraph", base + "/query", base + "/store", proc=proc)
    try:
        _wait_ready(server, 30)
        yield server
    finally:
        _stop(proc)
