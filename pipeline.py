"""Build orchestration and the loaded Workspace (the object every later stage is given).

build(): catalog -> ingest -> embedder -> kg -> index, written into a staging folder of its
own and swapped in at once (a crash leaves the previous data/ loadable), under the data
folder's build lock (core/buildlock.py). The manifest, written last, records every file's
checksum; loading checks them (core/artifacts.py).
"""
from __future__ import annotations

import shutil
import sys
import time
import uuid
import weakref
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Callable, Optional

import index
import ingest
import kg
import parallel
from core import artifacts, buildlock
from core.artifacts import DamagedArtifact
from core.catalog import Catalog
from core.config import Config
from core.errors import ArtifactError, GraphStoreError, describe_os_error
from core.types import Corpus
from index.encoders import CachingEmbedder, load_embedder, load_query_embedder, model_id
from index.milvus import check_reachable, store_label
from kg.graphstore import StoreClient
from kg.publish import publish, publish_folder
from kg.remote import open_graph, store_build
from kg.store import load_views

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


def _recover_if_idle(data_dir: Path) -> None:
    """Restore data.old/ left by a build killed between its two renames (only when no build
    is running; a read-only folder is left as it is)."""
    old = data_dir.with_name(data_dir.name + ".old")
    if data_dir.exists() or not old.exists():
        return
    try:
        with buildlock.build_lock(data_dir):
            artifacts.recover(data_dir)
    except ArtifactError:
        pass


def _store_reason(cfg: Config, manifest: dict,
                  marker: Optional[tuple] = None) -> Optional[str]:
    """Why the graph store (cfg.graph_store a URL) does not hold this build, or None.
    `marker`: the store's build marker if read already (kg.remote.store_build)."""
    if not cfg.remote_graph:
        return None
    held, _graphs = marker if marker is not None else store_build(StoreClient.from_config(cfg))
    if held == manifest.get("build_id"):
        return None
    return (f"the graph store {cfg.graph_store} holds "
            + (f"build {held}" if held else "no build") + f", not {manifest.get('build_id')}")


def _check(cfg: Config, store: bool = True) -> tuple[Optional[str], Optional[dict]]:
    """(reason the artifacts are not current or are damaged, None) or (None, manifest);
    with store, a graph store by URL must hold the same build."""
    _recover_if_idle(cfg.data_dir)
    try:
        m = artifacts.read_manifest(cfg.data_dir)
    except ArtifactError as e:
        return str(e), None
    if m.get("corpus") != corpus_fingerprint(cfg):
        return "the corpus catalog changed since the last build", None
    if m.get("model") != model_id(cfg):
        return (f"artifacts were built with model {m.get('model')!r}, config asks for "
                f"{model_id(cfg)!r}"), None
    if m.get("vector_store", "faiss") != store_label(cfg.vector_store):
        return (f"artifacts keep their vectors in {m.get('vector_store', 'faiss')!r}, config "
                f"asks for {store_label(cfg.vector_store)!r}"), None
    try:
        artifacts.verify(cfg.data_dir, m)
    except ArtifactError as e:
        return str(e), None
    if store:
        reason = _store_reason(cfg, m)
        if reason:
            return reason, None
    return None, m


def is_stale(cfg: Config) -> Optional[str]:
    """None when data/ is current for this corpus and model and every file is as its build
    wrote it, else the reason it is not."""
    return _check(cfg)[0]


def build(cfg: Config, force: bool = False, progress: Progress = _stderr,
          wait: bool = False) -> BuildReport:
    """Build under the data folder's lock: another running build makes this one refuse
    (BuildLocked) or, with wait=True, wait and then build only if still needed."""
    with buildlock.build_lock(cfg.data_dir, wait=wait, progress=progress):
        artifacts.recover(cfg.data_dir)
        for leftover in artifacts.stale_stagings(cfg.data_dir) + \
                artifacts.stale_snapshots(cfg.data_dir):
            shutil.rmtree(leftover, ignore_errors=True)
        marker = None                        # the store's build marker, read once
        if cfg.remote_graph:                 # unreachable: one line now, nothing touched
            marker = _store_ready(cfg, force)
        if not force:
            reason, manifest = _check(cfg, store=False)
            if reason is None and manifest is not None and _store_reason(cfg, manifest, marker):
                return _push_folder(cfg, manifest, marker[1], progress)
            if reason is None:
                progress(f"artifacts in {cfg.data_dir} are up to date (use --force to rebuild)")
                return BuildReport(0.0, skipped=True)
            progress(f"rebuilding: {reason}")
        staging: Optional[Path] = None
        try:
            staging = artifacts.new_staging(cfg.data_dir)
            return _build_into(cfg, staging, progress, marker[1] if marker else None, force)
        except OSError as e:
            raise ArtifactError(f"构建失败：{describe_os_error(e)}；原有数据未改动 (build failed: "
                                f"cannot write; the previous artifacts in {cfg.data_dir} are "
                                "unchanged)") from None
        finally:
            if staging is not None:
                shutil.rmtree(staging, ignore_errors=True)     # gone already after a swap


def _store_ready(cfg: Config, force: bool) -> tuple[Optional[str], dict[str, str]]:
    """The store's build marker; GraphStoreError unless the store answers and build can write
    to it. With force a marker naming several builds is read too (the build rewrites it)."""
    if not cfg.graph_store_update:
        raise GraphStoreError("没有配置图存储的写入地址。build with graph_store "
                              f"{cfg.graph_store} needs graph_store_update, the URL of the "
                              "store's Graph Store Protocol endpoint (PLANGRAPH_GRAPH_STORE_UPDATE)")
    return store_build(StoreClient.from_config(cfg), strict=not force)


def _push_folder(cfg: Config, manifest: dict, held: dict[str, str],
                 progress: Progress) -> BuildReport:
    """data/ is current but the store holds another build: send data/kg to it."""
    t = time.perf_counter()
    progress(f"artifacts in {cfg.data_dir} are up to date; sending the graph to {cfg.graph_store}")
    with StoreClient.from_config(cfg) as client:
        publish_folder(client, cfg.data_dir / "kg", manifest["build_id"], held, progress)
    return BuildReport(time.perf_counter() - t, {"push_s": time.perf_counter() - t},
                       skipped=True)


def _build_into(cfg: Config, staging: Path, progress: Progress,
                held: Optional[dict[str, str]] = None, force: bool = False) -> BuildReport:

    t0 = time.perf_counter()
    check_reachable(cfg.vector_store)
    catalog = Catalog.load(cfg.corpora_dir)
    timings: dict[str, float] = {}

    t = time.perf_counter()
    docs = catalog.documents()
    fanned = _fan_out(cfg, docs, progress)      # per-plan work on workers, or None
    corpus = fanned.corpus if fanned else ingest.ingest_corpus(docs, cfg, progress=progress)
    ingest.save(corpus, staging / "ingest")
    timings["ingest_s"] = time.perf_counter() - t
    progress(ingest.report(corpus))

    t = time.perf_counter()
    embedder = fanned.embedder if fanned else load_embedder(cfg)
    timings["model_load_s"] = time.perf_counter() - t

    t = time.perf_counter()
    graph = kg.build_graph(corpus, cfg, embedder=embedder, progress=progress,
                           extractions=fanned.extractions if fanned else None)
    kg.save(graph, staging / "kg")
    timings["graph_s"] = time.perf_counter() - t

    t = time.perf_counter()
    summary = index.build_index(corpus, cfg, staging / "index", embedder=embedder, graph=graph,
                                progress=progress, cache=fanned.cache if fanned else None)
    timings["index_s"] = time.perf_counter() - t
    timings["warm_s"] = summary["timings"]["warm_s"]      # sentence vectors, part of the index

    counts = {"documents": len(corpus.documents), "sections": len(corpus.sections),
              "passages": len(corpus.passages), "spam_spans": len(corpus.spam),
              "triples": kg.triple_count(graph), **(fanned.counts if fanned else {})}
    timings.update(fanned.timings if fanned else {})
    manifest = {"schema_version": artifacts.SCHEMA_VERSION, "build_id": uuid.uuid4().hex,
                "model": model_id(cfg), "vector_store": store_label(cfg.vector_store),
                "dim": embedder.dim, "corpus": catalog.fingerprint(),
                "documents": {d.id: d.sha256 for d in corpus.documents.values()},
                "counts": counts, "timings": {k: round(v, 3) for k, v in timings.items()}}
    artifacts.write_json(staging / artifacts.MANIFEST, manifest)
    if cfg.embed_backend != "torch":    # export the question encoder now, while torch is loaded
        t = time.perf_counter()
        load_query_embedder(cfg, embedder)
        timings["query_encoder_s"] = time.perf_counter() - t
    if cfg.remote_graph:                # each graph replaced whole; the marker written last
        t = time.perf_counter()
        with StoreClient.from_config(cfg) as client:
            publish(client, graph.store, manifest["build_id"], held, force, progress)
        timings["push_s"] = time.perf_counter() - t
    manifest["timings"] = {k: round(v, 3) for k, v in timings.items()}
    manifest["files"] = artifacts.file_checksums(staging)
    artifacts.write_json(staging / artifacts.MANIFEST, manifest)
    artifacts.swap_in(staging, cfg.data_dir)
    secs = time.perf_counter() - t0
    progress(f"build finished in {secs:.1f}s -> {cfg.data_dir}")
    return BuildReport(secs, timings, counts)


def _fan_out(cfg: Config, docs, progress: Progress):
    """With build_workers > 1 or a build_cluster: each plan's ingest, extraction and missing
    embeddings on worker processes (parallel/), else None (all in this process)."""
    if cfg.build_workers <= 1 and not cfg.build_cluster:
        return None
    return parallel.fan_out(cfg, docs, progress)


class Workspace:
    """Loaded artifacts. Heavy parts (graph store, retriever, embedder) load on first use.

    Loading checks every file against the manifest's checksums (verify=False only for the
    build's own staging folder, whose manifest is not final yet); a part loaded later first
    checks that data/ still holds the same build."""

    def __init__(self, cfg: Config, verify: bool = True, _verified: Optional[dict] = None):
        _recover_if_idle(cfg.data_dir)
        self.cfg = cfg
        self.manifest = artifacts.read_manifest(cfg.data_dir)
        if self.manifest.get("model") != model_id(cfg):
            raise ArtifactError(
                f"artifacts in {cfg.data_dir} were built with model {self.manifest.get('model')!r} "
                f"but the config asks for {model_id(cfg)!r}; run `python app.py build --force`")
        if verify and _verified != self.manifest:
            artifacts.verify(cfg.data_dir, self.manifest)
        self.corpus: Corpus = ingest.load(cfg.data_dir / "ingest")
        self.derived: dict[str, Any] = {}

    @classmethod
    def open(cls, cfg: Config, build_if_needed: bool = False, progress: Progress = _stderr,
             rebuild_damaged: bool = True) -> "Workspace":
        """Load data/, building it first when build_if_needed and it is missing or stale
        (waiting for a build already running). A damaged folder is rebuilt too, unless
        rebuild_damaged=False: then DamagedArtifact names the file."""
        if not build_if_needed:
            return cls(cfg)
        reason, manifest = _check(cfg)
        if reason is None:
            return cls(cfg, _verified=manifest)
        if not rebuild_damaged:
            try:
                artifacts.verify(cfg.data_dir, artifacts.read_manifest(cfg.data_dir))
            except DamagedArtifact:
                raise
            except ArtifactError:
                pass
        build(cfg, force=False, progress=progress, wait=True)     # says why it rebuilds
        return cls(cfg)

    def loaded(self, part: str) -> Any:
        """A heavy part if it is loaded already (cached_property keeps it in __dict__), else
        None; never loads it."""
        return self.__dict__.get(part) if part in ("graph", "retriever", "embedder") else None

    def _same_build(self) -> None:
        """Refuse to load a part from a data/ that another build replaced since loading."""
        now = artifacts.read_manifest(self.cfg.data_dir)
        if now.get("build_id") != self.manifest.get("build_id"):
            raise ArtifactError(f"artifacts in {self.cfg.data_dir} were replaced by another "
                                "build after this process loaded them; restart it")

    @cached_property
    def embedder(self):
        self._same_build()
        emb = CachingEmbedder(load_query_embedder(self.cfg))
        try:
            warm = index.warm_vectors(self.cfg.data_dir / "index")
        except ArtifactError as e:
            _stderr(f"warning: {e}; answers will be slower")
            warm = None
        if warm is not None:
            emb.preload(*warm)
        return emb

    @cached_property
    def graph(self):
        """The graph: in the SPARQL server when cfg.graph_store is a URL (kg.remote), else
        opened from a hard-linked snapshot of kg/ where one can be made: the
        SPARQL workers, started at any time later, open the same store as this process even
        after another build replaced data/ (the snapshot goes with the graph object)."""
        self._same_build()
        if self.cfg.remote_graph:           # the store must hold the build data/ holds
            return open_graph(self.cfg, self.manifest.get("build_id"),
                              views=load_views(self.cfg.data_dir / "kg"))
        for stale in artifacts.stale_snapshots(self.cfg.data_dir):   # e.g. a server ended by
            shutil.rmtree(stale, ignore_errors=True)                 # SIGTERM skips its cleanup
        snap = artifacts.link_snapshot(self.cfg.data_dir, "kg")
        if snap is None:
            return kg.load(self.cfg.data_dir / "kg")
        try:
            self._same_build()              # the links are of the build this process loaded
            graph = kg.load(snap / "kg")
        except BaseException:
            shutil.rmtree(snap, ignore_errors=True)
            raise
        weakref.finalize(graph, shutil.rmtree, snap, True)
        return graph

    @cached_property
    def retriever(self):
        self._same_build()
        return index.load_retriever(self.cfg.data_dir / "index", self.cfg, self.corpus,
                                    embedder_factory=lambda: self.embedder)
