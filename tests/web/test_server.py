"""web.http.server: one app with /sparql, /api/ask, /healthz and the UI at /, served for real on
a loopback port; access control (loopback unless auth; Basic auth over every route)."""
from __future__ import annotations

import logging
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from core.errors import ConfigError
from kg import sparql
from kg.store import KnowledgeGraph
from tests.fakes import FakeWorkspace, blocks_fake, fake_answer
from tests.web.sparql_fixtures import free_port, live_server, plan_quads, write_store

ROOT = Path(__file__).resolve().parents[2]
ASK_Q = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


@pytest.fixture(scope="module")
def graph(tmp_path_factory):
    data = tmp_path_factory.mktemp("server") / "data"
    g = KnowledgeGraph(write_store(data / "kg" / "store", plan_quads()))
    yield g, data
    sparql.engine_for(g).close()


def _app(cfg, graph):
    from web.http.server import create_app
    c = cfg.replace(data_dir=graph[1])
    return create_app(FakeWorkspace(c, graph[0]), c, blocks=blocks_fake(), answer=fake_answer)


@pytest.fixture
def server(cfg, graph):
    with live_server(_app(cfg, graph)) as url:
        yield url


def test_server_mounts_ui_at_root(server):
    r = httpx.get(server + "/")
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    assert "PlanGraph 规划图谱" in r.text


def test_server_sparql_is_not_shadowed_by_the_ui(server):
    r = httpx.get(server + "/sparql", params={"query": ASK_Q})
    assert r.status_code == 200
    assert r.json()["results"]["bindings"][0]["n"]["value"] == str(len(plan_quads()))


def test_server_healthz(server):
    r = httpx.get(server + "/healthz")
    assert r.status_code == 200 and r.json()["status"] == "ok"
    assert r.json()["sparql"]["loaded"] is True      # warmed at start-up
    assert r.json()["qa"] == {"loaded": False}       # the FAKE answer function loads no QA state


def test_server_api_ask_get_and_post(server):
    got = httpx.get(server + "/api/ask", params={"q": "杭州的目标是多少"})
    assert got.status_code == 200 and got.json()["answer"] == "8 字"
    posted = httpx.post(server + "/api/ask", json={"question": "绍兴", "id": "q7"})
    assert posted.status_code == 200 and posted.json()["id"] == "q7"


@pytest.mark.parametrize("request_kwargs", [
    {"method": "GET", "params": {"q": "  "}},
    {"method": "POST", "json": {"question": ""}},
    {"method": "POST", "content": b"not json", "headers": {"Content-Type": "application/json"}},
    {"method": "POST", "json": ["a list"]},
    {"method": "GET", "params": {"q": "长" * 2001}},
])
def test_server_api_ask_rejects_bad_questions(server, request_kwargs):
    r = httpx.request(url=server + "/api/ask", **request_kwargs)
    assert r.status_code == 400 and r.json()["error"]


def test_server_refuses_non_loopback_without_auth(cfg, graph):
    with pytest.raises(ConfigError, match="0.0.0.0.*--auth"):
        _app(cfg.replace(host="0.0.0.0"), graph)


def test_server_serve_refuses_before_building(cfg):
    from web.http.server import serve
    with pytest.raises(ConfigError, match="authentication"):
        serve(cfg.replace(host="192.0.2.1"))
    assert not cfg.data_dir.exists()


def test_server_serve_refuses_a_busy_port(cfg):
    from web.http.server import serve
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        with pytest.raises(ConfigError, match="already in use"):
            serve(cfg.replace(port=s.getsockname()[1]))
    assert not cfg.data_dir.exists()


def test_server_basic_auth_guards_every_route(cfg, graph):
    app = _app(cfg.replace(host="0.0.0.0", auth="ana:s3cret"), graph)
    with live_server(app) as url:
        for path in ("/", "/sparql?query=ASK%7B%7D", "/api/ask?q=x", "/healthz",
                     "/gradio_api/info", "/config"):
            assert httpx.get(url + path).status_code == 401, path
            assert httpx.get(url + path, auth=("ana", "wrong")).status_code == 401, path
        r = httpx.get(url + "/sparql", params={"query": "ASK {}"}, auth=("ana", "s3cret"))
        assert r.status_code == 200
        assert 'Basic realm="PlanGraph"' in httpx.get(url + "/healthz").headers["www-authenticate"]
        assert httpx.get(url + "/healthz", auth=("ana", "s3cret")).status_code == 200
        assert httpx.get(url + "/", auth=("ana", "s3cret")).status_code == 200
        pre = httpx.options(url + "/sparql", headers={"Origin": "https://x.example",
                                                      "Access-Control-Request-Method": "POST"})
        assert pre.status_code == 204


def test_server_access_log_drops_query_strings():
    from web.http.server import _RedactQuery
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1,
                               '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5", "GET", "/api/ask?q=杭州的目标", "1.1", 200), None)
    _RedactQuery().filter(record)
    assert "杭州" not in record.getMessage() and "/api/ask?…" in record.getMessage()


@pytest.mark.slow
def test_server_real_graph_answers_every_example_query(built):
    """The shipped example queries over the real build, through /sparql (p50 printed)."""
    from web.http.server import create_app
    queries = sorted((ROOT / "kg" / "queries").glob("*.rq"))
    assert queries
    times = []
    with live_server(create_app(built, built.cfg, blocks=blocks_fake())) as url:
        with httpx.Client() as client:
            for path in queries * 3:
                t0 = time.perf_counter()
                r = client.post(url + "/sparql", data={"query": path.read_text(encoding="utf-8")})
                times.append((time.perf_counter() - t0) * 1000)
                assert r.status_code == 200, (path.name, r.text)
    print(f"\n/sparql example queries: p50 {sorted(times)[len(times) // 2]:.1f} ms over {len(times)}")


@pytest.mark.slow
def test_server_serve_prints_urls_when_ready(built_cfg):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLANGRAPH_")}
    proc = subprocess.Popen([sys.executable, "app.py", "--corpora", str(built_cfg.corpora_dir),
                             "--data", str(built_cfg.data_dir), "serve", "--port", str(port)],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True)
    try:
        lines, deadline = [], time.time() + 180
        while time.time() < deadline and not any("SPARQL endpoint" in x for x in lines):
            line = proc.stdout.readline()
            assert line or proc.poll() is None, "serve exited early"
            lines.append(line)
        text = "".join(lines)
        assert re.search(rf"http://127\.0\.0\.1:{port}/\s", text), text
        assert f"SPARQL endpoint: http://127.0.0.1:{port}/sparql" in text
        r = httpx.get(f"http://127.0.0.1:{port}/sparql", params={"query": ASK_Q})
        assert r.status_code == 200 and int(r.json()["results"]["bindings"][0]["n"]["value"]) > 0
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
