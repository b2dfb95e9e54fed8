"""What runs inside a build worker process: the state its tasks share and the two kinds of
task the building process hands out. The worker's entry point is parallel/plugin.py.

BuildWorker holds what every task of a worker shares, each loaded once, on first use: the
embedding model and the extractors' language resources. Tasks find it through the plugin.

- plan_task(doc): one plan's ingest and extraction, the texts its passages are embedded by
  (as index/ builds them) and its answer sentences (as index/warm.py embeds them),
  with the progress lines the in-process build would print for that plan.
- encode_task(texts): vectors of texts the embedding cache lacks, and the worker's vectors
  of the encoders' probe texts (index.encoders.onnx.PROBES), so the building process can
  check that the worker's model is its own.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any, Optional

import numpy as np

import ingest
import kg
from core.config import Config
from core.types import Document
from index.encoders import load_embedder
from index.encoders.onnx import PROBES
from index.texts import fit_window, index_texts
from ingest import DocumentResult
from ingest.sentences import answer_sentences
from kg.nlp import load_resources

PLUGIN = "plangraph-build"


@dataclass
class PlanResult:
    """One plan, done by a worker: its corpus part, its extraction, the texts to embed."""
    doc_id: str
    document: Document               # as ingested (with its clean_text)
    part: DocumentResult             # its sections, passages, spam spans and tables
    extraction: Any                  # kg.model.Extraction, indicators not yet aligned
    dense_texts: list[str]           # one per passage, what index/ embeds
    warm_texts: list[str]            # answer sentences, what index/warm.py embeds
    lines: list[str] = field(default_factory=list)      # progress, as the serial build says
    seconds: float = 0.0


class BuildWorker:
    """What the tasks of one worker process share, each part loaded once, on first use."""

    def __init__(self, cfg: Config):
        self.cfg = cfg
        self._lock = threading.Lock()
        self._embedder: Optional[Any] = None
        self._probe: Optional[np.ndarray] = None
        self._resources: Optional[Any] = None

    def embedder(self):
        with self._lock:
            if self._embedder is None:
                self._embedder = load_embedder(self.cfg)
                self._probe = self._embedder.encode(list(PROBES))
            return self._embedder

    def probe(self) -> np.ndarray:
        self.embedder()
        assert self._probe is not None
        return self._probe

    def resources(self):
        with self._lock:
            if self._resources is None:
                self._resources = load_resources()
            return self._resources


def _state() -> BuildWorker:
    """The state of the worker running the current task (set up by parallel/plugin.py)."""
    from distributed import get_worker  # Dask only in a worker process
    return get_worker().plugins[PLUGIN].state


def run_plan(state: BuildWorker, doc: Document) -> PlanResult:
    """One plan's per-plan work with the given worker state (plan_task without Dask)."""
    t = time.perf_counter()
    lines: list[str] = []
    part = ingest.ingest_one(doc, state.cfg, progress=lines.append)
    corpus = ingest.assemble([doc], [part])
    (extraction,) = kg.extract_documents(corpus, state.resources(), progress=lines.append)
    passages = list(corpus.passages)
    # the model's tokenizer is needed only for a text that may pass the model's window
    dense = fit_window(index_texts(passages), passages,
                       lambda text: state.embedder().count_tokens(text),
                       state.cfg.model_max_tokens)
    return PlanResult(doc.id, doc, part, extraction, dense, answer_sentences(passages), lines,
                      time.perf_counter() - t)


def plan_task(doc: Document) -> PlanResult:
    return run_plan(_state(), doc)


def encode_task(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    state = _state()
    vecs = state.embedder().encode(texts)
    return vecs, state.probe()
