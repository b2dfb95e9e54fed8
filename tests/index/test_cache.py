"""Embedding cache: keyed by model and text hash; a rebuild encodes only what changed."""
from __future__ import annotations

import json

import numpy as np
import pytest

from index.cache import EmbeddingCache, encode_cached, open_cache
from tests.fakes import CountingEmbedderFake


def _encode(emb, texts, cache_dir, **kw):
    """encode_cached through the cache under cache_dir, opened for this call."""
    return encode_cached(emb, texts, open_cache(cache_dir, emb), **kw)


def test_cache_reencodes_only_changed_texts(tmp_path):
    emb = CountingEmbedderFake()
    first = _encode(emb, ["甲", "乙", "丙"], tmp_path)
    assert emb.encoded == 3
    again = _encode(emb, ["甲", "乙", "丁"], tmp_path)
    assert emb.encoded == 4                      # only 丁 was new
    assert np.allclose(first[:2], again[:2])


def test_cache_encodes_a_repeated_text_once(tmp_path):
    for cache_dir in (tmp_path, None):
        emb = CountingEmbedderFake()
        out = _encode(emb, ["甲", "乙", "甲", "甲"], cache_dir)
        assert emb.encoded == 2
        assert np.allclose(out, CountingEmbedderFake().encode(["甲", "乙", "甲", "甲"]))


def test_cache_is_keyed_by_model(tmp_path):
    _encode(CountingEmbedderFake(name="model-a"), ["甲"], tmp_path)
    other = CountingEmbedderFake(name="model-b")
    _encode(other, ["甲"], tmp_path)
    assert other.encoded == 1


def test_cache_unreadable_segment_is_skipped_not_trusted(tmp_path):
    emb = CountingEmbedderFake()
    _encode(emb, ["甲"], tmp_path)
    _encode(emb, ["乙"], tmp_path)
    cache = EmbeddingCache(tmp_path, emb.name, emb.dim)
    segs = sorted(cache.segments_dir.glob("*.npz"))
    assert len(segs) == 2 and len(cache) == 2
    segs[0].write_bytes(b"garbage")
    assert len(EmbeddingCache(tmp_path, emb.name, emb.dim)) == 1
    _encode(emb, ["甲", "乙"], tmp_path)
    assert emb.encoded == 3                      # the damaged segment's text, once more


def test_cache_appends_every_batch_so_a_crash_loses_one_batch_at_most(tmp_path):
    class Crash(Exception):
        pass

    emb = CountingEmbedderFake()
    texts = [f"文本{i}" for i in range(10)]
    real = emb.encode

    def dies_at_fourth_batch(batch, progress=False):
        if emb.encoded >= 9:
            raise Crash
        return real(batch, progress)
    emb.encode = dies_at_fourth_batch
    with pytest.raises(Crash):
        _encode(emb, texts, tmp_path, batch=3)
    assert len(EmbeddingCache(tmp_path, emb.name, emb.dim)) == 9    # three batches kept
    again = CountingEmbedderFake()
    out = _encode(again, texts, tmp_path, batch=3)
    assert again.encoded == 1
    assert np.allclose(out, CountingEmbedderFake().encode(texts))


def test_cache_segments_from_two_writers_are_both_read(tmp_path):
    a = EmbeddingCache(tmp_path, "m", 4)
    b = EmbeddingCache(tmp_path, "m", 4)
    a.append(["k1", "k2"], np.ones((2, 4)))
    b.append(["k2", "k3"], np.full((2, 4), 2.0))
    c = EmbeddingCache(tmp_path, "m", 4)
    assert len(c) == 3 and c.get(["k3"])[0][0] == 2.0
    assert c.get(["k2"])[0][0] in (1.0, 2.0)


def test_cache_compaction_merges_segments_and_keeps_every_vector(tmp_path):
    cache = EmbeddingCache(tmp_path, "m", 4)
    for i in range(6):
        cache.append([f"k{i}"], np.full((1, 4), float(i)))
    cache.compact(at=3)
    assert cache.segment_count() == 1
    again = EmbeddingCache(tmp_path, "m", 4)
    assert [v[0] for v in again.get([f"k{i}" for i in range(6)])] == [0, 1, 2, 3, 4, 5]


def test_cache_of_the_earlier_single_file_layout_is_read_and_merged(tmp_path):
    from index.cache import model_folder
    folder = model_folder(tmp_path, "m")
    folder.mkdir(parents=True)
    (folder / "model.json").write_text(json.dumps({"model": "m", "dim": 4}))
    (folder / "keys.json").write_text(json.dumps(["old1", "old2"]))
    np.save(folder / "vectors.npy", np.arange(8, dtype=np.float32).reshape(2, 4))
    cache = EmbeddingCache(tmp_path, "m", 4)
    assert len(cache) == 2 and cache.get(["old2"])[0][0] == 4.0
    cache.append(["new"], np.zeros((1, 4)))
    cache.compact(at=0)
    assert not (folder / "keys.json").exists() and cache.segment_count() == 1
    assert len(EmbeddingCache(tmp_path, "m", 4)) == 3


def test_cache_opened_once_serves_later_calls_without_reading_again(tmp_path):
    emb = CountingEmbedderFake()
    cache = open_cache(tmp_path, emb)
    first = encode_cached(emb, ["甲", "乙"], cache)
    for seg in cache.segments_dir.glob("*.npz"):
        seg.unlink()                             # what is on disk no longer matters
    again = encode_cached(emb, ["乙", "甲", "丙"], cache)
    assert emb.encoded == 3 and np.allclose(again[:2], first[::-1])


def test_cache_without_dir_encodes_everything():
    emb = CountingEmbedderFake()
    out = encode_cached(emb, ["甲", "乙"], None)
    assert out.shape == (2, emb.dim) and emb.encoded == 2
