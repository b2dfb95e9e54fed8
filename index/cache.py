"""Embedding cache that survives rebuilds: vectors keyed by model name + text hash.

Layout: <cfg.cache_dir>/embeddings/<model-slug>-<hash8>/{keys.json, vectors.npy, model.json}.
A rebuild re-encodes only texts whose hash is not cached yet. Writes are atomic (write a
.part file, then os.replace); an unreadable cache is discarded and rebuilt, never trusted.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from pathlib import Path
from typing import Callable, Optional, Sequence

import numpy as np

from core.errors import ModelError

Progress = Callable[[str], None]


def text_key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def model_folder(cache_dir: Path, model: str) -> Path:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(model).name or model)[:40]
    return Path(cache_dir) / "embeddings" / f"{slug}-{text_key(model)[:8]}"


class EmbeddingCache:
    """Vectors of one model, keyed by text hash."""

    def __init__(self, cache_dir: Path, model: str, dim: int):
        if dim <= 0:
            raise ValueError(f"EmbeddingCache: dim={dim!r} must be positive")
        self.folder = model_folder(cache_dir, model)
        self.model, self.dim = model, dim
        self._rows: dict[str, int] = {}
        self._vecs = np.zeros((0, dim), dtype=np.float32)
        self._load()

    def _load(self) -> None:
        try:
            meta = json.loads((self.folder / "model.json").read_text(encoding="utf-8"))
            keys = json.loads((self.folder / "keys.json").read_text(encoding="utf-8"))
            vecs = np.load(self.folder / "vectors.npy", allow_pickle=False)
        except (OSError, ValueError):
            return                                   # no cache yet, or unreadable: start empty
        if (meta.get("model") != self.model or meta.get("dim") != self.dim
                or vecs.shape != (len(keys), self.dim)):
            return
        self._rows = {k: i for i, k in enumerate(keys)}
        self._vecs = vecs.astype(np.float32, copy=False)

    def __len__(self) -> int:
        return len(self._rows)

    def get(self, keys: Sequence[str]) -> list[Optional[np.ndarray]]:
        return [self._vecs[self._rows[k]] if k in self._rows else None for k in keys]

    def put(self, keys: Sequence[str], vecs: np.ndarray) -> None:
        new = [(k, v) for k, v in zip(keys, vecs) if k not in self._rows]
        if not new:
            return
        base = len(self._rows)
        for i, (k, _) in enumerate(new):
            self._rows[k] = base + i
        self._vecs = np.vstack([self._vecs, np.stack([v for _, v in new]).astype(np.float32)])

    def save(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        keys = sorted(self._rows, key=self._rows.get)
        for name, writer in (("vectors.npy", lambda f: np.save(f, self._vecs, allow_pickle=False)),
                             ("keys.json", lambda f: f.write(json.dumps(keys).encode())),
                             ("model.json", lambda f: f.write(json.dumps(
                                 {"model": self.model, "dim": self.dim}).encode()))):
            tmp = self.folder / (name + ".part")
            with open(tmp, "wb") as f:
                writer(f)
            os.replace(tmp, self.folder / name)


def encode_cached(embedder, texts: Sequence[str], cache_dir: Optional[Path],
                  progress: Optional[Progress] = None, batch: int = 256) -> np.ndarray:
    """Vectors for texts (rows in order); only texts missing from the cache are encoded.
    Encoding runs in batches with a progress bar on a terminal and messages to `progress`."""
    texts = list(texts)
    out = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    keys = [text_key(t) for t in texts]
    cache = EmbeddingCache(cache_dir, embedder.name, embedder.dim) if cache_dir else None
    found = cache.get(keys) if cache is not None else [None] * len(texts)
    todo = [i for i, v in enumerate(found) if v is None]
    for i, v in enumerate(found):
        if v is not None:
            out[i] = v
    if progress:
        progress(f"embeddings: {len(texts) - len(todo)} cached, {len(todo)} to encode "
                 f"with {embedder.name}")
    bar = sys.stderr.isatty() and len(todo) > batch
    for s in range(0, len(todo), batch):
        rows = todo[s:s + batch]
        vecs = embedder.encode([texts[i] for i in rows], progress=bar)
        if vecs.shape != (len(rows), embedder.dim):
            raise ModelError(f"embedder {embedder.name!r} returned shape {vecs.shape}, "
                             f"expected ({len(rows)}, {embedder.dim})")
        out[rows] = vecs
        if cache is not None:
            cache.put([keys[i] for i in rows], vecs)
            if (s // batch) % 20 == 19:
                cache.save()                          # a crash keeps most of what was encoded
        if progress and len(todo) > batch:
            progress(f"embeddings: {min(s + batch, len(todo))}/{len(todo)} encoded")
    if cache is not None and todo:
        cache.save()
    return out
