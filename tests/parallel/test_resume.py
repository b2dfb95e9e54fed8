"""An interrupted build resumes from its embedding cache: a fanned-out build killed (SIGKILL)
once the cache holds some batches leaves data/ with the previous build, its workers end with
it, and the next build encodes only the texts the cache still lacked."""
from __future__ import annotations

import re
import shutil
import signal
import time

import psutil
import pytest

import pipeline
from tests.parallel.conftest import app, app_popen, build_id, make_cfg

pytestmark = pytest.mark.slow


def _cached(cfg) -> int:
    from index.cache import EmbeddingCache
    from index.encoders import load_embedder
    emb = load_embedder(cfg)
    return len(EmbeddingCache(cfg.cache_dir, emb.name, emb.dim))


def _fanned_texts(cfg) -> int:
    """How many distinct texts the workers embed for this corpus (passages, answer sentences),
    worked out in this process."""
    from core.catalog import Catalog
    from index.cache import text_key
    from parallel.worker import BuildWorker, run_plan
    state = BuildWorker(cfg)
    keys = set()
    for doc in Catalog.load(cfg.corpora_dir).documents():
        res = run_plan(state, doc)
        keys.update(text_key(t) for t in res.dense_texts + res.warm_texts)
    return len(keys)


def _segments(cfg) -> list:
    return list((cfg.cache_dir / "embeddings").glob("*/segments/*.npz"))


def test_killed_build_keeps_data_and_the_rerun_encodes_only_what_was_missing(
        serial_build, mini_corpora, tmp_path):
    serial, _ = serial_build
    cfg = make_cfg(mini_corpora, tmp_path / "data")
    shutil.copytree(serial.data_dir, cfg.data_dir)        # the previous build; a cold cache
    before = build_id(cfg.data_dir)

    proc = app_popen(mini_corpora, cfg.data_dir, "build", "--force", "--workers", "2")
    children: list[psutil.Process] = []
    try:
        deadline = time.monotonic() + 600
        while not _segments(cfg) and proc.poll() is None and time.monotonic() < deadline:
            children = psutil.Process(proc.pid).children(recursive=True) or children
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read()
    assert children, "the build started no worker processes"
    gone, alive = psutil.wait_procs(children, timeout=30)   # workers end with the build
    for p in alive:
        p.kill()
    assert not alive, [p.cmdline() for p in alive]

    assert build_id(cfg.data_dir) == before                 # data/ kept the previous build
    pipeline.Workspace(cfg)                                 # and loads, every file checked
    kept = _cached(cfg)
    assert kept > 0

    r = app(mini_corpora, cfg.data_dir, "build", "--force", "--workers", "2")
    assert r.returncode == 0, r.stderr[-2000:]
    m = re.search(r"fan-out: .*embeddings (\d+) cached, (\d+) encoded", r.stderr)
    assert m, r.stderr[-2000:]
    cached, encoded = int(m.group(1)), int(m.group(2))
    assert cached == kept and encoded == _fanned_texts(cfg) - kept and encoded > 0
    assert build_id(cfg.data_dir) != before
