"""deploy/render.py: the nginx configuration for N replicas, and its refusals (a value that is
not host:port, no replica) as one line and exit status 2."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

RENDER = Path(__file__).resolve().parents[2] / "deploy" / "render.py"


def _render(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(RENDER), *args], capture_output=True, text=True,
                          timeout=60)


def test_render_writes_one_server_line_per_replica(tmp_path):
    r = _render("--listen", "127.0.0.1:8080", "--prefix", str(tmp_path),
                "--replica", "127.0.0.1:7861", "--replica", "[::1]:7862")
    assert r.returncode == 0, r.stderr
    assert "server 127.0.0.1:7861 " in r.stdout and "server [::1]:7862 " in r.stdout
    assert "127.0.0.1:8080" in r.stdout and str(tmp_path) in r.stdout
    assert "@SERVERS@" not in r.stdout and "@LISTEN@" not in r.stdout and "@PREFIX@" not in r.stdout


@pytest.mark.parametrize("args, said", [
    (["--replica", "127.0.0.1"], "not a host:port: '127.0.0.1'"),
    (["--replica", "127.0.0.1:7861; include /etc/passwd"], "not a host:port"),
    (["--replica", "127.0.0.1:7861", "--listen", "localhost:port"], "not a host:port: 'localhost:port'"),
    (["--replica", "127.0.0.1:123456"], "not a host:port"),
    ([], "at least one --replica host:port is needed"),
])
def test_render_refuses_bad_input_in_one_line(tmp_path, args, said):
    r = _render("--prefix", str(tmp_path), *args)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.count("\n") == 1 and said in r.stderr, r.stderr
