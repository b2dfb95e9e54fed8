"""The /sparql endpoint served for real (uvicorn on a loopback port) over a temporary store:
protocol forms, result formats, CORS, refusals (update, SERVICE, malformed, oversized,
timeout), the row-cap notice, and SPARQLWrapper as a standard client."""
from __future__ import annotations

import time

import httpx
import pyoxigraph as ox
import pytest
from fastapi import FastAPI

from kg import sparql
from kg.store import KnowledgeGraph
from tests.web.sparql_fixtures import GRAPH, PG, Listener, live_server, plan_quads, write_store

SELECT = f"PREFIX pg: <{PG}> SELECT ?t ?v WHERE {{ ?t pg:targetValue ?v }} ORDER BY ?v"
CONSTRUCT = f"PREFIX pg: <{PG}> CONSTRUCT {{ ?t pg:targetValue ?v }} WHERE {{ ?t pg:targetValue ?v }}"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory):
    """(base URL, cfg) of a live server whose app holds just the /sparql router."""
    from core.config import load_config
    from web.http.sparql import make_router
    data = tmp_path_factory.mktemp("http") / "data"
    graph = KnowledgeGraph(write_store(data / "kg" / "store", plan_quads()))
    cfg = load_config({"data_dir": data, "sparql_timeout_s": 1.0, "sparql_max_rows": 50,
                       "sparql_max_query_bytes": 2000}, env={})
    app = FastAPI()
    app.include_router(make_router(lambda: sparql.engine_for(graph, cfg), cfg))
    with live_server(app) as url:
        yield url + "/sparql", cfg
    sparql.engine_for(graph).close()


def _values(r: httpx.Response) -> list[str]:
    data = r.json()
    return [b["v"]["value"] for b in data["results"]["bindings"]]


def _count(url: str) -> int:
    r = httpx.get(url, params={"query": COUNT})
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def test_sparql_http_get(endpoint):
    r = httpx.get(endpoint[0], params={"query": SELECT})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/sparql-results+json"
    assert _values(r) == ["60", "65"]


def test_sparql_http_post_form(endpoint):
    r = httpx.post(endpoint[0], data={"query": SELECT})
    assert r.status_code == 200 and _values(r) == ["60", "65"]


def test_sparql_http_post_direct(endpoint):
    r = httpx.post(endpoint[0], content=SELECT.encode(),
                   headers={"Content-Type": "application/sparql-query; charset=utf-8"})
    assert r.status_code == 200 and _values(r) == ["60", "65"]


def test_sparql_http_dataset_parameters(endpoint):
    r = httpx.get(endpoint[0], params=[("query", SELECT), ("default-graph-uri", GRAPH + "plan-b")])
    assert _values(r) == ["60"]


@pytest.mark.parametrize("accept,ctype,fmt", [
    ("application/sparql-results+json", "application/sparql-results+json", ox.QueryResultsFormat.JSON),
    ("application/sparql-results+xml", "application/sparql-results+xml", ox.QueryResultsFormat.XML),
    ("text/tab-separated-values", "text/tab-separated-values", ox.QueryResultsFormat.TSV),
    ("text/csv", "text/csv", None),
])
def test_sparql_http_select_formats_by_accept(endpoint, accept, ctype, fmt):
    r = httpx.get(endpoint[0], params={"query": SELECT}, headers={"Accept": accept})
    assert r.status_code == 200 and r.headers["content-type"].split(";")[0] == ctype
    if fmt is None:
        assert r.text.splitlines()[0] == "t,v" and r.text.splitlines()[1].endswith(",60")
    else:
        assert [s["v"].value for s in ox.parse_query_results(r.content, fmt)] == ["60", "65"]


@pytest.mark.parametrize("accept,rdf", [
    ("text/turtle", ox.RdfFormat.TURTLE), ("application/ld+json", ox.RdfFormat.JSON_LD),
    ("application/n-triples", ox.RdfFormat.N_TRIPLES), ("application/rdf+xml", ox.RdfFormat.RDF_XML),
])
def test_sparql_http_construct_formats_by_accept(endpoint, accept, rdf):
    r = httpx.post(endpoint[0], data={"query": CONSTRUCT}, headers={"Accept": accept})
    assert r.status_code == 200 and r.headers["content-type"].split(";")[0] == accept
    assert sorted(q.object.value for q in ox.parse(r.content, rdf)) == ["60", "65"]


def test_sparql_http_format_parameter_overrides_accept(endpoint):
    r = httpx.get(endpoint[0], params={"query": SELECT, "format": "csv"},
                  headers={"Accept": "application/sparql-results+json"})
    assert r.headers["content-type"].startswith("text/csv")


def test_sparql_http_accept_with_quality_values(endpoint):
    r = httpx.get(endpoint[0], params={"query": SELECT},
                  headers={"Accept": "text/csv;q=0.5, application/sparql-results+xml;q=0.9, */*;q=0.1"})
    assert r.headers["content-type"] == "application/sparql-results+xml"


def test_sparql_http_unacceptable_accept_is_406(endpoint):
    r = httpx.get(endpoint[0], params={"query": SELECT}, headers={"Accept": "image/png"})
    assert r.status_code == 406 and "text/csv" in r.text


def test_sparql_http_cors_headers_and_preflight(endpoint):
    r = httpx.get(endpoint[0], params={"query": SELECT}, headers={"Origin": "https://elsewhere.example"})
    assert r.headers["access-control-allow-origin"] == "*"
    pre = httpx.options(endpoint[0], headers={"Origin": "https://elsewhere.example",
                                              "Access-Control-Request-Method": "POST",
                                              "Access-Control-Request-Headers": "content-type"})
    assert pre.status_code == 204
    assert pre.headers["access-control-allow-origin"] == "*"
    assert "POST" in pre.headers["access-control-allow-methods"]
    assert "content-type" in pre.headers["access-control-allow-headers"].lower()
    bad = httpx.get(endpoint[0], params={"query": "ASK {"})
    assert bad.headers["access-control-allow-origin"] == "*"


@pytest.mark.parametrize("how", ["direct", "form", "get"])
def test_sparql_http_update_refused_and_graph_unchanged(endpoint, how):
    url = endpoint[0]
    before = _count(url)
    update = f"DELETE WHERE {{ GRAPH <{GRAPH}plan-a> {{ ?s ?p ?o }} }}"
    if how == "direct":
        r = httpx.post(url, content=update, headers={"Content-Type": "application/sparql-update"})
    elif how == "form":
        r = httpx.post(url, data={"update": update})
    else:
        r = httpx.get(url, params={"update": update})
    assert r.status_code == 403 and "read-only" in r.text
    assert r.headers["content-type"].startswith("text/plain")
    assert _count(url) == before == len(plan_quads())


def test_sparql_http_update_as_query_refused(endpoint):
    r = httpx.post(endpoint[0], data={"query": "CLEAR ALL"})
    assert r.status_code == 403 and _count(endpoint[0]) == len(plan_quads())


def test_sparql_http_service_refused_and_endpoint_hears_nothing(endpoint):
    listener = Listener()
    try:
        for query, status in (
                (f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}", 403),
                (f"PREFIX : <{listener.url}> SELECT * WHERE {{ ?s ?p ?o . SERVICE:{{ ?s ?p ?x }} }}", 403),
                (f"SELECT * WHERE {{ ?s ?p ?o }} # SERVICE <{listener.url}> {{ }}", 200),
                (f"ASK FROM <{listener.url}> {{ ?s ?p ?o }}", 200)):
            r = httpx.get(endpoint[0], params={"query": query})
            assert r.status_code == status, r.text
        r = httpx.get(endpoint[0], params=[("query", "ASK { ?s ?p ?o }"),
                                           ("named-graph-uri", listener.url)])
        assert r.status_code == 200
    finally:
        listener.close()
    assert listener.received == []


def test_sparql_http_malformed_query_is_400_with_parser_message(endpoint):
    r = httpx.get(endpoint[0], params={"query": "SELECT * WHERE { ?s ?p }"})
    assert r.status_code == 400 and r.headers["content-type"].startswith("text/plain")
    assert "error at 1:" in r.text


def test_sparql_http_oversized_query_is_413(endpoint):
    big = "SELECT * WHERE { ?s ?p '" + "x" * 3000 + "' }"
    assert httpx.post(endpoint[0], data={"query": big}).status_code == 413
    huge = b"ASK { " + b" " * 20000 + b"}"
    r = httpx.post(endpoint[0], content=huge, headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 413


def test_sparql_http_timeout_is_a_clear_503(endpoint):
    t0 = time.monotonic()
    r = httpx.get(endpoint[0], params={
        "query": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"}, timeout=30)
    assert r.status_code == 503 and "ran longer than the 1 s limit" in r.text
    assert int(r.headers["retry-after"]) >= 1
    assert time.monotonic() - t0 < 4
    assert _count(endpoint[0]) == len(plan_quads())


def test_sparql_http_row_cap_notice(endpoint):
    r = httpx.get(endpoint[0], params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert r.status_code == 200 and len(r.json()["results"]["bindings"]) == 50
    assert "truncated to the first 50 rows" in r.headers["x-plangraph-notice"]
    assert "truncated to the first 50 rows" in r.json()["notice"]       # in the body too
    small = httpx.get(endpoint[0], params={"query": SELECT})
    assert "x-plangraph-notice" not in small.headers


@pytest.mark.parametrize("method,headers,body,status", [
    ("PUT", {}, b"", 405),
    ("POST", {"Content-Type": "text/plain"}, b"ASK {}", 415),
    ("POST", {}, b"query=ASK%20%7B%7D", 415),
    ("POST", {"Content-Type": "application/sparql-query; charset=UTF-16"}, "ASK {}".encode("utf-16"), 415),
    ("POST", {"Content-Type": "application/sparql-query"}, b"ASK { '\xff' }", 400),
])
def test_sparql_http_bad_requests(endpoint, method, headers, body, status):
    r = httpx.request(method, endpoint[0], headers=headers, content=body)
    assert r.status_code == status, r.text


def test_sparql_http_sparqlwrapper_select_json(endpoint):
    from SPARQLWrapper import JSON, SPARQLWrapper
    client = SPARQLWrapper(endpoint[0])
    client.setQuery(SELECT)
    client.setReturnFormat(JSON)
    data = client.query().convert()
    assert [b["v"]["value"] for b in data["results"]["bindings"]] == ["60", "65"]


def test_sparql_http_sparqlwrapper_construct(endpoint):
    from SPARQLWrapper import TURTLE, SPARQLWrapper
    for fmt in (None, TURTLE):             # default RDF/XML, then Turtle
        client = SPARQLWrapper(endpoint[0])
        client.setQuery(CONSTRUCT)
        if fmt:
            client.setReturnFormat(fmt)
        result = client.query().convert()
        text = result.decode() if isinstance(result, bytes) else result.serialize(format="nt")
        graph = ox.parse(text.encode(), ox.RdfFormat.TURTLE)
        assert sorted(q.object.value for q in graph) == ["60", "65"]


def test_sparql_http_latency_is_small(endpoint):
    """Warm round trips through HTTP, guard and a worker: p50 well under 50 ms."""
    with httpx.Client() as c:
        times = []
        for _ in range(20):
            t0 = time.perf_counter()
            assert c.get(endpoint[0], params={"query": SELECT}).status_code == 200
            times.append(time.perf_counter() - t0)
    assert sorted(times)[len(times) // 2] < 0.05
