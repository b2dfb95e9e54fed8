"""The dense half of the hybrid retriever over a Milvus collection (index/milvus.py writes it),
with DenseIndex's interface: size, dim, kind, search(qvec, k, allowed), all_scores(qvec)."""
from __future__ import annotations

import threading
from typing import Optional, Sequence

import numpy as np

from core.artifacts import REBUILD
from core.errors import ArtifactError
from index.milvus import MAX_TOPK, MilvusStore, store_label


class MilvusDense:
    """The dense half of the hybrid retriever over Milvus, with DenseIndex's interface
    (size, dim, kind, search, all_scores). Connects on first use. A build below
    in_memory_max passages (cfg.hnsw_threshold, where FAISS keeps its index flat) is read once
    and scored in memory: every passage's exact score, as flat FAISS gives, so answers are the
    same (milvus-lite spends ~0.1 ms per hit it returns: all 330 scores of the two plans by one
    search took ~30 ms a query). Bigger builds are searched in Milvus, filtered by plan."""

    kind = "milvus"

    def __init__(self, uri: str, collection: str, model: str, dim: int, keys: Sequence[str],
                 doc_ids: Sequence[str], revisions: dict[str, str], in_memory_max: int):
        if len(keys) != len(doc_ids):
            raise ValueError(f"MilvusDense: {len(keys)} keys for {len(doc_ids)} rows")
        if dim <= 0:
            raise ValueError(f"MilvusDense: dim={dim!r} must be positive")
        self.uri, self.collection, self.model, self._dim = uri, collection, model, int(dim)
        self.keys, self.revisions = list(keys), dict(revisions)
        self.in_memory_max = in_memory_max
        self._matrix: Optional[np.ndarray] = None
        self._row = {k: i for i, k in enumerate(self.keys)}
        self._docs = np.array(list(doc_ids))
        self._doc_sizes = {d: int(n) for d, n in zip(*np.unique(self._docs, return_counts=True))}
        self._store: Optional[MilvusStore] = None
        self._lock = threading.Lock()

    @property
    def dim(self) -> int:
        return self._dim

    @property
    def size(self) -> int:
        return len(self.keys)

    def store(self) -> MilvusStore:
        if self._store is None:
            with self._lock:
                if self._store is None:
                    store = MilvusStore(self.uri)
                    store.open_collection(self.collection, self.model, self._dim, create=False)
                    probe = self.keys[:: max(1, len(self.keys) // 16)]
                    if len(store.present(self.collection, probe)) != len(probe):
                        store.close()
                        raise ArtifactError(f"vector store {store_label(self.uri)} does not hold "
                                            f"this build's passages (collection "
                                            f"{self.collection}); {REBUILD}")
                    self._store = store
        return self._store

    def _rows_of(self, hits: list[tuple[str, float]]) -> tuple[np.ndarray, np.ndarray]:
        rows = [self._row.get(k, -1) for k, _ in hits]
        scores = np.array([s for _, s in hits], dtype=np.float32)
        rows = np.array(rows, dtype=np.int64)
        keep = rows >= 0
        return scores[keep], rows[keep]

    def all_scores(self, qvec: np.ndarray) -> Optional[np.ndarray]:
        """Every row's inner product (builds of fewer than in_memory_max passages, whose vectors
        are read from Milvus on first use; None above, where `search` asks Milvus)."""
        if self.size == 0 or self.size >= self.in_memory_max:
            return None
        if self._matrix is None:
            store = self.store()
            with self._lock:
                if self._matrix is None:
                    self._matrix = store.vectors(self.collection, self.keys, self._dim)
        return self._matrix @ np.asarray(qvec, dtype=np.float32).reshape(-1)

    def search(self, qvec: np.ndarray, k: int,
               allowed: Optional[np.ndarray] = None) -> tuple[np.ndarray, np.ndarray]:
        """(scores, rows) of the best k allowed rows, best first. Milvus filters by the
        revisions of the plans that hold allowed rows and returns k more rows than those
        plans hold outside `allowed`, so no allowed row of the best k can be missed."""
        if allowed is None:
            docs = sorted(self._doc_sizes)
            excluded = 0
        else:
            allowed = np.asarray(allowed, dtype=np.int64)
            docs = sorted(set(self._docs[allowed].tolist()))
            excluded = sum(self._doc_sizes[d] for d in docs) - len(allowed)
        k = min(k, self.size if allowed is None else len(allowed))
        if k <= 0:
            return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64)
        limit = min(k + excluded, MAX_TOPK)
        hits = self.store().search(self.collection, qvec, limit,
                                   [self.revisions[d] for d in docs])
        scores, rows = self._rows_of(hits)
        if allowed is not None:
            keep = np.isin(rows, allowed)
            scores, rows = scores[keep], rows[keep]
        return scores[:k], rows[:k]

    def close(self) -> None:
        """Disconnect; a milvus-lite file is released for other processes (the next search
        connects again)."""
        with self._lock:
            if self._store is not None:
                self._store.close(release=True)
                self._store = None
