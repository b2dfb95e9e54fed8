"""Embedding cache that survives rebuilds: vectors keyed by model name + text hash.

Layout: <cfg.cache_dir>/embeddings/<model-slug>-<hash8>/model.json and segments/*.npz, each
segment holding the keys and vectors of one batch. A batch is appended as a segment of its
own as soon as it is encoded (written to a .part file, then renamed), so a build killed while
encoding loses at most the batch in hand, and several processes can append at once (each
segment has a unique name). Loading reads every segment (a key seen twice keeps its first
vector); when segments pile up they are merged into one (written first, then the merged ones
removed: a crash in between leaves duplicates, never a loss). An unreadable segment is skipped
(its texts are encoded again), never trusted. A cache written as one keys.json + vectors.npy
by earlier versions is read too, and merged away at the next compaction.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import re
import sys
import uuid
from pathlib import Path
from typing import Callable, Optional, Sequence

import numpy as np

from core.errors import ModelError

Progress = Callable[[str], None]
CACHE_FORMAT = 2
BATCH = 256                 # texts encoded (and appended to the cache) at a time
COMPACT_AT = 64             # segments; more than this are merged into one after a build step


def text_key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def model_folder(cache_dir: Path, model: str) -> Path:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(model).name or model)[:40]
    return Path(cache_dir) / "embeddings" / f"{slug}-{text_key(model)[:8]}"


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.part")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


class EmbeddingCache:
    """Vectors of one model, keyed by text hash, appended batch by batch."""

    def __init__(self, cache_dir: Path, model: str, dim: int):
        if dim <= 0:
            raise ValueError(f"EmbeddingCache: dim={dim!r} must be positive")
        self.folder = model_folder(cache_dir, model)
        self.model, self.dim = model, dim
        self._rows: dict[str, int] = {}
        self._parts: list[np.ndarray] = []
        self._vecs: Optional[np.ndarray] = np.zeros((0, dim), dtype=np.float32)
        self._read: list[Path] = []          # files this object loaded (merged by compact())
        self._load()

    @property
    def segments_dir(self) -> Path:
        return self.folder / "segments"

    def _meta_ok(self) -> bool:
        try:
            meta = json.loads((self.folder / "model.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        return meta.get("model") == self.model and meta.get("dim") == self.dim

    def _load(self) -> None:
        if not self._meta_ok():
            return                                   # no cache yet, or another model's
        legacy = self.folder / "keys.json"
        try:
            keys = json.loads(legacy.read_text(encoding="utf-8"))
            vecs = np.load(self.folder / "vectors.npy", allow_pickle=False)
            self._add(list(keys), vecs)
            self._read += [legacy, self.folder / "vectors.npy"]
        except (OSError, ValueError):
            pass                                     # none, or unreadable: not trusted
        for seg in sorted(self.segments_dir.glob("*.npz")):
            try:
                with np.load(seg, allow_pickle=False) as z:
                    keys, vecs = [str(k) for k in z["keys"]], z["vectors"]
            except (OSError, ValueError, KeyError, EOFError):
                continue                             # vanished (merged meanwhile) or damaged
            self._add(keys, vecs)
            self._read.append(seg)

    def _add(self, keys: Sequence[str], vecs: np.ndarray) -> None:
        if vecs.ndim != 2 or vecs.shape != (len(keys), self.dim):
            return
        vecs = vecs.astype(np.float32, copy=False)
        take, seen = [], set()
        for i, k in enumerate(keys):
            if k not in self._rows and k not in seen:
                take.append(i)
                seen.add(k)
        if not take:
            return
        base = len(self._rows)                # rows are never dropped: one per key
        for j, i in enumerate(take):
            self._rows[keys[i]] = base + j
        self._parts.append(vecs[take])
        self._vecs = None

    def _matrix(self) -> np.ndarray:
        if self._vecs is None:
            self._vecs = np.concatenate(self._parts) if self._parts else \
                np.zeros((0, self.dim), dtype=np.float32)
            self._parts = [self._vecs]
        return self._vecs

    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, key: str) -> bool:
        return key in self._rows

    def get(self, keys: Sequence[str]) -> list[Optional[np.ndarray]]:
        m = self._matrix()
        return [m[self._rows[k]] if k in self._rows else None for k in keys]

    def append(self, keys: Sequence[str], vecs: np.ndarray) -> None:
        """Add one batch (keys already held left out) as a segment of its own, on disk when
        this returns."""
        vecs = np.asarray(vecs, dtype=np.float32)
        first: dict[str, int] = {}
        for i, k in enumerate(keys):
            if k not in self._rows:
                first.setdefault(k, i)
        if not first:
            return
        new, rows = list(first), list(first.values())
        self._write_segment(new, vecs[rows])
        self._add(new, vecs[rows])

    def _write_segment(self, keys: Sequence[str], vecs: np.ndarray) -> Path:
        self.segments_dir.mkdir(parents=True, exist_ok=True)
        if not self._meta_ok():
            _write_atomic(self.folder / "model.json", json.dumps(
                {"model": self.model, "dim": self.dim, "format": CACHE_FORMAT}).encode())
        buf = io.BytesIO()
        np.savez(buf, keys=np.array(list(keys), dtype=str), vectors=vecs.astype(np.float32))
        path = self.segments_dir / f"{os.getpid()}-{uuid.uuid4().hex}.npz"
        _write_atomic(path, buf.getvalue())
        self._read.append(path)
        return path

    def segment_count(self) -> int:
        return len(list(self.segments_dir.glob("*.npz")))

    def compact(self, at: int = COMPACT_AT) -> None:
        """Merge the files this object read or wrote into one segment when there are more
        than `at` segments (the merged one is written before any is removed)."""
        if self.segment_count() <= at or len(self._read) < 2:
            return
        keys = sorted(self._rows, key=self._rows.get)
        merged = self._write_segment(keys, self._matrix())
        for f in self._read:
            if f != merged:
                f.unlink(missing_ok=True)
        self._read = [merged]


def open_cache(cache_dir: Optional[Path], embedder) -> Optional[EmbeddingCache]:
    """The embedder's cache under cache_dir (read once; None without a cache_dir)."""
    return EmbeddingCache(cache_dir, embedder.name, embedder.dim) if cache_dir else None


def encode_cached(embedder, texts: Sequence[str], cache: Optional[EmbeddingCache],
                  progress: Optional[Progress] = None, batch: int = BATCH) -> np.ndarray:
    """Vectors for texts (rows in order); only texts missing from the cache (open_cache;
    None: no cache) are encoded, each distinct text once.
    Encoding runs in batches, each appended to the cache as it is done, with a progress bar
    on a terminal and messages to `progress`."""
    texts = list(texts)
    out = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    keys = [text_key(t) for t in texts]
    found = cache.get(keys) if cache is not None else [None] * len(texts)
    first: dict[str, int] = {}                # a text given twice is encoded once
    for i, v in enumerate(found):
        if v is None:
            first.setdefault(keys[i], i)
        else:
            out[i] = v
    todo = sorted(first.values())
    if progress:
        again = len(texts) - len(todo) - sum(v is not None for v in found)
        progress(f"embeddings: {len(texts) - len(todo) - again} cached, {len(todo)} to encode "
                 f"with {embedder.name}" + (f" ({again} texts repeated)" if again else ""))
    bar = sys.stderr.isatty() and len(todo) > batch
    for s in range(0, len(todo), batch):
        rows = todo[s:s + batch]
        vecs = embedder.encode([texts[i] for i in rows], progress=bar)
        if vecs.shape != (len(rows), embedder.dim):
            raise ModelError(f"embedder {embedder.name!r} returned shape {vecs.shape}, "
                             f"expected ({len(rows)}, {embedder.dim})")
        out[rows] = vecs
        if cache is not None:
            cache.append([keys[i] for i in rows], vecs)     # a crash loses this batch at most
        if progress and len(todo) > batch:
            progress(f"embeddings: {min(s + batch, len(todo))}/{len(todo)} encoded")
    for i, v in enumerate(found):
        if v is None and first[keys[i]] != i:
            out[i] = out[first[keys[i]]]
    if cache is not None:
        cache.compact()
    return out
