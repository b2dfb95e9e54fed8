"""Build orchestration and the loaded Workspace (the object every later stage is given).

build(): catalog -> ingest -> embedder -> kg -> index, written into data.tmp/ and swapped in
atomically (a crash leaves the previous data/ loadable).
"""
from __future__ import annotations

import os
import shutil
import sys
import time
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Callable, Optional

from core import artifacts
from core.catalog import Catalog
from core.config import Config
from core.errors import ArtifactError
from core.types import Corpus

Progress = Callable[[str], None]


def _stderr(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


@dataclass
class BuildReport:
    seconds: float
    timings: dict[str, float] = field(default_factory=dict)
    counts: dict[str, Any] = field(default_factory=dict)
    skipped: bool = False


def corpus_fingerprint(cfg: Config) -> str:
    return Catalog.load(cfg.corpora_dir).fingerprint()


def is_stale(cfg: Config) -> Optional[str]:
    """None when data/ is current for this corpus and model, else the reason it is not."""
    artifacts.recover(cfg.data_dir)
    try:
        m = artifacts.read_manifest(cfg.data_dir)
    except ArtifactError as e:
        return str(e)
    if m.get("corpus") != corpus_fingerprint(cfg):
        return "the corpus catalog changed since the last build"
    from index.embedder import model_id
    if m.get("model") != model_id(cfg):
        return f"artifacts were built with model {m.get('model')!r}, config asks for {model_id(cfg)!r}"
    return None


def build(cfg: Config, force: bool = False, progress: Progress = _stderr) -> BuildReport:
    import ingest
    import index
    import kg
    from index.embedder import load_embedder, model_id

    t0 = time.perf_counter()
    if not force and is_stale(cfg) is None:
        progress(f"artifacts in {cfg.data_dir} are up to date (use --force to rebuild)")
        return BuildReport(0.0, skipped=True)
    catalog = Catalog.load(cfg.corpora_dir)
    staging = cfg.staging_dir
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    timings: dict[str, float] = {}

    t = time.perf_counter()
    docs = catalog.documents()
    corpus = ingest.ingest_corpus(docs, cfg, progress=progress)
    ingest.save(corpus, staging / "ingest")
    timings["ingest_s"] = time.perf_counter() - t
    progress(ingest.report(corpus))

    t = time.perf_counter()
    embedder = load_embedder(cfg)
    timings["model_load_s"] = time.perf_counter() - t

    t = time.perf_counter()
    graph = kg.build_graph(corpus, cfg, embedder=embedder, progress=progress)
    kg.save(graph, staging / "kg")
    timings["graph_s"] = time.perf_counter() - t

    t = time.perf_counter()
    index.build_index(corpus, cfg, staging / "index", embedder=embedder, graph=graph,
                      progress=progress)
    timings["index_s"] = time.perf_counter() - t

    counts = {"documents": len(corpus.documents), "sections": len(corpus.sections),
              "passages": len(corpus.passages), "spam_spans": len(corpus.spam),
              "triples": kg.triple_count(graph)}
    manifest = {"schema_version": artifacts.SCHEMA_VERSION, "model": model_id(cfg),
                "dim": embedder.dim, "corpus": catalog.fingerprint(),
                "documents": {d.id: d.sha256 for d in corpus.documents.values()},
                "counts": counts, "timings": {k: round(v, 3) for k, v in timings.items()}}
    artifacts.write_json(staging / artifacts.MANIFEST, manifest)

    t = time.perf_counter()
    warm_vectors(cfg.replace(data_dir=staging), embedder, cfg.cache_dir, progress)
    timings["warm_s"] = time.perf_counter() - t
    if cfg.embed_backend != "torch":    # export the question encoder now, while torch is loaded
        from index.embedder import load_query_embedder
        t = time.perf_counter()
        load_query_embedder(cfg, embedder)
        timings["query_encoder_s"] = time.perf_counter() - t
    manifest["timings"] = {k: round(v, 3) for k, v in timings.items()}
    artifacts.write_json(staging / artifacts.MANIFEST, manifest)
    artifacts.swap_in(staging, cfg.data_dir)
    secs = time.perf_counter() - t0
    progress(f"build finished in {secs:.1f}s -> {cfg.data_dir}")
    return BuildReport(secs, timings, counts)


WARM_VECTORS = "index/warm_vectors.npz"


def warm_vectors(cfg: Config, embedder, cache_dir: Path, progress: Progress = _stderr) -> None:
    """Encode what question answering embeds on every question (labels, candidate sentences)
    once, at build time (through the persistent embedding cache), and store text -> vector
    beside the index, so that a question only encodes itself."""
    import numpy as np
    import qa.warm
    from index.cache import encode_cached
    from index.embedder import CachingEmbedder
    ws = Workspace(cfg)
    caching = CachingEmbedder(embedder)
    texts = qa.warm.candidate_texts(ws.corpus)
    caching.preload(texts, encode_cached(embedder, texts, cache_dir, progress=progress))
    ws.__dict__["embedder"] = caching
    qa.warm.warm(ws)
    texts = list(ws.embedder._memo)
    vecs = np.stack([ws.embedder._memo[t] for t in texts]) if texts else np.zeros((0, embedder.dim))
    path = cfg.data_dir / WARM_VECTORS
    tmp = path.with_name("warm_vectors.part.npz")  # np.savez keeps a .npz name as given
    np.savez(tmp, texts=np.array(texts, dtype=str), vectors=vecs.astype(np.float32))
    os.replace(tmp, path)


class Workspace:
    """Loaded artifacts. Heavy parts (graph store, retriever, embedder) load on first use."""

    def __init__(self, cfg: Config):
        import ingest
        artifacts.recover(cfg.data_dir)
        self.cfg = cfg
        self.manifest = artifacts.read_manifest(cfg.data_dir)
        from index.embedder import model_id
        if self.manifest.get("model") != model_id(cfg):
            raise ArtifactError(
                f"artifacts in {cfg.data_dir} were built with model {self.manifest.get('model')!r} "
                f"but the config asks for {model_id(cfg)!r}; run `python app.py build --force`")
        self.corpus: Corpus = ingest.load(cfg.data_dir / "ingest")

    @classmethod
    def open(cls, cfg: Config, build_if_needed: bool = False,
             progress: Progress = _stderr) -> "Workspace":
        if build_if_needed:
            reason = is_stale(cfg)
            if reason:
                progress(f"building artifacts: {reason}")
                build(cfg, force=True, progress=progress)
        return cls(cfg)

    @cached_property
    def embedder(self):
        import numpy as np
        from index.embedder import CachingEmbedder, load_query_embedder
        from index.threads import single_thread_helpers
        emb = CachingEmbedder(load_query_embedder(self.cfg))
        single_thread_helpers()         # after loading: keeps a torch fallback's threads
        path = self.cfg.data_dir / WARM_VECTORS
        if path.is_file():
            try:
                with np.load(path, allow_pickle=False) as z:
                    emb.preload(list(z["texts"]), z["vectors"])
            except (OSError, ValueError, KeyError) as e:
                _stderr(f"warning: ignoring unreadable {path} ({e}); answers will be slower")
        return emb

    @cached_property
    def graph(self):
        import kg
        return kg.load(self.cfg.data_dir / "kg")

    @cached_property
    def retriever(self):
        import index
        return index.load_retriever(self.cfg.data_dir / "index", self.cfg, self.corpus,
                                    embedder_factory=lambda: self.embedder)
