"""build --workers N: the per-plan work on local worker processes gives the same artifacts as
the in-process build; bad settings and a dying worker end with one line, data/ untouched."""
from __future__ import annotations

import shutil
import signal
import time

import psutil
import pytest

import pipeline
from tests.parallel.conftest import (
    app,
    app_popen,
    assert_same_build,
    build_id,
    free_port,
    make_cfg,
)


@pytest.mark.slow
def test_fanout_two_workers_build_what_one_process_builds(serial_build, mini_corpora, tmp_path):
    serial, _ = serial_build
    cfg = make_cfg(mini_corpora, tmp_path / "data", build_workers=2)
    lines: list[str] = []
    rep = pipeline.build(cfg, force=True, progress=lines.append)
    assert rep.counts["workers"] == 2
    assert rep.counts["embeddings_cached"] == 0 and rep.counts["embeddings_encoded"] > 0
    for doc_id in ("yunxi", "shihu", "yunling"):       # progress as the serial build says it
        assert any(line.startswith(f"ingest {doc_id}:") for line in lines)
        assert any(line.startswith(f"kg: {doc_id}:") for line in lines)
        assert any(line.startswith(f"plan {doc_id} done on a worker") for line in lines)
    after = lines[next(i for i, x in enumerate(lines) if x.startswith("fan-out: 3 plans")):]
    steps = [x for x in after if x.startswith("embeddings: ")]      # index and warm-up steps
    assert len(steps) == 2 and ", 0 to encode" in steps[0], steps     # passages: all cached
    assert int(steps[1].split()[1]) > 0, steps   # answer sentences cached; the graph's labels
    assert_same_build(serial, cfg)

    again = pipeline.build(cfg, force=True, progress=lambda m: None)    # warm cache
    assert again.counts["embeddings_encoded"] == 0
    assert again.counts["embeddings_cached"] == rep.counts["embeddings_encoded"]
    assert_same_build(serial, cfg)


def test_fanout_workers_below_one_is_one_line(mini_corpora, tmp_path):
    r = app(mini_corpora, tmp_path / "data", "build", "--workers", "0", timeout=120)
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "--workers" in lines[0] and "至少为 1" in lines[0]
    assert not (tmp_path / "data").exists()


@pytest.mark.parametrize("address,words", [("nonsense:://x", "地址无效"),
                                           ("tcp://127.0.0.1:{port}", "无法连接")])
def test_fanout_bad_or_unreachable_cluster_is_one_line(serial_build, mini_corpora, tmp_path,
                                                       address, words):
    serial, _ = serial_build
    shutil.copytree(serial.data_dir, tmp_path / "data")
    before = build_id(tmp_path / "data")
    r = app(mini_corpora, tmp_path / "data", "build", "--force", "--cluster",
            address.format(port=free_port()), timeout=120)
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and words in lines[0], lines
    assert build_id(tmp_path / "data") == before
    assert not list(tmp_path.glob("data.tmp-*"))


def _worker_processes(pid: int) -> list[psutil.Process]:
    return [c for c in psutil.Process(pid).children(recursive=True)
            if "spawn_main" in " ".join(c.cmdline())]


@pytest.mark.slow
def test_fanout_worker_that_dies_fails_the_build_and_keeps_data(serial_build, mini_corpora,
                                                                tmp_path):
    serial, _ = serial_build
    data = tmp_path / "data"
    shutil.copytree(serial.data_dir, data)                 # a previous build; a cold cache
    before = build_id(data)
    proc = app_popen(mini_corpora, data, "build", "--force", "--workers", "2")
    seen, killed = [], []
    try:
        for line in proc.stderr:
            seen.append(line)
            # a plan with a batch to encode has just been handed to the workers: kill them
            # while they encode it
            if "done on a worker" in line and int(line.split(", ")[-1].split()[0]) >= 100:
                time.sleep(1.0)
                killed = _worker_processes(proc.pid)
                for w in killed:
                    w.send_signal(signal.SIGKILL)
                break
        rest = proc.stderr.read()
        proc.wait(300)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert killed, "".join(seen)
    assert proc.returncode == 2, "".join(seen) + rest
    assert "Traceback" not in rest and "ERROR" not in rest, rest
    err = rest.strip().splitlines()[-1]
    assert err.startswith("error: 构建失败") and "died" in err and "unchanged" in err, err
    assert build_id(data) == before
    assert not list(tmp_path.glob("data.tmp-*"))
    pipeline.Workspace(make_cfg(mini_corpora, data))        # checks every file


def test_fanout_leaves_the_building_process_environment_alone():
    """Dask's nanny writes OMP/MKL/OPENBLAS_NUM_THREADS=1 into the spawning process's own
    environment by default: every thread pool the building process (or a child it starts)
    loaded later had one thread. The workers get them; this process keeps its own."""
    import os

    from core.config import load_config
    from parallel.cluster import WORKER_ENV, open_client
    keys = list(WORKER_ENV) + ["MALLOC_TRIM_THRESHOLD_"]
    before = {k: os.environ.get(k) for k in keys}
    with open_client(load_config({"build_workers": 2}, env={}), lambda m: None) as client:
        seen = client.run(lambda: {k: os.environ.get(k) for k in WORKER_ENV})
    assert {k: os.environ.get(k) for k in keys} == before
    assert len(seen) == 2 and all(env == WORKER_ENV for env in seen.values())
