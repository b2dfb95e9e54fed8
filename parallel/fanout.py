"""The building process's side of a fanned-out build: hand each plan to a worker, have the
texts the embedding cache lacks encoded by the workers as plans come back, append each batch
to the cache as it arrives, and give back the corpus and the extractions for the steps that
span plans (alignment, topics, the shared graph, the index), which stay in this process.

The texts embedded are exactly those the in-process build embeds (the passages' index texts,
fitted to the model's window, and their answer sentences, as index/warm.py embeds them), so the
index and warm-up steps that follow find every vector in the cache. A text shared by several
plans is encoded once. Each worker's vectors of the encoders' probe texts must equal this
process's (within their tolerance, index.encoders.onnx): a worker with another model is refused.
"""
from __future__ import annotations

import queue
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

import numpy as np

import ingest
from core.config import Config
from core.errors import WorkerError
from core.types import Corpus, Document
from index.cache import BATCH, EmbeddingCache, text_key
from index.encoders import load_embedder
from index.encoders.onnx import PROBE_TOLERANCE, PROBES
from parallel import worker
from parallel.cluster import open_client

Progress = Callable[[str], None]
NO_WORKERS_S = 60            # a cluster without any worker for this long fails the build
POLL_S = 2.0                 # how often an idle wait looks at the cluster's workers


@dataclass
class FanOut:
    corpus: Corpus
    extractions: list            # kg Extraction per plan, in document-id order
    embedder: Any                # this process's model (loaded while the workers ran)
    cache: EmbeddingCache        # the embedding cache, open, holding every text embedded
    timings: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)


def _result(fut, what: str, cfg: Config):
    from distributed import CancelledError, KilledWorker  # Dask only once a fan-out runs
    try:
        return fut.result()
    except KilledWorker:
        raise WorkerError(f"构建失败：一个构建进程意外退出，原有数据未改动 (build failed: the worker "
                          f"running {what} died; the previous artifacts in {cfg.data_dir} "
                          "are unchanged)") from None
    except (ImportError, RuntimeError) as e:      # e.g. the scheduler cannot unpickle a task
        first = (str(e).strip().splitlines() or [type(e).__name__])[0]
        raise WorkerError(f"构建集群无法运行构建任务 (the cluster cannot run {what}: {first}; start "
                          "the scheduler and every worker with this repository on PYTHONPATH "
                          "and the same packages)") from None
    except CancelledError:
        raise WorkerError(f"构建失败：构建集群取消了任务，原有数据未改动 (build failed: the cluster "
                          f"cancelled {what}; the previous artifacts in {cfg.data_dir} are "
                          "unchanged)") from None


class _Run:
    """One fan-out: the futures in flight and what came back."""

    def __init__(self, client, cfg: Config, progress: Progress):
        self.client, self.cfg, self.progress = client, cfg, progress
        self.plans: dict[Any, str] = {}          # future -> doc id
        self.chunks: dict[Any, list[str]] = {}   # future -> texts it encodes
        self.results: dict[str, worker.PlanResult] = {}
        self.seen: set[str] = set()              # keys of every text met so far
        self.cached = self.encoded = self.to_encode = 0
        self.embedder: Any = None
        self.cache: Any = None
        self.probe: Any = None
        self.done: queue.Queue = queue.Queue()   # futures, as they finish

    def submit_plans(self, docs: list[Document]) -> None:
        for d in docs:
            fut = self.client.submit(worker.plan_task, d, pure=False)
            self.plans[fut] = d.id
            self.submit(fut)

    def load_model(self) -> None:
        self.embedder = load_embedder(self.cfg)
        self.probe = self.embedder.encode(list(PROBES))
        self.cache = EmbeddingCache(self.cfg.cache_dir, self.embedder.name, self.embedder.dim)

    def plan_done(self, fut) -> list:
        doc_id = self.plans[fut]
        res: worker.PlanResult = _result(fut, f"plan {doc_id}", self.cfg)
        self.results[doc_id] = res
        for line in res.lines:
            self.progress(line)
        # texts an earlier plan brought too are counted (and encoded) once, with that plan
        texts = [(t, text_key(t)) for t in dict.fromkeys(res.dense_texts + res.warm_texts)]
        fresh = [(t, k) for t, k in texts if k not in self.seen]
        self.seen.update(k for _, k in fresh)
        cached = sum(1 for _, k in fresh if k in self.cache)
        new = [t for t, k in fresh if k not in self.cache]
        self.cached += cached
        self.to_encode += len(new)
        self.progress(f"plan {doc_id} done on a worker ({res.seconds:.1f}s): embeddings "
                      f"{cached} cached, {len(new)} to encode")
        out = []
        for s in range(0, len(new), BATCH):
            chunk = new[s:s + BATCH]
            f = self.client.submit(worker.encode_task, chunk, pure=False)
            self.chunks[f] = chunk
            self.submit(f)
            out.append(f)
        return out

    def chunk_done(self, fut) -> None:
        chunk = self.chunks.pop(fut)
        vecs, probe = _result(fut, f"an embedding batch of {len(chunk)} texts", self.cfg)
        probe = np.asarray(probe)
        if probe.shape != self.probe.shape or \
                float(np.abs(probe - self.probe).max()) > PROBE_TOLERANCE:
            raise WorkerError(f"构建进程的嵌入模型与本进程不同 (a worker's model "
                              f"{self.cfg.model!r} gives other vectors than this process's: "
                              "install the same model on every worker)")
        if vecs.shape != (len(chunk), self.embedder.dim):
            raise WorkerError(f"a worker returned vectors of shape {vecs.shape}, expected "
                              f"({len(chunk)}, {self.embedder.dim})")
        self.cache.append([text_key(t) for t in chunk], vecs)    # on disk, batch by batch
        self.encoded += len(chunk)
        self.progress(f"embeddings: {self.encoded}/{self.to_encode} encoded")

    def submit(self, fut) -> None:
        fut.add_done_callback(self.done.put)

    def next_done(self):
        """The next future that finished; fails the build when the cluster stays empty."""
        idle_since = None
        while True:
            try:
                return self.done.get(timeout=POLL_S)
            except queue.Empty:
                if self.client.scheduler_info().get("workers"):
                    idle_since = None
                    continue
                idle_since = idle_since or time.monotonic()
                if time.monotonic() - idle_since > NO_WORKERS_S:
                    raise WorkerError(f"构建集群没有可用的构建进程 (the cluster has had no "
                                      f"worker for {NO_WORKERS_S}s; the previous artifacts "
                                      f"in {self.cfg.data_dir} are unchanged)") from None


def fan_out(cfg: Config, docs: Iterable[Document], progress: Progress) -> FanOut:
    """Ingest, extraction and embedding of every plan on the workers; the corpus (in the
    given order, as ingest.ingest_corpus makes it) and the extractions (document-id order)."""
    docs = list(docs)
    ingest.check_ids(docs)
    ids = [d.id for d in docs]
    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    with open_client(cfg, progress) as client:
        timings["workers_start_s"] = time.perf_counter() - t0
        run = _Run(client, cfg, progress)
        run.submit_plans(docs)
        t = time.perf_counter()
        run.load_model()                     # meanwhile the workers ingest and extract
        timings["model_load_s"] = time.perf_counter() - t
        pending = len(run.plans)
        while pending:
            fut = run.next_done()
            pending -= 1
            if fut in run.plans:
                pending += len(run.plan_done(fut))
            else:
                run.chunk_done(fut)
        n_workers = len(client.scheduler_info().get("workers", {}))
    run.cache.compact()
    corpus = ingest.assemble([run.results[i].document for i in ids],
                             [run.results[i].part for i in ids])
    timings["fanout_s"] = time.perf_counter() - t0
    counts = {"workers": n_workers, "embeddings_cached": run.cached,
              "embeddings_encoded": run.encoded}
    progress(f"fan-out: {len(docs)} plans on {n_workers} worker{'s' * (n_workers != 1)} in "
             f"{timings['fanout_s']:.1f}s; "
             f"embeddings {run.cached} cached, {run.encoded} encoded")
    return FanOut(corpus, [run.results[i].extraction for i in sorted(ids)], run.embedder,
                  run.cache, timings, counts)
