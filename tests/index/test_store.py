"""Index folder: save/load round trip and refusal of mismatched artifacts."""
from __future__ import annotations

import json

import pytest

import index
from core.errors import ArtifactError
from index.texts import index_texts
from index.warm import warm_texts
from tests.fakes import CountingEmbedderFake
from tests.index.conftest import PLANS, make_corpus


def test_store_round_trip_gives_same_results(built_small, small_corpus, index_cfg):
    out, corpus, cfg, emb = built_small
    r1 = index.load_retriever(out, cfg, corpus, embedder_factory=lambda: emb)
    r2 = index.load_retriever(out, cfg, make_corpus(), embedder_factory=lambda: emb)
    for q in ("管网漏损率", "公厕密度", "两市智慧灯杆"):
        assert [h.passage_id for h in r1.search(q, k=5)] == [h.passage_id for h in r2.search(q, k=5)]


def test_store_manifest_records_model_dim_corpus(built_small):
    out, *_ = built_small
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert m["model"] == "hash-fake" and m["dim"] == 64 and len(m["corpus"]) == 64
    assert m["passages"] == len(make_corpus().passages)


def test_store_refuses_other_model(built_small):
    out, corpus, cfg, emb = built_small
    with pytest.raises(ArtifactError, match="model .*build --force"):
        index.load_retriever(out, cfg.replace(model="other-model"), corpus, lambda: emb)


def test_store_refuses_changed_corpus(built_small):
    out, corpus, cfg, emb = built_small
    plans = dict(PLANS)
    city, title, parts = plans["beta"]
    plans["beta"] = (city, title, parts[:-1] + [("paragraph", "完成其它道路50%路灯改造。", "主要任务")])
    with pytest.raises(ArtifactError, match="rebuild|build --force"):
        index.load_retriever(out, cfg, make_corpus(plans), lambda: emb)


def test_store_refuses_other_dimension_at_first_dense_query(built_small):
    out, corpus, cfg, _ = built_small
    r = index.load_retriever(out, cfg, corpus, lambda: CountingEmbedderFake(dim=32))
    with pytest.raises(ArtifactError, match="dimensional"):
        r.search("公厕", k=3)


def test_store_missing_manifest_refused(built_small):
    out, corpus, cfg, emb = built_small
    (out / "manifest.json").unlink()
    with pytest.raises(ArtifactError, match="build"):
        index.load_retriever(out, cfg, corpus, lambda: emb)


def test_store_rebuild_uses_embedding_cache(small_corpus, index_cfg, tmp_path):
    emb = CountingEmbedderFake()
    index.build_index(small_corpus, index_cfg, tmp_path / "i1", emb, progress=lambda m: None)
    n = emb.encoded
    index.build_index(small_corpus, index_cfg, tmp_path / "i2", emb, progress=lambda m: None)
    dense = set(index_texts(small_corpus.passages))
    warm = [t for t in warm_texts(small_corpus, None) if t not in dense]   # sentence vectors
    assert n == len(small_corpus.passages) + len(warm) and emb.encoded == n
