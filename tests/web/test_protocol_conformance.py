"""W3C SPARQL 1.1 Protocol tests (../shared/conformance/sparql11-protocol-manifest.ttl) against
the real /sparql endpoint on a loopback port.

Every manifest entry is either encoded below as a concrete request with its expected outcome
(CASES, keyed by the test's IRI in the manifest) or listed in NOT_APPLICABLE with the reason.
A test checks each encoded request against the manifest's own description of it (method,
path and parameters, content type, body, expected status, boolean and format), so the table
cannot drift from the suite. The dataset the query tests expect — graphs data1..3.rdf, each
saying `<dataN.rdf> a foaf:Document` — is the one the suite's update tests insert.
"""
from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Optional
from urllib.parse import parse_qsl, quote, urlsplit

import httpx
import pyoxigraph as ox
import pytest
from fastapi import FastAPI

from kg import sparql
from kg.store import KnowledgeGraph
from tests.web.sparql_fixtures import live_server, write_store

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = ROOT.parent / "shared" / "conformance" / "sparql11-protocol-manifest.ttl"
BASE = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/protocol/manifest#"
DATA = "http://kasei.us/2009/09/sparql/data/data{}.rdf"
FOAF_DOCUMENT = "http://xmlns.com/foaf/0.1/Document"
FORM, DIRECT, UPDATE = ("application/x-www-form-urlencoded", "application/sparql-query",
                        "application/sparql-update")
FORMAT_TYPES = {  # mf:expectedFormat -> acceptable media types (from the manifest's test names)
    "boolean": {"application/sparql-results+json", "application/sparql-results+xml"},
    "tabular": {"application/sparql-results+json", "application/sparql-results+xml",
                "text/csv", "text/tab-separated-values"},
    "RDF": {"application/rdf+xml", "text/turtle", "application/n-triples", "text/html"}}


def _path(*params: tuple[str, str]) -> str:
    return "/sparql/" + ("?" + "&".join(f"{k}={quote(v, safe='')}" for k, v in params)
                         if params else "")


D0, D1, D2, D3 = (("default-graph-uri", DATA.format(i)) for i in range(4))
N1, N2 = (("named-graph-uri", DATA.format(i)) for i in (1, 2))
ASK_D1_D2 = f"ASK {{ <{DATA.format(1)}> a ?type . <{DATA.format(2)}> a ?type . }}"
ASK_G1_G2 = (f"ASK {{ GRAPH ?g1 {{ <{DATA.format(1)}> a ?type }} "
             f"GRAPH ?g2 {{ <{DATA.format(2)}> a ?type }} }}")


@dataclass(frozen=True)
class Case:
    method: str
    path: str
    content_type: Optional[str]
    body: Optional[str]
    status: str                          # "2xx" or "4xx"
    boolean: Optional[bool] = None
    format: Optional[str] = None         # boolean | tabular | RDF


def ok(method: str, path: str, ctype: Optional[str] = None, body: Optional[str] = None,
       boolean: Optional[bool] = None, fmt: Optional[str] = None) -> Case:
    return Case(method, path, ctype, body, "2xx", boolean, fmt)


def bad(method: str, path: str, ctype: Optional[str] = None, body: Optional[str] = None) -> Case:
    return Case(method, path, ctype, body, "4xx")


CASES: dict[str, Case] = {
    "query_post_form": ok("POST", _path(D0), FORM, "query=ASK%20%7B%7D", True, "boolean"),
    "query_dataset_default_graphs_get": ok("GET", _path(("query", ASK_D1_D2), D1, D2),
                                           boolean=True, fmt="boolean"),
    "query_dataset_default_graphs_post": ok("POST", _path(D1, D2), DIRECT, ASK_D1_D2, True, "boolean"),
    "query_dataset_named_graphs_post": ok("POST", _path(N1, N2), DIRECT, ASK_G1_G2, True, "boolean"),
    "query_dataset_named_graphs_get": ok("GET", _path(("query", ASK_G1_G2), N1, N2),
                                         boolean=True, fmt="boolean"),
    "query_dataset_full": ok("POST", _path(D3, N1, N2), DIRECT,
                             f"ASK {{\n  <{DATA.format(3)}> a ?type\n"
                             f"  GRAPH ?g1 {{ <{DATA.format(1)}> a ?type }}\n"
                             f"  GRAPH ?g2 {{ <{DATA.format(2)}> a ?type }}\n}}", True, "boolean"),
    "query_multiple_dataset": ok("POST", _path(N1, N2), DIRECT,
                                 ASK_G1_G2.replace("ASK {", f"ASK FROM <{DATA.format(3)}> {{", 1),
                                 True, "boolean"),
    "query_get": ok("GET", _path(("query", "ASK {}"), D0), boolean=True, fmt="boolean"),
    "query_content_type_select": ok("POST", _path(D0), DIRECT, "SELECT (1 AS ?value) {}",
                                    fmt="tabular"),
    "query_content_type_ask": ok("POST", _path(D0), DIRECT, "ASK {}", fmt="boolean"),
    "query_content_type_describe": ok("POST", _path(D0), DIRECT, "DESCRIBE <http://example.org/>",
                                      fmt="RDF"),
    "query_content_type_construct": ok("POST", _path(D0), DIRECT, "CONSTRUCT { <s> <p> 1 } WHERE {}",
                                       fmt="RDF"),
    "query_post_direct": ok("POST", _path(), DIRECT, "ASK {}", True, "boolean"),
    "bad_query_method": bad("PUT", _path(("query", "ASK {}"), D0), FORM),
    "bad_multiple_queries": bad("GET", _path(("query", "ASK {}"), ("query", "SELECT * {}"))),
    "bad_query_wrong_media_type": bad("POST", _path(), "text/plain", "ASK {}"),
    "bad_query_missing_form_type": bad("POST", _path(), None, "query=ASK%20%7B%7D"),
    "bad_query_missing_direct_type": bad("POST", _path(), None, "ASK {}"),
    "bad_query_non_utf8": bad("POST", _path(), DIRECT + "; charset=UTF-16", "ASK {}"),
    "bad_query_syntax": bad("GET", _path(("query", "ASK {"))),
    "bad_update_get": bad("GET", _path(("update", "CLEAR ALL"))),
    "bad_multiple_updates": bad("POST", _path(), FORM, "update=CLEAR%20NAMED&update=CLEAR%20DEFAULT"),
    "bad_update_wrong_media_type": bad("POST", _path(), "text/plain", "CLEAR NAMED"),
    "bad_update_missing_form_type": bad("POST", _path(), None, "update=CLEAR%20NAMED"),
    "bad_update_non_utf8": bad("POST", _path(), UPDATE + "; charset=UTF-16", "CLEAR NAMED"),
    "bad_update_syntax": bad("POST", _path(), FORM, "update=CLEAR%20XYZ"),
    "bad_update_dataset_conflict": bad(
        "POST", _path(("using-named-graph-uri", "http://example/people")), UPDATE,
        "PREFIX foaf:  <http://xmlns.com/foaf/0.1/>\nWITH <http://example/addresses>\n"
        "DELETE { ?person foaf:givenName 'Bill' }\nINSERT { ?person foaf:givenName 'William' }\n"
        "WHERE {\n    ?person foaf:givenName 'Bill'\n}"),
}

READ_ONLY = ("expects a successful SPARQL Update; /sparql is read-only by design (DESIGN §9), "
             "so the request is refused with 403 instead (checked below)")
NOT_APPLICABLE = {name: READ_ONLY for name in (
    "update_dataset_default_graph", "update_dataset_default_graphs", "update_dataset_named_graphs",
    "update_dataset_full", "update_post_form", "update_post_direct", "update_base_uri")}


# ---- the manifest ------------------------------------------------------------------------------
def _manifest() -> dict[str, dict]:
    """Test local name -> first request of the test, as the manifest describes it."""
    if not MANIFEST.is_file():
        pytest.skip(f"W3C protocol manifest not found at {MANIFEST} (shared/ is not beside the repo)")
    import rdflib
    from rdflib.collection import Collection
    from rdflib.namespace import RDF
    mf = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
    ht = rdflib.Namespace("http://www.w3.org/2011/http#")
    cnt = rdflib.Namespace("http://www.w3.org/2011/content#")
    g = rdflib.Graph().parse(MANIFEST, format="turtle")
    out = {}
    for entry in Collection(g, g.value(next(g.subjects(RDF.type, mf.Manifest)), mf.entries)):
        req = next(iter(Collection(g, g.value(g.value(entry, mf.action), ht.requests))))
        headers = g.value(req, ht.headers)
        ctypes = [str(g.value(h, ht.fieldValue)) for h in (Collection(g, headers) if headers else [])
                  if str(g.value(h, ht.fieldName)).lower() == "content-type"]
        body = g.value(g.value(req, ht.body), cnt.chars) if g.value(req, ht.body) else None
        resp = g.value(req, ht.resp)
        statuses = {str(s).rsplit("#StatusCode", 1)[1].lower() for s in g.objects(resp, mf.expectedStatus)}
        boolean = g.value(resp, mf.expectedBoolean)
        fmt = g.value(resp, mf.expectedFormat)
        out[str(entry).removeprefix(BASE)] = {
            "method": str(g.value(req, ht.methodName)), "path": str(g.value(req, ht.absolutePath)),
            "content_type": ctypes[0] if ctypes else None,
            "body": str(body) if body is not None else None,
            "status": "2xx" if "2xx" in statuses else "4xx",
            "boolean": boolean.toPython() if boolean is not None else None,
            "format": str(fmt) if fmt is not None else None}
    return out


def _params(path: str) -> tuple[str, list[tuple[str, str]]]:
    parts = urlsplit(path)
    return parts.path, sorted(parse_qsl(parts.query, keep_blank_values=True))


def test_protocol_conformance_every_manifest_test_is_covered_or_not_applicable():
    names = set(_manifest())
    assert names == set(CASES) | set(NOT_APPLICABLE), (names ^ (set(CASES) | set(NOT_APPLICABLE)))
    assert not set(CASES) & set(NOT_APPLICABLE)


@pytest.mark.parametrize("name", sorted(CASES))
def test_protocol_conformance_table_matches_manifest(name):
    m, c = _manifest()[name], CASES[name]
    assert (c.method, c.content_type, c.body, c.status, c.boolean, c.format) == (
        m["method"], m["content_type"], m["body"], m["status"], m["boolean"], m["format"])
    assert _params(c.path) == _params(m["path"])


# ---- the endpoint ------------------------------------------------------------------------------
@pytest.fixture(scope="module", params=["embedded", "oxigraph", "virtuoso"])
def endpoint(request, tmp_path_factory):
    """/sparql over the embedded store, and proxying to a real Oxigraph server or Virtuoso 7
    holding the same graphs (cfg.graph_store a URL)."""
    from core.config import load_config
    from web.http.sparql import make_router
    data = tmp_path_factory.mktemp("w3c") / "data"
    quads = [ox.Quad(ox.NamedNode(DATA.format(i)),
                     ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                     ox.NamedNode(FOAF_DOCUMENT), ox.NamedNode(DATA.format(i))) for i in (1, 2, 3)]
    cfg = load_config({"data_dir": data}, env={})
    with contextlib.ExitStack() as stack:
        if request.param == "embedded":
            graph = KnowledgeGraph(write_store(data / "kg" / "store", quads))
        else:
            from kg.graphstore import StoreClient
            from kg.remote import RemoteGraph
            from tests.kg.stores import oxigraph_server
            if request.param == "virtuoso":
                server = request.getfixturevalue("virtuoso_session")
                server.clear()
            else:
                server = stack.enter_context(oxigraph_server(data.parent / "oxigraph"))
            client = StoreClient(server.query, server.update, server.auth)
            for q in quads:
                client.put_graph(q.graph_name.value, ox.serialize([q.triple], format=ox.RdfFormat.N_TRIPLES))
            graph = RemoteGraph(client, [DATA.format(i) for i in (1, 2, 3)])
        app = FastAPI()
        app.include_router(make_router(lambda: sparql.engine_for(graph, cfg), cfg))
        with live_server(app) as url:
            yield url
        sparql.engine_for(graph).close()


def _send(url: str, case: Case) -> httpx.Response:
    headers = {"Content-Type": case.content_type} if case.content_type else {}
    body = case.body.encode("utf-8") if case.body is not None else None
    return httpx.request(case.method, url + case.path, headers=headers, content=body, timeout=30)


def _boolean(r: httpx.Response) -> bool:
    ctype = r.headers["content-type"].split(";")[0]
    if ctype == "application/sparql-results+json":
        return json.loads(r.text)["boolean"]
    return bool(ox.parse_query_results(r.content, ox.QueryResultsFormat.XML))


@pytest.mark.parametrize("name", sorted(CASES))
def test_protocol_conformance(endpoint, name):
    case = CASES[name]
    r = _send(endpoint, case)
    assert f"{r.status_code // 100}xx" == case.status, (r.status_code, r.text)
    if case.format:
        assert r.headers["content-type"].split(";")[0] in FORMAT_TYPES[case.format]
    if case.boolean is not None:
        assert _boolean(r) is case.boolean


@pytest.mark.parametrize("name", sorted(NOT_APPLICABLE))
def test_protocol_conformance_update_tests_are_refused(endpoint, name):
    """The update tests' requests get 403, and the dataset is unchanged afterwards."""
    m = _manifest()[name]
    case = Case(m["method"], m["path"], m["content_type"], m["body"], "4xx")
    r = _send(endpoint, case)
    assert r.status_code == 403 and "read-only" in r.text
    count = httpx.get(endpoint + "/sparql", params={
        "query": f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s a <{FOAF_DOCUMENT}> }}"}).json()
    assert count["results"]["bindings"][0]["n"]["value"] == "3"
