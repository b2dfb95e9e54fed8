"""FAISS dense index: flat vs HNSW, filtered search, save/load."""
from __future__ import annotations

import numpy as np
import pytest

from core.errors import ArtifactError
from index.dense import DenseIndex


def _vectors(n=50, d=16, seed=0):
    v = np.random.default_rng(seed).normal(size=(n, d)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_dense_flat_below_threshold_hnsw_above():
    v = _vectors()
    assert DenseIndex.build(v, hnsw_threshold=100).kind == "flat"
    assert DenseIndex.build(v, hnsw_threshold=10).kind == "hnsw"


@pytest.mark.parametrize("threshold", [100, 10])
def test_dense_nearest_is_itself(threshold):
    v = _vectors()
    idx = DenseIndex.build(v, hnsw_threshold=threshold)
    s, r = idx.search(v[7], 3)
    assert r[0] == 7 and s[0] == pytest.approx(1.0, abs=1e-5)


@pytest.mark.parametrize("threshold", [100, 10])
def test_dense_filter_returns_only_allowed_rows(threshold):
    v = _vectors()
    idx = DenseIndex.build(v, hnsw_threshold=threshold)
    allowed = np.array([3, 9, 20, 41])
    s, r = idx.search(v[7], 10, allowed)
    assert set(r.tolist()) == set(allowed.tolist())
    assert list(s) == sorted(s, reverse=True)


def test_dense_save_load_round_trip(tmp_path):
    v = _vectors()
    idx = DenseIndex.build(v, hnsw_threshold=100)
    idx.save(tmp_path / "d.faiss")
    again = DenseIndex.load(tmp_path / "d.faiss")
    assert (again.kind, again.dim, again.size) == ("flat", 16, 50)
    assert np.array_equal(again.search(v[1], 5)[1], idx.search(v[1], 5)[1])


def test_dense_corrupt_file_refused(tmp_path):
    (tmp_path / "d.faiss").write_bytes(b"not a faiss index")
    with pytest.raises(ArtifactError, match="build --force"):
        DenseIndex.load(tmp_path / "d.faiss")


def test_dense_all_scores_match_search_scores():
    v = _vectors()
    idx = DenseIndex.build(v, hnsw_threshold=100)
    full = idx.all_scores(v[7])
    s, r = idx.search(v[7], len(v))
    assert np.allclose(full[r], s, atol=1e-5)


def test_dense_all_scores_none_for_hnsw():
    assert DenseIndex.build(_vectors(), hnsw_threshold=10).all_scores(_vectors()[0]) is None
