"""The real pipeline (m3e-small, the two plans) built with its vectors in milvus-lite answers
as the FAISS build does: the same top-k passages and the same answers with the same citations
over the shared dev questions (validation only: nothing here is tuned on them)."""
from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from tests.conftest import QA_DEV

OFFICIALS = QA_DEV.with_name("qa_dev_officials.jsonl")
pytestmark = pytest.mark.slow


def _questions() -> list[dict]:
    out = []
    for path in (QA_DEV, OFFICIALS):
        if path.is_file():
            out += [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()
                    if x.strip()]
    return out


@pytest.fixture(scope="module")
def milvus_ws(built_cfg, tmp_path_factory):
    """A second full build of the same corpus, vectors in a milvus-lite file; the embedding
    cache of the FAISS build is copied so the passages are not encoded again."""
    import pipeline
    root = tmp_path_factory.mktemp("milvus-build")
    shutil.copytree(built_cfg.cache_dir, root / "data.cache")
    cfg = built_cfg.replace(data_dir=root / "data", vector_store=str(root / "vectors.db"))
    pipeline.build(cfg, force=True, progress=lambda m: None)
    ws = pipeline.Workspace(cfg)
    yield ws
    ws.retriever.close()


def test_milvus_real_build_records_its_store(milvus_ws):
    m = json.loads((milvus_ws.cfg.data_dir / "index" / "manifest.json").read_text())
    assert m["dense"] == "milvus" and m["vector_store"].endswith("vectors.db")
    assert m["vectors"]["upserted"] + m["vectors"]["present"] == m["passages"]


def test_milvus_real_same_top_passages_as_faiss(built, milvus_ws):
    questions = [q["question"] for q in _questions()]
    assert len(questions) >= 40
    for q in questions:
        for mode in ("dense", "hybrid"):
            a = built.retriever.search(q, k=10, mode=mode)
            b = milvus_ws.retriever.search(q, k=10, mode=mode)
            assert [h.passage_id for h in a] == [h.passage_id for h in b], (q, mode)
            np.testing.assert_allclose([h.score for h in a], [h.score for h in b], atol=1e-4)


def test_milvus_real_dense_search_in_milvus_gives_faiss_top10(built, milvus_ws):
    """Above in_memory_max (cfg.hnsw_threshold) the dense half asks Milvus (per plan when a question names one)."""
    dense = milvus_ws.retriever.dense
    emb = built.embedder
    for q in [q["question"] for q in _questions()][:20]:
        v = emb.encode([q])[0]
        for doc in [None, *built.corpus.documents]:
            allowed = None if doc is None else np.flatnonzero(built.retriever.mask([doc]))
            s, rows = dense.search(v, 10, allowed)
            fs, frows = built.retriever.dense.search(v, 10, allowed)
            assert rows.tolist() == frows.tolist(), (q, doc)
            np.testing.assert_allclose(s, fs, atol=1e-4)


def test_milvus_real_same_answers_as_faiss(built, milvus_ws):
    import qa
    for q in _questions():
        a = qa.answer(built, q["question"]).to_dict()
        b = qa.answer(milvus_ws, q["question"]).to_dict()
        assert (a["found"], a["answer"], a["citations"]) == \
            (b["found"], b["answer"], b["citations"]), q["question"]


def test_milvus_unreachable_store_stops_build_before_touching_data(built_cfg):
    import socket

    import pipeline
    from core.errors import ArtifactError
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    manifest = (built_cfg.data_dir / "manifest.json").read_bytes()
    cfg = built_cfg.replace(vector_store=f"http://127.0.0.1:{port}")
    assert "vectors" in pipeline.is_stale(cfg)          # another store: the build is stale
    with pytest.raises(ArtifactError, match="向量库无法连接.*原有数据未改动") as e:
        pipeline.build(cfg, force=True, progress=lambda m: None)
    assert "\n" not in str(e.value)
    assert (built_cfg.data_dir / "manifest.json").read_bytes() == manifest
    assert pipeline.is_stale(built_cfg) is None
