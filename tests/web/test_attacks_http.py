"""Attacks of issue 13 replayed against the real server (uvicorn on 127.0.0.1) with the network
namespace of the SPARQL workers switched off, so the seccomp filter is the only barrier: each
test reproduces one attack and pins the answer it now gets."""
from __future__ import annotations

import re
import threading
import time

import httpx
import pyoxigraph as ox
import pytest

from kg import sparql
from kg.store import KnowledgeGraph
from tests.fakes import FakeWorkspace, blocks_fake, fake_answer
from tests.web.sparql_fixtures import Listener, live_server, plan_quads, write_store

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
DIRECT = {"Content-Type": "application/sparql-query"}


def doubling(n: int, seed: str = "0123456789abcdef") -> str:
    """BINDs that double a string n times (16 * 2**n characters in ?v{n})."""
    return f'BIND("{seed}" AS ?v0) ' + " ".join(f"BIND(CONCAT(?v{i},?v{i}) AS ?v{i + 1})"
                                              for i in range(n))


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """(base URL, cfg): the whole app over a small real graph; tight limits."""
    import web.http.server
    from core.config import load_config
    data = tmp_path_factory.mktemp("attacks") / "data"
    store = write_store(data / "kg" / "store", plan_quads())
    store.dump(str(data / "kg" / "graph.trig"), ox.RdfFormat.TRIG)
    graph = KnowledgeGraph(store)
    cfg = load_config({"data_dir": data, "sparql_timeout_s": 4.0, "sparql_fast_lane_s": 0.5,
                       "sparql_max_rows": 1000, "sparql_max_result_bytes": 200_000,
                       "sparql_max_memory_mb": 600, "max_request_bytes": 4096}, env={})
    sparql.attach_engine(graph, sparql.SparqlEngine(
        "dir", data / "kg" / "store", barriers=("seccomp",), memory_mb=600, queue=8))
    try:
        app = web.http.server.create_app(FakeWorkspace(cfg, graph), cfg, blocks=blocks_fake(),
                                         answer=fake_answer)
        with live_server(app) as url:
            yield url, cfg
    finally:
        sparql.engine_for(graph).close()


def _ask_ok(url: str) -> None:
    r = httpx.get(url + "/sparql", params={"query": "ASK {}"}, timeout=30)
    assert r.status_code == 200 and r.json()["boolean"] is True


# ---- §1 SERVICE --------------------------------------------------------------------------------
@pytest.mark.parametrize("template", [
    "SELECT * WHERE {{ FILTER(1<2)SERVICE#>)\n<{url}>{{?x ?y ?z}} }}",
    "SELECT * WHERE {{ FILTER(1<2)SERVICE SILENT#>)\n<{url}>{{?x ?y ?z}} }}",
])
def test_service_hidden_from_the_tokenizer_sends_nothing(site, template):
    listener = Listener()
    try:
        r = httpx.post(site[0] + "/sparql", content=template.format(url=listener.url).encode(),
                       headers=DIRECT, timeout=30)
    finally:
        listener.close()
    assert r.status_code == 403 and r.text.startswith("不允许联邦查询") and "SERVICE" in r.text
    assert listener.received == []
    health = httpx.get(site[0] + "/healthz").json()["sparql"]
    assert health["barriers"] == {"netns": False, "seccomp": True} and health["available"]
    _ask_ok(site[0])


# ---- §4 resources --------------------------------------------------------------------------------
@pytest.mark.parametrize("query", [
    "SELECT (STRLEN(?v26) AS ?n) WHERE { " + doubling(26) + " }",
    "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i",
])
def test_memory_hungry_queries_are_stopped_with_503(site, query):
    r = httpx.get(site[0] + "/sparql", params={"query": query}, timeout=60)
    # on a busy machine the clock (4 s here) may stop it before the memory cap does: either
    # way a clean 503 naming the limit (the memory cap alone: tests/kg/test_sparql_limits.py)
    assert r.status_code == 503 and ("sparql_max_memory_mb" in r.text
                                     or "sparql_timeout_s" in r.text), r.text
    _ask_ok(site[0])


def test_response_bytes_are_capped_with_a_notice_in_header_and_body(site):
    rows = "VALUES ?i { 1 2 3 4 5 6 7 8 9 10 } "            # 10 rows of 64 KiB each
    q = "SELECT ?i ?v12 WHERE { " + rows + doubling(12) + " }"
    for fmt in ("json", "tsv", "xml", "csv"):
        r = httpx.get(site[0] + "/sparql", params={"query": q, "format": fmt}, timeout=30)
        assert r.status_code == 200, r.text
        assert len(r.content) <= site[1].sparql_max_result_bytes + 1000
        assert "sparql_max_result_bytes" in r.headers["x-plangraph-notice"]
        if fmt == "json":
            assert "结果已截断" in r.json()["notice"] and 0 < len(r.json()["results"]["bindings"]) < 10
        if fmt == "xml":
            assert r.text.startswith("<!-- 结果已截断")


def test_one_row_over_the_byte_cap_is_not_a_500(site):
    q = "SELECT ?v16 WHERE { " + doubling(16) + " }"          # one 1 MiB row
    r = httpx.get(site[0] + "/sparql", params={"query": q, "format": "json"}, timeout=30)
    assert r.status_code == 200 and r.json()["results"]["bindings"] == []
    assert "truncated" in r.headers["x-plangraph-notice"]


def test_api_ask_body_is_limited_before_it_is_read(site):
    r = httpx.post(site[0] + "/api/ask", content=b"x" * 5_000_000,
                   headers={"Content-Type": "application/json"}, timeout=30)
    assert r.status_code == 413 and "请求体过大" in r.json()["error"]

    def chunks():                                  # no Content-Length: counted while read
        for _ in range(1000):
            yield b" " * 10_000
    r = httpx.post(site[0] + "/api/ask", content=chunks(),
                   headers={"Content-Type": "application/json"}, timeout=30)
    assert r.status_code == 413


def test_upload_route_is_refused(site):
    r = httpx.post(site[0] + "/gradio_api/upload", files={"files": ("a.txt", b"hello")})
    assert r.status_code == 404 and "不接受上传" in r.text


# ---- §5 fairness ---------------------------------------------------------------------------------
def test_slow_clients_do_not_take_the_endpoint_down(site):
    stop = threading.Event()
    seen: list[tuple[int, bool]] = []

    def attacker() -> None:
        with httpx.Client(timeout=60) as c:
            while not stop.is_set():
                r = c.get(site[0] + "/sparql", params={"query": SLOW})
                seen.append((r.status_code, "retry-after" in r.headers))
    threads = [threading.Thread(target=attacker) for _ in range(6)]
    for t in threads:
        t.start()
    try:
        time.sleep(1.0)
        honest = []
        for _ in range(15):
            r = httpx.get(site[0] + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=60)
            honest.append(r.status_code)
            time.sleep(0.1)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert honest == [200] * 15
    assert (503, True) in seen                     # refused at once, with Retry-After


# ---- §8 input that used to raise -------------------------------------------------------------------
@pytest.mark.parametrize("body", [b"[" * 100_000, b'{"question": "\\ud800"}',
                                  b'{"question": "abc", "id": "\\udfff"}', b'{"question": [1]}'])
def test_api_ask_hostile_json_is_a_400(site, body):
    r = httpx.post(site[0] + "/api/ask", content=body, headers={"Content-Type": "application/json"})
    assert r.status_code in (400, 413) and r.json()["error"]


def test_api_ask_invalid_utf8_in_the_url_is_not_a_500(site):
    r = httpx.get(site[0] + "/api/ask?q=%ED%A0%80")
    assert r.status_code in (200, 400)


def test_deeply_nested_query_is_a_400(site):
    q = "SELECT * WHERE " + "{" * 3000 + "}" * 3000
    r = httpx.post(site[0] + "/sparql", content=q.encode(), headers=DIRECT)
    assert r.status_code == 400 and "nested" in r.text
    _ask_ok(site[0])


def test_300_nested_triple_terms_are_a_4xx_not_a_traceback(site):
    binds = "BIND(<http://x/a> AS ?t0) " + " ".join(
        f"BIND(<<( <http://x/s> <http://x/p> ?t{i} )>> AS ?t{i + 1})" for i in range(300))
    q = "SELECT ?t300 WHERE { " + binds + " }"
    r = httpx.post(site[0] + "/sparql", content=q.encode(), headers={**DIRECT,
                                                                     "Accept": "application/json"})
    assert r.status_code == 422 and "ask for TSV" in r.text
    tsv = httpx.post(site[0] + "/sparql", content=q.encode(),
                     headers={**DIRECT, "Accept": "text/tab-separated-values"})
    assert tsv.status_code == 200 and tsv.text.count("<<(") == 300


# ---- also found -----------------------------------------------------------------------------------
def test_browser_get_shows_a_query_page(site):
    r = httpx.get(site[0] + "/sparql", headers={"Accept": "text/html,application/xhtml+xml"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "SPARQL" in r.text and ("yasgui" in r.text.lower() or "<textarea" in r.text)
    assets = re.findall(r'(?:src|href|action)="([^"]+)"', r.text)
    assert assets and all(a.startswith("/") for a in assets)     # served here, never a CDN
    if "sparql-assets/yasgui.min.js" in r.text:
        assert httpx.get(site[0] + "/sparql-assets/yasgui.min.js").status_code == 200
    assert httpx.get(site[0] + "/sparql-assets/..%2F..%2Fauth.py").status_code == 404
    plain = httpx.get(site[0] + "/sparql")                       # a client without text/html
    assert plain.status_code == 400


@pytest.mark.parametrize("fmt,ctype", [("rdf+xml", "application/rdf+xml"), ("n3", "text/n3"),
                                       ("RDFXML", "application/rdf+xml"), ("json-ld", "application/ld+json")])
def test_format_names_clients_send(site, fmt, ctype):
    q = "CONSTRUCT WHERE { ?s a ?t } LIMIT 3"
    r = httpx.get(site[0] + "/sparql", params={"query": q, "format": fmt})
    assert r.status_code == 200 and r.headers["content-type"].startswith(ctype), r.text


def test_sparqlwrapper_rdfxml_and_n3(site):
    from SPARQLWrapper import N3, RDFXML, SPARQLWrapper
    for fmt in (RDFXML, N3):
        w = SPARQLWrapper(site[0] + "/sparql")
        w.setQuery("CONSTRUCT WHERE { ?s a ?t }")
        w.setReturnFormat(fmt)
        assert len(w.queryAndConvert()) > 0


def test_full_graph_download_is_not_row_capped(site):
    r = httpx.get(site[0] + "/data/plangraph.trig", timeout=60)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/trig")
    assert len(list(ox.parse(r.content, ox.RdfFormat.TRIG))) == len(plan_quads()) > site[1].sparql_max_rows
    assert httpx.get(site[0] + "/data/plangraph.exe").status_code == 404


def test_errors_are_chinese_first_and_keep_the_parser_text(site):
    r = httpx.get(site[0] + "/sparql", params={"query": "SELECT * WHERE { ?s ?p }"})
    assert r.status_code == 400 and r.text.startswith("查询语法错误") and "error at 1:" in r.text


def test_without_a_network_barrier_the_endpoint_fails_closed_and_says_so(tmp_path, cfg, capfd):
    """Workers that can hold neither barrier (both switched off here): every query 503,
    /healthz says SPARQL is unavailable, start-up prints a warning."""
    import web.http.server
    store = write_store(tmp_path / "kg" / "store", plan_quads())
    graph = KnowledgeGraph(store)
    c = cfg.replace(data_dir=tmp_path)
    sparql.attach_engine(graph, sparql.SparqlEngine("dir", tmp_path / "kg" / "store",
                                                    barriers=()))
    app = web.http.server.create_app(FakeWorkspace(c, graph), c, blocks=blocks_fake())
    with live_server(app) as url:
        r = httpx.get(url + "/sparql", params={"query": "ASK {}"})
        health = httpx.get(url + "/healthz").json()["sparql"]
    assert r.status_code == 503 and "cannot be cut off from the network" in r.text
    assert health["available"] is False and health["network_isolated"] is False
    assert "SPARQL is unavailable" in capfd.readouterr().err
