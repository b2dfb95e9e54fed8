"""Bounded HTTP load run against a PlanGraph server on loopback (issue: reliability).

clients x requests, mixing /sparql queries and /api/ask questions; returns error count,
latency p50/p95 and throughput. Traffic goes only to the given loopback base URL.
"""
from __future__ import annotations

import statistics
import threading
import time
from urllib.parse import urlparse

import httpx

QUERIES = [
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "PREFIX pg: <https://w3id.org/plangraph/ns#> SELECT ?t ?v WHERE { ?t a pg:Target ; pg:target ?v } LIMIT 20",
]
QUESTIONS = ["垃圾分类覆盖率目标是多少?", "供水管网漏损率要控制在多少以内?", "有哪些条例要修订?"]


def run_load(base: str, clients: int = 20, requests_per_client: int = 50,
             max_seconds: float = 600.0) -> dict:
    host = urlparse(base).hostname or ""
    if not (host.startswith("127.") or host in ("localhost", "::1")):
        raise ValueError(f"load runs only against loopback, not {host!r}")
    lat: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + max_seconds

    def worker(i: int) -> None:
        with httpx.Client(base_url=base, timeout=60) as c:
            for j in range(requests_per_client):
                if time.monotonic() > deadline:
                    return
                t = time.perf_counter()
                try:
                    if (i + j) % 2:
                        r = c.get("/sparql", params={"query": QUERIES[j % len(QUERIES)]},
                                  headers={"Accept": "application/sparql-results+json"})
                    else:
                        r = c.get("/api/ask", params={"q": QUESTIONS[j % len(QUESTIONS)]})
                    ok = r.status_code == 200
                    err = None if ok else f"HTTP {r.status_code}"
                except httpx.HTTPError as e:
                    err = type(e).__name__
                with lock:
                    lat.append((time.perf_counter() - t) * 1000)
                    if err:
                        errors.append(err)

    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    s = sorted(lat)
    return {"clients": clients, "requests": len(lat), "errors": len(errors),
            "error_kinds": sorted(set(errors))[:5],
            "p50_ms": round(statistics.median(s), 1) if s else None,
            "p95_ms": round(s[int(0.95 * (len(s) - 1))], 1) if s else None,
            "throughput_rps": round(len(lat) / wall, 1) if wall else None}
