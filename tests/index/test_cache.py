"""Embedding cache: keyed by model and text hash; a rebuild encodes only what changed."""
from __future__ import annotations

import numpy as np

from index.cache import EmbeddingCache, encode_cached
from tests.fakes import CountingEmbedderFake


def test_cache_reencodes_only_changed_texts(tmp_path):
    emb = CountingEmbedderFake()
    first = encode_cached(emb, ["甲", "乙", "丙"], tmp_path)
    assert emb.encoded == 3
    again = encode_cached(emb, ["甲", "乙", "丁"], tmp_path)
    assert emb.encoded == 4                      # only 丁 was new
    assert np.allclose(first[:2], again[:2])


def test_cache_is_keyed_by_model(tmp_path):
    encode_cached(CountingEmbedderFake(name="model-a"), ["甲"], tmp_path)
    other = CountingEmbedderFake(name="model-b")
    encode_cached(other, ["甲"], tmp_path)
    assert other.encoded == 1


def test_cache_unreadable_files_start_empty(tmp_path):
    emb = CountingEmbedderFake()
    encode_cached(emb, ["甲"], tmp_path)
    cache = EmbeddingCache(tmp_path, emb.name, emb.dim)
    (cache.folder / "vectors.npy").write_bytes(b"garbage")
    assert len(EmbeddingCache(tmp_path, emb.name, emb.dim)) == 0


def test_cache_without_dir_encodes_everything():
    emb = CountingEmbedderFake()
    out = encode_cached(emb, ["甲", "乙"], None)
    assert out.shape == (2, emb.dim) and emb.encoded == 2
