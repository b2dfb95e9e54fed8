"""Query-time wrapper of an encoder: remembers vectors by text (bounded LRU) and encodes the
misses together, in batches of similar length (`length_groups`)."""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Sequence

import numpy as np

from core.errors import ModelError
from index.encoders.base import Embedder

# Query-time batching: one forward pass costs about as much as this many extra tokens
# (measured on m3e-small under torch, 2 CPU threads: ~10 ms per call vs ~0.2 ms per padded
# token); an encoder may say otherwise with its own `batch_overhead_tokens`.
BATCH_OVERHEAD_TOKENS = 48
LARGE_BATCH = 256            # bigger batches (builds) use the model's own batching


class CachingEmbedder:
    """Query-time wrapper: remembers vectors by text (bounded LRU) so the corpus sentences and
    labels that questions keep touching are encoded once per process; misses are encoded
    together, in batches of similar length."""

    def __init__(self, inner: Embedder, max_items: int = 200_000):
        if max_items <= 0:
            raise ModelError(f"CachingEmbedder: max_items={max_items!r} must be positive")
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
