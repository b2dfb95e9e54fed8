"""Dense retrieval: FAISS inner-product index over L2-normalised passage vectors.

Flat (exact) below cfg.hnsw_threshold passages, HNSW at or above it. Filters (a subset of
passage rows) are applied inside FAISS with an ID selector, so a filtered search still
returns the best k of the allowed rows.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import numpy as np

from core.errors import ArtifactError

HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 128


class DenseIndex:
    def __init__(self, index, kind: str):
        if kind not in ("flat", "hnsw"):
            raise ValueError(f"DenseIndex: kind={kind!r}, expected 'flat' or 'hnsw'")
        self.index, self.kind = index, kind

    @property
    def dim(self) -> int:
        return int(self.index.d)

    @property
    def size(self) -> int:
        return int(self.index.ntotal)

    @classmethod
    def build(cls, vectors: np.ndarray, hnsw_threshold: int) -> "DenseIndex":
        import faiss
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape[0] == 0:
            raise ValueError(f"DenseIndex.build: vectors of shape {vectors.shape}, "
                             "expected (n>0, dim)")
        dim = vectors.shape[1]
        if vectors.shape[0] >= hnsw_threshold:
            index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
            kind = "hnsw"
        else:
            index, kind = faiss.IndexFlatIP(dim), "flat"
        index.add(vectors)
        return cls(index, kind)

    def search(self, qvec: np.ndarray, k: int,
               allowed: Optional[np.ndarray] = None) -> tuple[np.ndarray, np.ndarray]:
        """(scores, rows) of the best k rows, best first; rows limited to `allowed`."""
        import faiss
        q = np.ascontiguousarray(qvec, dtype=np.float32).reshape(1, -1)
        limit = self.size if allowed is None else len(allowed)
        k = min(k, limit)
        if k <= 0:
            return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64)
        params = None
        if allowed is not None:
            sel = faiss.IDSelectorBatch(np.asarray(allowed, dtype=np.int64))
            params = (faiss.SearchParametersHNSW(sel=sel, efSearch=max(HNSW_EF_SEARCH, k))
                      if self.kind == "hnsw" else faiss.SearchParameters(sel=sel))
        elif self.kind == "hnsw":
            params = faiss.SearchParametersHNSW(efSearch=max(HNSW_EF_SEARCH, k))
        scores, rows = self.index.search(q, k, params=params)
        keep = rows[0] >= 0
        return scores[0][keep], rows[0][keep]

    def all_scores(self, qvec: np.ndarray) -> Optional[np.ndarray]:
        """Inner product of the query with every row (flat indexes only; None for HNSW).
        Reads the index's own storage without copying it."""
        if self.kind != "flat" or self.size == 0:
            return None
        import faiss
        xb = faiss.rev_swig_ptr(self.index.get_xb(), self.size * self.dim)
        mat = np.asarray(xb).reshape(self.size, self.dim)
        return mat @ np.asarray(qvec, dtype=np.float32).reshape(-1)

    def close(self) -> None:
        """Nothing to release: the index lives in this process."""

    def save(self, path: Path) -> None:
        import faiss
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        faiss.write_index(self.index, str(path))

    @classmethod
    def load(cls, path: Path) -> "DenseIndex":
        import faiss
        try:
            index = faiss.read_index(str(path))
        except RuntimeError as e:
            raise ArtifactError(f"dense index {path} is unreadable ({str(e).splitlines()[0]}); "
                                "run `python app.py build --force`") from None
        kind = "hnsw" if isinstance(index, faiss.IndexHNSW) else "flat"
        return cls(index, kind)
