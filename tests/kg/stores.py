"""Real SPARQL servers for the graph-store tests, started on free loopback ports and stopped
afterwards: the Oxigraph server (PyPI `oxigraph`, beside the venv's python) and Virtuoso 7
(Debian `virtuoso-opensource`, `make virtuoso`). A test is skipped, with the reason, only when
the server's binary is not installed."""
from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Optional

import httpx
import pytest

from tests.web.sparql_fixtures import free_port


@dataclass
class Server:
    """A running SPARQL server: its query URL, Graph Store Protocol URL and credentials."""
    name: str
    query: str
    update: str
    auth: str = ""
    proc: Optional[subprocess.Popen] = field(default=None, repr=False)
    dataset: str = "explicit"            # cfg.graph_store_dataset that fits the server

    def env(self) -> dict[str, str]:
        """PLANGRAPH_* variables that point a PlanGraph process at this server."""
        out = {"PLANGRAPH_GRAPH_STORE": self.query, "PLANGRAPH_GRAPH_STORE_UPDATE": self.update}
        if self.auth:
            out["PLANGRAPH_GRAPH_STORE_AUTH"] = self.auth
        out["PLANGRAPH_GRAPH_STORE_DATASET"] = self.dataset
        return out

    def ask(self, query: str) -> bool:
        r = httpx.post(self.query, data={"query": query}, timeout=30,
                       headers={"Accept": "application/sparql-results+json"})
        r.raise_for_status()
        return bool(r.json()["boolean"])

    def clear(self, prefixes: tuple[str, ...] = ("https://w3id.org/plangraph/", "http://kasei.us/")) -> None:
        """Delete the graphs tests write (a shared server between tests; Virtuoso's own
        system graphs stay)."""
        from kg.graphstore import StoreClient
        r = httpx.post(self.query, data={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"},
                       headers={"Accept": "application/sparql-results+json"}, timeout=30)
        r.raise_for_status()
        client = StoreClient(self.query, self.update, self.auth)
        for b in r.json()["results"]["bindings"]:
            if b["g"]["value"].startswith(prefixes):
                client.delete_graph(b["g"]["value"])

    def count(self, graph: Optional[str] = None) -> int:
        """Triples in one graph, or in all graphs."""
        where = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "GRAPH ?g { ?s ?p ?o }"
        r = httpx.post(self.query, data={"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}"},
                       headers={"Accept": "application/sparql-results+json"}, timeout=30)
        r.raise_for_status()
        return int(r.json()["results"]["bindings"][0]["n"]["value"])


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
def oxigraph_server(folder: Path, union: bool = False) -> Iterator[Server]:
    """`oxigraph serve` on a free loopback port over a store in `folder`; union: with
    --union-default-graph (then cfg.graph_store_dataset = "union")."""
    exe = oxigraph_binary()
    if exe is None:
        pytest.skip("the Oxigraph server is not installed (PyPI oxigraph, pinned in requirements.txt)")
    port = free_port()
    proc = subprocess.Popen([exe, "serve", "--location", str(folder), "--bind", f"127.0.0.1:{port}"]
                            + (["--union-default-graph"] if union else []),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    server = Server("oxigraph", base + "/query", base + "/store", proc=proc,
                    dataset="union" if union else "explicit")
    try:
        _wait_ready(server, 30)
        yield server
    finally:
        _stop(proc)


VIRTUOSO_INI = """[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{isql}
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 10
CheckpointInterval = 60
CaseMode = 2
AllowOSCalls = 0
DirsAllowed = {d}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
ThreadsPerQuery = 2

[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {d}
MaxClientConnections = 10
ServerThreads = 10
Charset = UTF-8
EnabledGzipContent = 0

[SPARQL]
; above PlanGraph's own caps (sparql_max_rows, sparql_timeout_s), which cut first: the
; store's ResultSetMaxRows would cut results silently
ResultSetMaxRows = {max_rows}
MaxQueryExecutionTime = {max_s}
MaxQueryCostEstimationTime = 0
"""
VIRTUOSO_PASSWORD = "PlanGraphLoader7"      # set at start; the server lives on loopback


def virtuoso_binaries() -> Optional[tuple[str, str]]:
    exe, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt") or shutil.which("isql")
    return (exe, isql) if exe and isql else None


@contextlib.contextmanager
def virtuoso_server(folder: Path, max_rows: int = 1_000_000, max_s: int = 60) -> Iterator[Server]:
    """Virtuoso 7 (`virtuoso-t +foreground`) with its own ini and database in `folder`, HTTP
    and ISQL on free loopback ports. Queries: the anonymous /sparql (read-only: its SPARQL
    user has no SPARQL_UPDATE); loads: /sparql-graph-crud-auth (Graph Store Protocol, Digest
    authentication) as dba, whose password is changed from the default at start. `max_rows`,
    `max_s`: the store's own ResultSetMaxRows and MaxQueryExecutionTime."""
    found = virtuoso_binaries()
    if found is None:
        pytest.skip("Virtuoso 7 is not installed (Debian virtuoso-opensource: `make virtuoso`)")
    exe, isql = found
    folder.mkdir(parents=True, exist_ok=True)
    isql_port, http_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(d=folder, isql=isql_port, http=http_port, max_rows=max_rows,
                                       max_s=max_s), encoding="utf-8")
    proc = subprocess.Popen([exe, "+foreground", "+configfile", str(ini)], cwd=folder,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{http_port}"
    server = Server("virtuoso", base + "/sparql", base + "/sparql-graph-crud-auth",
                    f"dba:{VIRTUOSO_PASSWORD}", proc=proc)
    try:
        _wait_ready(server, 120)
        subprocess.run([isql, f"127.0.0.1:{isql_port}", "dba", "dba",
                        f"exec=SET PASSWORD dba {VIRTUOSO_PASSWORD};"], check=True,
                       capture_output=True, timeout=60)
        yield server
    finally:
        _stop(proc)
