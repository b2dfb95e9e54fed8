"""Stateless replicas: two real `app.py serve` processes behind nginx (deploy/nginx.conf.in,
rendered by deploy/render.py) on loopback, with the graph embedded in the shared data folder, or
the graph on a shared Oxigraph server and the vectors on a shared Milvus server. They answer the dev questions identically to one replica asked
directly while a build replaces the data (embedded) or one plan's graph is replaced on the
server (what `build` sends for a changed plan: one Graph Store Protocol PUT), SPARQL through
the proxy never sees a partial graph, and when one replica goes down the other answers."""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import pytest

from evaluation.load import wait_healthy
from tests.conftest import QA_DEV, ROOT, SHARED, _clean_env
from tests.web.sparql_fixtures import free_port

pytestmark = pytest.mark.slow

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
OFFICIALS = SHARED / "eval" / "qa_dev_officials.jsonl"
COUNT_Q = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def _questions() -> list[str]:
    out = []
    for path in (QA_DEV, OFFICIALS):
        if path.is_file():
            out += [json.loads(line)["question"]
                    for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return out


def _key(d: dict) -> tuple:
    """What a user sees of an answer: the text, found or not, and each citation's span."""
    cites = tuple((c.get("doc"), c.get("start"), c.get("end")) for c in d.get("citations", []))
    return d.get("found"), d.get("answer"), cites


def _wait_ready(url: str, proc: subprocess.Popen, log: Path, limit: float = 240.0) -> None:
    error = wait_healthy(url, proc, limit, poll_s=0.2)
    if error:
        raise AssertionError(error + ":\n" + log.read_text(errors="replace")[-2000:])


def _start(cmd: list[str], log: Path, env: dict) -> subprocess.Popen:
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log.open("wb"),
                            stderr=subprocess.STDOUT, start_new_session=True)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def _ask(base: str, q: str) -> dict:
    r = httpx.get(base + "/api/ask", params={"q": q}, timeout=120)
    assert r.status_code == 200, (q, r.status_code, r.text[:300])
    return r.json()


@contextmanager
def _replicas(tmp: Path, env: dict, app_args: list[str]):
    """(proxy url, [replica urls], [replica processes])."""
    if not Path(NGINX).exists():
        pytest.fail("nginx is not installed (`make test` installs it (target `proxy`))")
    with ExitStack() as stack:
        ports = [free_port(), free_port()]
        procs, urls = [], []
        for i, port in enumerate(ports):
            p = _start(app_args + ["serve", "--host", "127.0.0.1", "--port", str(port)],
                       tmp / f"replica{i}.log", env)
            stack.callback(_stop, p)
            procs.append(p)
            urls.append(f"http://127.0.0.1:{port}")
        for url, p, i in zip(urls, procs, range(2)):
            _wait_ready(url, p, tmp / f"replica{i}.log")
        proxy_port = free_port()
        prefix = tmp / "nginx"
        prefix.mkdir()
        conf = subprocess.run(
            [sys.executable, str(ROOT / "deploy" / "render.py"), "--prefix", str(prefix),
             "--listen", f"127.0.0.1:{proxy_port}"]
            + [a for u in urls for a in ("--replica", u.removeprefix("http://"))],
            capture_output=True, text=True, check=True).stdout
        (prefix / "nginx.conf").write_text(conf, encoding="utf-8")
        ng = _start([NGINX, "-c", str(prefix / "nginx.conf"), "-p", str(prefix)],
                    tmp / "nginx.log", env)
        stack.callback(_stop, ng)
        proxy = f"http://127.0.0.1:{proxy_port}"
        _wait_ready(proxy, ng, tmp / "nginx.log", limit=30)
        yield proxy, urls, procs


def _env_and_args(cfg) -> tuple[dict, list[str]]:
    env = dict(_clean_env(), GRADIO_ANALYTICS_ENABLED="False", PYTHONUNBUFFERED="1")
    return env, [sys.executable, str(ROOT / "app.py"), "--corpora", str(cfg.corpora_dir),
                 "--data", str(cfg.data_dir)]


def _own_copy(built_cfg, tmp: Path):
    """A copy of the session's build (and its embedding cache, so a rebuild is warm): these
    tests rebuild it, which must not change the build other tests hold."""
    data = tmp / "data"
    shutil.copytree(built_cfg.data_dir, data, symlinks=True)
    if built_cfg.cache_dir.is_dir():
        shutil.copytree(built_cfg.cache_dir, tmp / (data.name + ".cache"))
    return built_cfg.replace(data_dir=data)


@pytest.fixture(scope="module")
def replicas(built_cfg, tmp_path_factory):
    """Embedded graph: the replicas share the data folder. (proxy, urls, procs, env, args)."""
    tmp = tmp_path_factory.mktemp("replicas")
    env, app_args = _env_and_args(_own_copy(built_cfg, tmp))
    with _replicas(tmp, env, app_args) as (proxy, urls, procs):
        yield proxy, urls, procs, env, app_args


@contextmanager
def _milvus_server(folder: Path):
    """`milvus-lite server` (the gRPC server of the pinned milvus-lite) on a loopback port."""
    exe = Path(sys.executable).with_name("milvus-lite")
    if not exe.exists():
        pytest.fail("milvus-lite is not installed (requirements.txt pins it)")
    port = free_port()
    log = folder.with_suffix(".log")
    proc = _start([str(exe), "server", "--data-dir", str(folder), "--host", "127.0.0.1",
                   "--port", str(port)], log, dict(os.environ))
    try:
        t0 = time.monotonic()
        while time.monotonic() - t0 < 60:
            if proc.poll() is not None:
                raise AssertionError("milvus-lite server exited: " + log.read_text()[-1000:])
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        _stop(proc)


@pytest.fixture(scope="module")
def remote_replicas(built_cfg, tmp_path_factory):
    """The graph on an Oxigraph server and the vectors on a Milvus server (milvus-lite's):
    `build` sends both there, the replicas read both from there. (proxy, urls, procs, server)."""
    from tests.kg.stores import oxigraph_server
    tmp = tmp_path_factory.mktemp("remote-replicas")
    cfg = _own_copy(built_cfg, tmp)
    with oxigraph_server(tmp / "oxigraph") as server, _milvus_server(tmp / "milvus") as milvus:
        env, app_args = _env_and_args(cfg)
        env.update(server.env(), PLANGRAPH_VECTOR_STORE=milvus)
        pushed = subprocess.run(app_args + ["build"], cwd=ROOT, env=env, capture_output=True,
                                text=True, timeout=600)
        assert pushed.returncode == 0, pushed.stderr[-2000:]
        assert server.count() > 1000
        with _replicas(tmp, env, app_args) as (proxy, urls, procs):
            yield proxy, urls, procs, server


def test_replicas_answer_like_one_replica_while_a_build_replaces_the_data(replicas, tmp_path):
    proxy, urls, procs, env, app_args = replicas
    questions = _questions()
    assert len(questions) >= 40, "the dev question sets are missing"
    direct = {q: _key(_ask(urls[0], q)) for q in questions}
    # each replica asked directly agrees with the other (nothing one of them learned alone)
    for q in questions[::5]:
        assert _key(_ask(urls[1], q)) == direct[q], q

    build_log = tmp_path / "build.log"
    build = _start(app_args + ["build", "--force"], build_log, env)
    seen_during_build = 0
    mismatches = []
    try:
        rounds = 0
        while rounds < 3:
            for q in questions:
                got = _key(_ask(proxy, q))
                if got != direct[q]:
                    mismatches.append((q, got, direct[q]))
                if build.poll() is None:
                    seen_during_build += 1
            rounds += 1
            if build.poll() is not None:
                break
        build.wait(600)
    finally:
        _stop(build)
    assert build.returncode == 0, build_log.read_text(errors="replace")[-2000:]
    assert seen_during_build > 0, "the build ended before any question was asked"
    assert not mismatches, mismatches[:3]

    # SPARQL through the proxy: any replica, the same rows
    counts = set()
    for _ in range(4):
        r = httpx.get(proxy + "/sparql", params={"query": COUNT_Q},
                      headers={"Accept": "application/sparql-results+json"}, timeout=60)
        assert r.status_code == 200, r.text[:300]
        counts.add(r.json()["results"]["bindings"][0]["n"]["value"])
    assert len(counts) == 1


def test_one_replica_down_the_other_answers_for_it(replicas):
    proxy, urls, procs, env, app_args = replicas
    questions = _questions()[:12]
    before = {q: _key(_ask(proxy, q)) for q in questions}
    _stop(procs[0])
    errors = []
    for q in questions * 2:
        try:
            if _key(_ask(proxy, q)) != before[q]:
                errors.append(q)
        except AssertionError as e:
            errors.append(str(e))
    assert not errors, errors[:3]


def _sparql_count(base: str) -> int:
    r = httpx.get(base + "/sparql", params={"query": COUNT_Q},
                  headers={"Accept": "application/sparql-results+json"}, timeout=60)
    assert r.status_code == 200, r.text[:300]
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def test_replicas_on_a_graph_server_while_one_plans_graph_is_replaced(remote_replicas):
    proxy, urls, procs, server = remote_replicas
    questions = _questions()
    direct = {q: _key(_ask(urls[0], q)) for q in questions}
    for q in questions[::5]:
        assert _key(_ask(urls[1], q)) == direct[q], q
    total = _sparql_count(proxy)
    assert 1000 < total <= server.count()     # the store also holds the build marker

    # replace one plan's graph, whole, again and again (the same triples, sent as `build`
    # sends a changed plan) while questions and queries go through the proxy
    cited = sorted({doc for _, _, cites in direct.values() for doc, _, _ in cites if doc})
    assert cited, "no answer cites a plan"
    plan = "https://w3id.org/plangraph/graph/" + cited[0]
    body = httpx.get(server.update, params={"graph": plan}, timeout=60,
                     headers={"Accept": "application/n-triples"})
    assert body.status_code == 200 and body.content.count(b"\n") > 100, body.status_code
    stop, puts, errors = threading.Event(), [0], []

    def replace() -> None:
        while not stop.is_set() and puts[0] < 50:
            r = httpx.put(server.update, params={"graph": plan}, content=body.content,
                          headers={"Content-Type": "application/n-triples"}, timeout=60)
            if r.status_code not in (200, 201, 204):
                errors.append(r.status_code)
            puts[0] += 1

    t = threading.Thread(target=replace, daemon=True)
    t.start()
    counts, mismatches = [], []
    try:
        for q in questions:
            got = _key(_ask(proxy, q))
            if got != direct[q]:
                mismatches.append((q, got, direct[q]))
            counts.append(_sparql_count(proxy))
    finally:
        stop.set()
        t.join(120)
    assert not errors, errors[:3]
    assert puts[0] >= 2, "the graph was not replaced while the replicas answered"
    assert not mismatches, mismatches[:3]
    assert set(counts) == {total}, "a query saw a partly replaced graph"
