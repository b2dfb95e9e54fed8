"""Fixtures of the fan-out tests: a corpus folder of the three invented plans in tests/data
(云溪 and 石湖 from tests/data/qa, 云岭 from tests/data/plans, GB18030) registered through the
catalog, and one in-process (workers=1) build of it with the real model, to compare with."""
from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import ROOT, _clean_env

MINI = (("yunxi", "云溪", "qa/yunxi.txt"), ("shihu", "石湖", "qa/shihu.txt"),
        ("yunling", "云岭", "plans/yunling-plan.gb18030.txt"))
QUESTIONS = ("云溪2025年生活垃圾回收利用率目标是多少?", "云岭的城市污水处理率目标是多少?",
             "两市的污水处理能力分别是多少?")


def make_cfg(corpora: Path, data: Path, **changes):
    from core.config import load_config
    return load_config({"corpora_dir": corpora, "data_dir": data, **changes}, env=_clean_env())


def app(corpora: Path, data: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "app.py"), "--corpora", str(corpora),
                           "--data", str(data), *args], cwd=ROOT, env=_clean_env(),
                          capture_output=True, text=True, timeout=timeout)


def app_popen(corpora: Path, data: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(ROOT / "app.py"), "--corpora", str(corpora),
                             "--data", str(data), *args], cwd=ROOT, env=_clean_env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_id(data: Path) -> str:
    return json.loads((data / "manifest.json").read_text(encoding="utf-8"))["build_id"]


def assert_same_build(a, b) -> None:
    """Two builds hold the same graph (quads as a set), the same passages in the same order
    with equal vectors, and answer questions alike. Build ids and timings are not compared."""
    import faiss

    import pipeline
    import qa
    wa, wb = pipeline.Workspace(a), pipeline.Workspace(b)
    qa_, qb = ({str(q) for q in w.graph.store} for w in (wa, wb))
    assert len(qa_) > 1000 and qa_ == qb, sorted(qa_ ^ qb)[:5]
    ids = [json.loads((c.data_dir / "index" / "passages.json").read_text()) for c in (a, b)]
    assert ids[0] == ids[1]
    va, vb = (faiss.read_index(str(c.data_dir / "index" / "dense.faiss")) for c in (a, b))
    assert va.ntotal == vb.ntotal == len(ids[0])
    assert np.allclose(va.reconstruct_n(0, va.ntotal), vb.reconstruct_n(0, vb.ntotal), atol=1e-5)
    for q in QUESTIONS:
        x, y = qa.answer(wa, q).to_dict(), qa.answer(wb, q).to_dict()
        assert (x["found"], x["answer"], x["citations"]) == (y["found"], y["answer"],
                                                             y["citations"]), q


@pytest.fixture(scope="session")
def mini_corpora(tmp_path_factory) -> Path:
    from core.catalog import Catalog
    folder = tmp_path_factory.mktemp("mini-corpora")
    (folder / "catalog.toml").write_text("# catalog\n", encoding="utf-8")
    cat = Catalog.load(folder)
    for doc_id, city, rel in MINI:
        cat.add(ROOT / "tests" / "data" / rel, city=city, title=f"{city}市城市管理“十四五”规划",
                period="2021-2025", doc_id=doc_id)
    return folder


@pytest.fixture(scope="session")
def serial_build(mini_corpora, tmp_path_factory):
    """(cfg, report) of the in-process build of the mini corpus (cold embedding cache)."""
    import pipeline
    cfg = make_cfg(mini_corpora, tmp_path_factory.mktemp("serial") / "data")
    return cfg, pipeline.build(cfg, force=True, progress=lambda m: None)
