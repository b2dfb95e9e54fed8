"""build --cluster ADDRESS: the workers of a running Dask scheduler (started here on loopback
ports, as an operator would start them) build what the in-process build builds."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import pytest

from tests.conftest import ROOT, _clean_env
from tests.parallel.conftest import app, assert_same_build, free_port, make_cfg

pytestmark = pytest.mark.slow


def _dask(*args: str) -> subprocess.Popen:
    env = dict(_clean_env(), PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-m", "dask", *args], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _listening(port: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.2)
    return False


@pytest.fixture
def cluster():
    """A Dask scheduler and one worker process (one thread) on loopback; stopped after."""
    port = free_port()
    procs = [_dask("scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard")]
    try:
        assert _listening(port, 60), "the scheduler did not start"
        procs.append(_dask("worker", f"tcp://127.0.0.1:{port}", "--host", "127.0.0.1",
                           "--nthreads", "1", "--nworkers", "1", "--no-dashboard"))
        yield f"tcp://127.0.0.1:{port}"
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()


def test_cluster_workers_build_what_one_process_builds(cluster, serial_build, mini_corpora,
                                                       tmp_path):
    serial, _ = serial_build
    data = tmp_path / "data"
    r = app(mini_corpora, data, "build", "--cluster", cluster, "--workers", "1")
    assert r.returncode == 0, r.stderr[-3000:]
    assert f"the cluster at {cluster} ready" in r.stderr
    assert "fan-out: 3 plans on 1 worker in" in r.stderr
    assert os.path.isdir(data / "index")
    assert_same_build(serial, make_cfg(mini_corpora, data))
