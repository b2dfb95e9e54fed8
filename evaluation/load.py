"""Bounded HTTP load run against a PlanGraph server on loopback (issue: reliability).

clients x requests, mixing /sparql queries and /api/ask questions; returns error count,
latency p50/p95 and throughput. Traffic goes only to the given loopback base URL.
"""
from __future__ import annotations

import statistics
import subprocess
import threading
import time
from typing import Optional
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


SLOW_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def run_attack(base: str, honest: int = 10, attackers: int = 10, requests_per_client: int = 30,
               max_seconds: float = 300.0) -> dict:
    """`attackers` clients loop a slow SPARQL query (a cross product) while `honest` clients
    alternate /api/ask questions and simple /sparql queries. Returns the honest clients'
    errors, p50/p95 and the attackers' answers by status (503s come with Retry-After)."""
    host = urlparse(base).hostname or ""
    if not (host.startswith("127.") or host in ("localhost", "::1")):
        raise ValueError(f"load runs only against loopback, not {host!r}")
    lat: list[float] = []
    errors: list[str] = []
    attack_status: dict[str, int] = {}
    lock = threading.Lock()
    done = threading.Event()
    deadline = time.monotonic() + max_seconds

    def attacker() -> None:
        with httpx.Client(base_url=base, timeout=120) as c:
            while not done.is_set() and time.monotonic() < deadline:
                try:
                    r = c.get("/sparql", params={"query": SLOW_QUERY})
                    key = str(r.status_code) + ("+Retry-After" if "retry-after" in r.headers
                                                else "")
                except httpx.HTTPError as e:
                    key = type(e).__name__
                with lock:
                    attack_status[key] = attack_status.get(key, 0) + 1

    def client(i: int) -> None:
        with httpx.Client(base_url=base, timeout=120) as c:
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
                    err = None if r.status_code == 200 else (
                        f"{r.url.path} HTTP {r.status_code}: {r.text[:80].strip()}")
                except httpx.HTTPError as e:
                    err = type(e).__name__
                with lock:
                    lat.append((time.perf_counter() - t) * 1000)
                    if err:
                        errors.append(err)

    bad = [threading.Thread(target=attacker) for _ in range(attackers)]
    for t in bad:
        t.start()
    time.sleep(2.0)                       # let the attack take hold first
    t0 = time.perf_counter()
    good = [threading.Thread(target=client, args=(i,)) for i in range(honest)]
    for t in good:
        t.start()
    for t in good:
        t.join()
    wall = time.perf_counter() - t0
    done.set()
    for t in bad:
        t.join()
    s = sorted(lat)
    return {"honest_clients": honest, "attackers": attackers, "requests": len(lat),
            "errors": len(errors), "error_kinds": sorted(set(errors))[:5],
            "p50_ms": round(statistics.median(s), 1) if s else None,
            "p95_ms": round(s[int(0.95 * (len(s) - 1))], 1) if s else None,
            "throughput_rps": round(len(lat) / wall, 1) if wall else None,
            "attack_answers": attack_status}


def wait_healthy(base: str, proc: subprocess.Popen, limit_s: float,
                 poll_s: float = 0.1) -> Optional[str]:
    """Poll base/healthz until it answers 200 while `proc` runs: None once it does, else why
    not (the process exited, or the time limit passed)."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < limit_s:
        if proc.poll() is not None:
            return f"{base}: the server exited with {proc.returncode}"
        try:
            if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                return None
        except httpx.HTTPError:
            pass
        time.sleep(poll_s)
    return f"{base}: not ready after {limit_s:g} s"
