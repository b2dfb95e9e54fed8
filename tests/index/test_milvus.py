"""Passage vectors in Milvus: real milvus-lite (a .db file in a temporary folder, and its gRPC
server on a loopback port for the URL path), against the FAISS index of the same passages.
The hash embedder (FAKE) isolates the store from the model; test_milvus_real.py uses m3e."""
from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from core.config import Config
from core.errors import ArtifactError, ConfigError
from tests.fakes import CountingEmbedderFake
from tests.index.conftest import PLANS, make_corpus

QUERIES = ["城市供水管网漏损率目标", "智慧灯杆建设", "公共厕所数量", "新能源环卫车比例",
           "乙州路灯改造", "甲城生活垃圾回收利用率", "综合管廊上虞区"]


def _build(corpus, cfg, emb, out: Path, store: str):
    import index
    c = cfg.replace(vector_store=store)
    summary = index.build_index(corpus, c, out, emb, progress=lambda m: None)
    return summary, index.load_retriever(out, c, corpus, embedder_factory=lambda: emb)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def lite(tmp_path):
    return str(tmp_path / "vectors" / "milvus.db")


def test_milvus_config_accepts_store_kinds_and_refuses_others(tmp_path):
    assert Config().vector_store == "faiss"
    assert Config(vector_store="http://10.0.0.5:19530").vector_store == "http://10.0.0.5:19530"
    rel = Config(vector_store="vec/m.db").vector_store
    assert rel.endswith("vec/m.db") and Path(rel).is_absolute()
    for bad in ("milvus", "ftp://h:19530", "http://:19530", "http://h:port", "m.sqlite", ""):
        with pytest.raises(ConfigError, match="vector_store"):
            Config(vector_store=bad)


def test_milvus_same_hits_as_faiss(small_corpus, index_cfg, fake_embedder, tmp_path, lite):
    _, faiss_r = _build(small_corpus, index_cfg, fake_embedder, tmp_path / "f", "faiss")
    summary, milvus_r = _build(small_corpus, index_cfg, fake_embedder, tmp_path / "m", lite)
    assert summary["dense"] == "milvus" and summary["vectors"]["upserted"] == summary["passages"]
    assert not (tmp_path / "m" / "dense.faiss").exists()
    for in_memory in (True, False):          # vectors read once, or every search in Milvus
        milvus_r.dense.in_memory_max = 10_000 if in_memory else 0
        milvus_r._scache.clear()
        for q in QUERIES:
            for mode in ("dense", "hybrid"):
                a, b = faiss_r.search(q, k=5, mode=mode), milvus_r.search(q, k=5, mode=mode)
                assert [h.passage_id for h in a] == [h.passage_id for h in b], (q, mode)
                np.testing.assert_allclose([h.score for h in a], [h.score for h in b],
                                           atol=1e-4)
    milvus_r.close()


def test_milvus_rebuild_embeds_and_upserts_nothing(small_corpus, index_cfg, tmp_path, lite):
    emb = CountingEmbedderFake()
    first, r = _build(small_corpus, index_cfg, emb, tmp_path / "a", lite)
    r.close()
    encoded = emb.encoded
    second, r = _build(small_corpus, index_cfg, emb, tmp_path / "b", lite)
    assert emb.encoded == encoded                     # every vector from the embedding cache
    assert second["vectors"] == {"upserted": 0, "present": first["passages"]}
    assert r.search("智慧灯杆建设", k=3, mode="dense")
    r.close()


def test_milvus_changed_passage_replaces_the_old_one(index_cfg, fake_embedder, tmp_path, lite):
    old = make_corpus()
    _, r = _build(old, index_cfg, fake_embedder, tmp_path / "a", lite)
    before = {h.passage_id for h in r.search("高架道路路灯零碳改造", k=3, mode="dense")}
    r.close()
    city, title, parts = PLANS["beta"]
    changed = [(k, t.replace("高架道路所有路灯零碳改造", "快速路照明设施节能改造"), c)
               for k, t, c in parts]
    new = make_corpus({**PLANS, "beta": (city, title, changed)})
    summary, r = _build(new, index_cfg, fake_embedder, tmp_path / "b", lite)
    assert summary["vectors"]["upserted"] == len([p for p in new.passages if p.doc_id == "beta"])
    new_ids = {p.id for p in new.passages}
    for q in ("高架道路路灯零碳改造", "快速路照明设施节能改造"):
        hits = r.search(q, k=10, mode="dense")
        assert hits and {h.passage_id for h in hits} <= new_ids
    top = r.corpus.passage(r.search("快速路照明设施节能改造", k=1, mode="dense")[0].passage_id)
    assert "快速路照明设施节能改造" in top.text
    assert before - new_ids                       # the old passage existed and is not returned
    r.close()


def test_milvus_per_plan_filter_is_applied_in_milvus(small_corpus, index_cfg, fake_embedder,
                                                    tmp_path, lite):
    _, faiss_r = _build(small_corpus, index_cfg, fake_embedder, tmp_path / "f", "faiss")
    _, r = _build(small_corpus, index_cfg, fake_embedder, tmp_path / "m", lite)
    r.dense.in_memory_max = 0                      # no scores in memory: searches in Milvus
    q = fake_embedder.encode(["推进智慧灯杆建设"])[0]
    for doc in ("alpha", "beta"):
        allowed = np.flatnonzero(r.mask([doc]))
        s, rows = r.dense.search(q, 3, allowed)
        fs, frows = faiss_r.dense.search(q, 3, allowed)
        assert rows.tolist() == frows.tolist() and len(rows) == min(3, len(allowed))
        assert {r.passages[i].doc_id for i in rows} == {doc}
        np.testing.assert_allclose(s, fs, atol=1e-5)
        hits = r.search("推进智慧灯杆建设", k=5, doc_ids=[doc])
        assert hits and {r.corpus.passage(h.passage_id).doc_id for h in hits} == {doc}
        assert [h.passage_id for h in hits] == \
            [h.passage_id for h in faiss_r.search("推进智慧灯杆建设", k=5, doc_ids=[doc])]
    r.close()


def test_milvus_other_dimension_is_refused(small_corpus, index_cfg, tmp_path, lite):
    import index
    _build(small_corpus, index_cfg, CountingEmbedderFake(dim=64), tmp_path / "a", lite)[1].close()
    with pytest.raises(ArtifactError, match="64-dimensional.*32-dimensional"):
        index.build_index(small_corpus, index_cfg.replace(vector_store=lite), tmp_path / "b",
                          CountingEmbedderFake(dim=32), progress=lambda m: None)


def test_milvus_models_get_their_own_collections(small_corpus, index_cfg, fake_embedder,
                                                  tmp_path, lite):
    from index.milvus import collection_name
    a, r = _build(small_corpus, index_cfg, fake_embedder, tmp_path / "a", lite)
    r.close()
    b, r = _build(small_corpus, index_cfg.replace(model="other-model"), fake_embedder,
                  tmp_path / "b", lite)
    assert b["vectors"]["upserted"] == b["passages"]          # nothing shared across models
    assert collection_name("hash-fake") != collection_name("other-model")
    r.close()


def test_milvus_unreachable_url_is_one_clear_error(small_corpus, index_cfg, fake_embedder,
                                                    tmp_path):
    import index
    cfg = index_cfg.replace(vector_store=f"http://127.0.0.1:{_free_port()}")
    t = time.perf_counter()
    with pytest.raises(ArtifactError, match="向量库无法连接") as e:
        index.build_index(small_corpus, cfg, tmp_path / "i", fake_embedder,
                          progress=lambda m: None)
    assert "\n" not in str(e.value) and time.perf_counter() - t < 30
    assert not (tmp_path / "i" / "manifest.json").exists()


def test_milvus_index_built_for_faiss_is_refused_with_milvus_config(built_small, lite):
    import index
    out, corpus, cfg, emb = built_small
    with pytest.raises(ArtifactError, match="keeps its vectors in 'faiss'"):
        index.load_retriever(out, cfg.replace(vector_store=lite), corpus, lambda: emb)


def test_milvus_lite_file_open_in_another_process_is_one_clear_error(small_corpus, index_cfg,
                                                                     fake_embedder, tmp_path,
                                                                     lite):
    import index
    Path(lite).parent.mkdir(parents=True)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom pymilvus import MilvusClient\n"
         f"MilvusClient({lite!r})\nprint('open', flush=True)\ntime.sleep(60)"],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(ArtifactError, match="正被另一个进程使用"):
            index.build_index(small_corpus, index_cfg.replace(vector_store=lite),
                              tmp_path / "i", fake_embedder, progress=lambda m: None)
    finally:
        holder.kill()
        holder.wait()


def test_milvus_server_by_url_gives_faiss_hits(small_corpus, index_cfg, fake_embedder,
                                               tmp_path):
    """The URL path: milvus-lite's gRPC server on a loopback port, HNSW index."""
    port = _free_port()
    server = subprocess.Popen([str(Path(sys.executable).with_name("milvus-lite")), "server",
                               "--data-dir", str(tmp_path / "server"), "--host", "127.0.0.1",
                               "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None
                time.sleep(0.2)
        _, faiss_r = _build(small_corpus, index_cfg, fake_embedder, tmp_path / "f", "faiss")
        url = f"http://127.0.0.1:{port}"
        summary, r = _build(small_corpus, index_cfg, fake_embedder, tmp_path / "m", url)
        assert summary["vector_store"] == url
        r.dense.in_memory_max = 0                  # every search in the server (HNSW)
        for q in QUERIES:
            a, b = faiss_r.search(q, k=5), r.search(q, k=5)
            assert [h.passage_id for h in a] == [h.passage_id for h in b], q
        r.close()
    finally:
        server.terminate()
        server.wait(10)


def test_milvus_searched_in_milvus_from_the_flat_threshold_on(small_corpus, index_cfg,
                                                              fake_embedder, tmp_path, lite):
    """Below cfg.hnsw_threshold passages the vectors are scored in memory (as flat FAISS);
    from it on every search goes to Milvus, and still finds FAISS's best passages."""
    _, faiss_r = _build(small_corpus, index_cfg, fake_embedder, tmp_path / "f", "faiss")
    small = index_cfg.replace(hnsw_threshold=len(small_corpus.passages))
    _, r = _build(small_corpus, small, fake_embedder, tmp_path / "m", lite)
    q = fake_embedder.encode(["智慧灯杆建设"])[0]
    assert r.dense.all_scores(q) is None
    for query in QUERIES:
        a, b = faiss_r.search(query, k=3, mode="dense"), r.search(query, k=3, mode="dense")
        assert [h.passage_id for h in a] == [h.passage_id for h in b], query
    r.close()
