"""Benchmark (DESIGN §8): `python app.py bench [--json] [--scale N] [--load [--attack]]
[--workers N] [--cluster ADDRESS]` (the builds fanned out as `build --workers` does).

Builds into a temporary folder (never touches data/), then measures warm question answering,
SPARQL example queries, serve-ready time and memory. With a graph store by URL (cfg.graph_store)
the build is pushed to that store (replacing the build it held: give bench a store of its own)
and the report names it (`graph_store`). A milvus-lite vector store (cfg.vector_store) gets a
file of its own beside the build; a Milvus server gets the model's collection (`vector_store`
in the report). --scale N also builds a synthetic corpus of
N copies of every plan with varied city names, and reports the same figures for it.
"""
from __future__ import annotations

import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Optional

import httpx

import pipeline
import qa
from core.catalog import Catalog, CatalogEntry, sha256_bytes
from core.config import ROOT, Config
from core.errors import ConfigError, QueryError
from core.protocols import Workspace
from evaluation import read_questions
from evaluation.load import run_attack, run_load, wait_healthy
from index.milvus import is_lite, store_kind
from kg import sparql

DEV_QUESTIONS = ROOT.parent / "shared" / "eval" / "qa_dev.jsonl"
FALLBACK_QUESTION = "规划的主要目标是什么?"
SERVE_READY_LIMIT_S = 300.0        # a server not answering /healthz by then is reported as an error


def _nothing(ws: Workspace) -> None:
    """No runtime policy (the default for library callers)."""


def _pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, max(0, int(round(p / 100 * (len(s) - 1)))))]


def _rss_mb(pid: Optional[int] = None) -> float:
    path = f"/proc/{pid or os.getpid()}/status"
    try:
        for line in open(path):
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _dev_questions() -> list[str]:
    return [q["question"] for q in read_questions(DEV_QUESTIONS)] if DEV_QUESTIONS.is_file() else []


def bench_questions(ws: Workspace) -> list[str]:
    """The dev questions when present, else questions generated from the graph's targets."""
    qs = _dev_questions()
    if qs:
        return qs
    for t in ws.graph.targets()[:40]:
        qs.append(f"{t.city}{t.indicator_label}目标是多少?")
    return qs or [FALLBACK_QUESTION]


def bench_first_question() -> str:
    return (_dev_questions() or [FALLBACK_QUESTION])[0]


def measure_workspace(cfg: Config, progress,
                      after_load: Callable[[Workspace], None] = _nothing) -> dict[str, Any]:

    out: dict[str, Any] = {}
    ws = pipeline.Workspace(cfg)
    passages = [p.search_text for p in ws.corpus.passages]
    sample = passages[: min(len(passages), 256)]
    ws.embedder.encode(sample[:8])
    t = time.perf_counter()
    ws.embedder.encode(sample)
    out["embed_passages_per_s"] = round(len(sample) / (time.perf_counter() - t), 1)

    t = time.perf_counter()
    ws.graph                     # the typed views: from data/kg, or from the graph store by URL
    out["graph_load_s"] = round(time.perf_counter() - t, 3)
    questions = bench_questions(ws)
    qa.answer(ws, questions[0])  # warm: model, graph, indexes
    after_load(ws)               # the entry point's runtime policy (heap), as `serve` applies it
    times = []
    for q in questions:
        t = time.perf_counter()
        qa.answer(ws, q)
        times.append((time.perf_counter() - t) * 1000)
    out["ask_p50_ms"] = round(statistics.median(times), 2)
    out["ask_p95_ms"] = round(_pct(times, 95), 2)
    out["ask_n"] = len(times)

    # a query that fails (e.g. past the time limit on a huge synthetic corpus) counts as the
    # time limit in the median, so that failing does not make the median look better
    limit_ms = cfg.sparql_timeout_s * 1000
    qtimes, slowest, failed = [], ("", 0.0), []
    for rq in sorted((ROOT / "kg" / "queries").glob("*.rq")):
        text = rq.read_text(encoding="utf-8")
        mine = []
        for run in range(6):            # one warm-up run, then five timed
            t = time.perf_counter()
            try:
                sparql.execute(ws.graph, text, cfg)
            except QueryError as e:
                failed.append(f"{rq.stem}: {e}")
                mine = [limit_ms] * 5
                break
            if run:
                mine.append((time.perf_counter() - t) * 1000)
        qtimes += mine
        if statistics.median(mine) > slowest[1]:
            slowest = (rq.stem, statistics.median(mine))
    out["sparql_p50_ms"] = round(statistics.median(qtimes), 2) if qtimes else None
    out["sparql_slowest"] = f"{slowest[0]} {slowest[1]:.1f} ms" if slowest[0] else None
    if failed:
        out["sparql_failed"] = failed
    out["rss_mb"] = round(_rss_mb(), 1)
    ws.retriever.close()        # a milvus-lite file is free for the server measured next
    return out


def _graph_store_env(cfg: Config) -> dict[str, str]:
    """The graph store settings for a `serve` child (in its environment, not its arguments)."""
    return {"PLANGRAPH_GRAPH_STORE": cfg.graph_store,
            "PLANGRAPH_GRAPH_STORE_UPDATE": cfg.graph_store_update,
            "PLANGRAPH_GRAPH_STORE_AUTH": cfg.graph_store_auth}


def measure_serve(cfg: Config, load: bool, progress, attack: bool = False) -> dict[str, Any]:
    """Start `app.py serve` on a free loopback port; time until /healthz answers, then the
    first question (which loads the model); memory idle and after answering."""
    port = _free_port()
    env = dict(os.environ, GRADIO_ANALYTICS_ENABLED="False",
               PLANGRAPH_VECTOR_STORE=cfg.vector_store, **_graph_store_env(cfg))
    cmd = [sys.executable, str(ROOT / "app.py"), "--corpora", str(cfg.corpora_dir),
           "--data", str(cfg.data_dir), "serve", "--host", "127.0.0.1", "--port", str(port)]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    out: dict[str, Any] = {}
    try:
        base = f"http://127.0.0.1:{port}"
        error = wait_healthy(base, proc, SERVE_READY_LIMIT_S)
        if error:
            out["serve_error"] = error
            return out
        out["serve_ready_s"] = round(time.perf_counter() - t0, 2)
        out["serve_idle_rss_mb"] = round(_rss_mb(proc.pid), 1)
        # the model loads on the first question: time it, and read the memory of a server
        # that has answered (model, graph, indexes and QA context all loaded)
        t = time.perf_counter()
        r = httpx.get(base + "/api/ask", params={"q": bench_first_question()}, timeout=300)
        out["serve_first_ask_s"] = round(time.perf_counter() - t, 2)
        if r.status_code != 200:
            out["serve_error"] = f"/api/ask answered {r.status_code}"
        out["serve_rss_mb"] = round(_rss_mb(proc.pid), 1)
        if load:
            out["load"] = run_load(base, clients=20, requests_per_client=50)
            out["serve_rss_after_load_mb"] = round(_rss_mb(proc.pid), 1)
            if attack:
                out["load_under_attack"] = run_attack(base)
                out["serve_rss_after_attack_mb"] = round(_rss_mb(proc.pid), 1)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
    return out


def synth_corpus(src: Config, dest: Path, copies: int) -> Path:
    """N copies of every plan, each with its city name replaced by a synthetic one."""
    cat = Catalog.load(src.corpora_dir)
    dest.mkdir(parents=True, exist_ok=True)
    entries = []
    for i in range(copies):
        for e in cat.entries:
            doc = cat.load_document(e)
            city = f"{e.city}{i + 1:02d}" if i else e.city
            text = doc.raw_text.replace(e.city, city) if i else doc.raw_text
            data = text.encode("utf-8")
            name = f"{e.id}-{i + 1:02d}.txt"
            (dest / name).write_bytes(data)
            entries.append(CatalogEntry(id=f"{e.id}-{i + 1:02d}", file=name, city=city,
                                        title=e.title.replace(e.city, city),
                                        sha256=sha256_bytes(data), period=e.period,
                                        source=f"synthetic copy {i + 1} of {e.id}"))
    Catalog(dest, entries).save()
    return dest


def run_once(cfg: Config, load: bool, progress, *, attack: bool = False,
             after_load: Callable[[Workspace], None] = _nothing) -> dict[str, Any]:
    rep = pipeline.build(cfg, force=True, progress=lambda m: None)
    res: dict[str, Any] = {"graph_store": cfg.graph_store,
                           "vector_store": store_kind(cfg.vector_store),
                           "build_s": round(rep.seconds, 2), "build_workers": cfg.build_workers}
    if cfg.build_cluster:
        res["build_cluster"] = cfg.build_cluster
    res.update({k: rep.counts.get(k) for k in ("documents", "passages", "triples")})
    res.update({k: rep.counts[k] for k in ("embeddings_cached", "embeddings_encoded")
                if k in rep.counts})
    res.update({k: round(v, 2) for k, v in rep.timings.items()})
    progress(f"bench: built {res['documents']} documents in {res['build_s']}s")
    res.update(measure_workspace(cfg, progress, after_load))
    res.update(measure_serve(cfg, load, progress, attack))
    return res


def run(cfg: Config, scale: Optional[int] = None, load: bool = False, attack: bool = False,
        progress=lambda m: print(m, file=sys.stderr, flush=True),
        after_load: Callable[[Workspace], None] = _nothing,
        scale_only: bool = False) -> dict[str, Any]:
    """`after_load(ws)`: the caller's runtime policy, applied once the workspace answered its
    warm-up question (app.py passes the one `serve` applies). `scale_only`: measure only the
    synthetic corpus (not the shipped plans first)."""
    if scale is not None and scale < 1:
        raise ConfigError(f"bench --scale {scale}: must be >= 1")
    if scale_only and not scale:
        raise ConfigError("bench --scale-only needs --scale N")
    tmp = Path(tempfile.mkdtemp(prefix="plangraph-bench-"))

    def lite(path: Path) -> Optional[str]:  # a milvus-lite file of its own, beside the build
        return str(path) if is_lite(cfg.vector_store) else None
    try:
        base = cfg.replace(data_dir=tmp / "data", vector_store=lite(tmp / "vectors.db"))
        report = {} if scale_only else run_once(base, load or attack, progress, attack=attack,
                                                after_load=after_load)
        if scale:
            # the synthetic corpus and its build live beside the data folder and are kept, so
            # that the embedding cache (keyed by model and passage text) makes the next run's
            # build warm; `cache` says which one this run measured
            keep = cfg.data_dir.with_name(cfg.data_dir.name + ".bench")
            corp = synth_corpus(cfg, keep / f"corpora-x{scale}", scale)
            scaled = cfg.replace(corpora_dir=corp, data_dir=keep / f"data-x{scale}",
                                 vector_store=lite(keep / f"vectors-x{scale}.db"))
            cache = "warm" if scaled.cache_dir.is_dir() else "cold"
            report["scale"] = {"n": scale, "cache": cache,
                               **run_once(scaled, False, progress, after_load=after_load)}
        return report
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def format_text(report: dict) -> str:
    lines = []
    for k, v in report.items():
        if isinstance(v, dict):
            lines.append(f"{k}:")
            lines.extend(f"  {k2}: {v2}" for k2, v2 in v.items())
        else:
            lines.append(f"{k}: {v}")
    return "\n".join(lines)
