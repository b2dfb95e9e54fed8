"""Sentence and label vectors, part of the index stage: the texts a reader compares every
question with, embedded once at build time so a question only encodes itself.

The texts are a function of ingest's passages and the graph, defined where readers take them
from: every answer sentence (ingest.sentences.answer_sentences), the indicator labels in their
match form (kg.vocabulary.match_labels) and the names targets are compared by
(kg.vocabulary.target_names). Written as index/warm_vectors.npz (texts + float32 vectors);
the index manifest records its count (the build's manifest, core/artifacts.py, its checksum).
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Optional

import numpy as np

from core.artifacts import REBUILD
from core.errors import ArtifactError
from core.protocols import Embedder, GraphReader
from core.types import Corpus
from core.zh import city_names
from index.cache import EmbeddingCache, encode_cached
from ingest.sentences import answer_sentences
from kg.vocabulary import (
    district_places,
    indicator_refs,
    label_strip_names,
    match_labels,
    target_names,
)

FILE = "warm_vectors.npz"


def warm_texts(corpus: Corpus, graph: Optional[GraphReader]) -> list[str]:
    """What a reader embeds over and over, distinct, in order: answer sentences, then (with a
    graph) indicator labels in match form and target names."""
    texts = answer_sentences(corpus.passages)
    if graph is not None:
        cities = city_names((d.id, d.city) for d in corpus.documents.values())
        names = label_strip_names(cities, district_places(graph))
        texts += match_labels(indicator_refs(graph), names)
        texts += target_names(graph.targets())
    return list(dict.fromkeys(texts))


def build(corpus: Corpus, graph: Optional[GraphReader], embedder: Embedder, out_dir: Path,
          cache: Optional[EmbeddingCache],
          progress: Optional[Callable[[str], None]] = None) -> dict:
    """Embed warm_texts (through the persistent embedding cache, index.cache.open_cache)
    into out_dir/FILE; returns its manifest entry {file, texts}."""
    texts = warm_texts(corpus, graph)
    vecs = encode_cached(embedder, texts, cache, progress) if texts else \
        np.zeros((0, embedder.dim), dtype=np.float32)
    path = Path(out_dir) / FILE
    tmp = path.with_name("warm_vectors.part.npz")     # np.savez keeps a .npz name as given
    np.savez(tmp, texts=np.array(texts, dtype=str), vectors=vecs.astype(np.float32))
    os.replace(tmp, path)
    return {"file": FILE, "texts": len(texts)}


def load(index_dir: Path, entry: dict) -> tuple[list[str], np.ndarray]:
    """The texts and vectors of a built index (entry: its manifest's "warm"; the build's
    manifest has checked the file's checksum when the workspace loaded)."""
    path = Path(index_dir) / entry.get("file", FILE)
    try:
        with np.load(path, allow_pickle=False) as z:
            texts, vecs = [str(t) for t in z["texts"]], z["vectors"]
    except (OSError, ValueError, KeyError) as e:
        raise ArtifactError(f"cannot read {path} ({e}); {REBUILD}") from None
    if len(texts) != entry.get("texts") or vecs.shape[0] != len(texts):
        raise ArtifactError(f"{path} holds {len(texts)} texts, the index manifest says "
                            f"{entry.get('texts')}; {REBUILD}")
    return texts, vecs

