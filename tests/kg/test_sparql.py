"""kg.sparql: the guard (classification and refusals) and the engine (worker processes over a
real temporary pyoxigraph store: datasets, timeouts, row cap, formats, nothing fetched)."""
from __future__ import annotations

import csv
import gc
import io
import json
import time
import weakref

import pyoxigraph as ox
import pytest

from core.errors import QueryError
from kg import sparql
from kg.store import KnowledgeGraph
from tests.web.sparql_fixtures import BULK, GRAPH, PG, Listener, plan_quads, write_store

P = f"PREFIX pg: <{PG}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
CROSS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def kgraph(tmp_path_factory):
    """A KnowledgeGraph over an on-disk store at <data>/kg/store (what kg.load opens)."""
    data = tmp_path_factory.mktemp("sparql") / "data"
    graph = KnowledgeGraph(write_store(data / "kg" / "store", plan_quads()))
    yield graph, data
    sparql.engine_for(graph).close()


@pytest.fixture
def scfg(cfg, kgraph):
    return cfg.replace(data_dir=kgraph[1], sparql_timeout_s=5.0)


def _count(graph, scfg) -> int:
    return int(sparql.execute(graph, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
                              scfg).rows()[0]["n"].value)


# ---- guard ---------------------------------------------------------------------------------
@pytest.mark.parametrize("query,form", [
    ("SELECT * WHERE { ?s ?p ?o }", "SELECT"),
    ("  # comment ASK\n prefix ex: <http://x/> base <http://b/> ask { ?s ex:p ?o }", "ASK"),
    ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "CONSTRUCT"),
    ("describe <http://example.org/>", "DESCRIBE"),
    ("PREFIX insert: <http://x/> SELECT ?delete WHERE { ?delete insert:load 'CLEAR ALL' }", "SELECT"),
])
def test_sparql_guard_classifies_query_forms(cfg, query, form):
    assert sparql.guard(query, cfg).form == form


@pytest.mark.parametrize("query", [
    "INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }",
    "PREFIX ex: <http://x/>\n# a comment\n  dElEtE WHERE { ?s ex:p ?o }",
    "LOAD <http://127.0.0.1:9/data.ttl>", "clear all", "DROP GRAPH <http://x/g>",
    "CREATE GRAPH <http://x/g>", "ADD DEFAULT TO <http://x/g>", "MOVE <http://x/a> TO <http://x/b>",
    "COPY DEFAULT TO <http://x/g>", "WITH <http://x/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "SELECT * WHERE { ?s ?p ?o } ; INSERT DATA { <http://x/a> <http://x/b> 1 }",
])
def test_sparql_guard_refuses_updates_with_403(cfg, query):
    with pytest.raises(QueryError, match="read-only") as e:
        sparql.guard(query, cfg)
    assert e.value.status == 403


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <http://x/sparql> { ?s ?p ?o } }",
    "select * where { service silent ?endpoint { ?s ?p ?o } }",
    "PREFIX : <http://x/> SELECT * WHERE { SERVICE:{ ?s ?p ?o } }",       # measured: Oxigraph calls :
    "PREFIX ex: <http://x/> SELECT * WHERE { SERVICEex:a{ ?s ?p ?o } }",   # ... and ex:a
    "SELECT * WHERE { ?s ?p trueSERVICE<http://x/>{ ?a ?b ?c } }",         # ... after `true`
    "SELECT * WHERE { ?s ?p ?o.SERVICE<http://x/>{ ?a ?b ?c } }",
    "SELECT * WHERE { \\u0053ERVICE <http://x/> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o # comment\nSERVICE <http://x/> { } }",
])
def test_sparql_guard_refuses_service_spellings_with_403(cfg, query):
    with pytest.raises(QueryError, match="SERVICE") as e:
        sparql.guard(query, cfg)
    assert e.value.status == 403


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { ?s ?p 'SERVICE <http://x/> { }' }",
    'SELECT * WHERE { ?s ?p """long\nSERVICE <http://x/> {}""" }',
    "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://x/> { }",
    "SELECT ?service WHERE { ?service <http://x/service> ?o }",
    "PREFIX schema: <http://schema.org/> SELECT * WHERE { ?s a schema:Service }",
    "SELECT * WHERE { ?s ?p 'x\\u0022 SERVICE' }",
])
def test_sparql_guard_allows_service_inside_strings_iris_comments_and_names(cfg, query):
    assert sparql.guard(query, cfg).form == "SELECT"


def test_sparql_guard_refuses_oversized_query_with_413(cfg):
    small = cfg.replace(sparql_max_query_bytes=100)
    query = "SELECT * WHERE { ?s ?p '" + "长" * 40 + "' }"      # 40 chars, 120 bytes
    with pytest.raises(QueryError, match="too large") as e:
        sparql.guard(query, small)
    assert e.value.status == 413


@pytest.mark.parametrize("query,fragment", [
    ("SELECT * WHERE { ?s ?p 'open }", "unterminated string at line 1, column 24"),
    ("ASK {", "never closed"),
    ("SELECT * WHERE { ?s ?p ?o ) }", "unexpected ')'"),
    ("FOO { ?s ?p ?o }", "expected SELECT, ASK, CONSTRUCT or DESCRIBE"),
    ("# nothing but a comment", "found the end of the query"),
])
def test_sparql_guard_reports_malformed_query_with_400(cfg, query, fragment):
    with pytest.raises(QueryError, match="malformed|empty") as e:
        sparql.guard(query, cfg)
    assert e.value.status == 400 and fragment in str(e.value)


def test_sparql_guard_notes_dataset_clause(cfg):
    assert sparql.guard("SELECT * FROM <http://x/g> WHERE { ?s ?p ?o }", cfg).has_dataset
    assert not sparql.guard("SELECT * WHERE { ?s <http://x/from> ?o }", cfg).has_dataset


def test_sparql_oxigraph_expands_unicode_escapes_only_inside_tokens():
    """The guard checks both readings; this pins the one Oxigraph has today."""
    store = ox.Store()
    with pytest.raises(SyntaxError):
        store.query("\\u0053ELECT * WHERE { ?s ?p ?o }")
    assert list(store.query("SELECT * WHERE { VALUES ?x { '\\u0053' } }"))[0]["x"].value == "S"


# ---- engine ----------------------------------------------------------------------------------
def test_sparql_execute_default_graph_is_union_of_plan_graphs(kgraph, scfg):
    res = sparql.execute(kgraph[0], P + "SELECT ?v WHERE { ?t a pg:Target ; pg:targetValue ?v } "
                         "ORDER BY ?v", scfg)
    assert [r["v"].value for r in res.rows()] == ["60", "65"]
    assert sparql.engine_for(kgraph[0]).mode == "dir"


def test_sparql_execute_protocol_dataset_replaces_union(kgraph, scfg):
    q = P + "SELECT ?v WHERE { ?t pg:targetValue ?v }"
    only_a = sparql.execute(kgraph[0], q, scfg, default_graph_uris=[GRAPH + "plan-a"])
    assert [r["v"].value for r in only_a.rows()] == ["65"]
    named = sparql.execute(kgraph[0], P + "SELECT ?g WHERE { GRAPH ?g { ?t pg:targetValue ?v } }",
                           scfg, named_graph_uris=[GRAPH + "plan-b"])
    assert [r["g"].value for r in named.rows()] == [GRAPH + "plan-b"]


def test_sparql_execute_from_names_store_graphs_and_fetches_nothing(kgraph, scfg):
    listener = Listener()
    try:
        q = (P + f"SELECT ?v FROM <{GRAPH}plan-b> FROM <{listener.url}> FROM NAMED <{listener.url}/n> "
             "WHERE { ?t pg:targetValue ?v }")
        res = sparql.execute(kgraph[0], q, scfg, default_graph_uris=None)
        assert [r["v"].value for r in res.rows()] == ["60"]
        sparql.execute(kgraph[0], "ASK { ?s ?p ?o }", scfg, default_graph_uris=[listener.url])
    finally:
        listener.close()
    assert listener.received == []


def test_sparql_execute_refuses_service_and_the_endpoint_hears_nothing(kgraph, scfg):
    listener = Listener()
    try:
        with pytest.raises(QueryError) as e:
            sparql.execute(kgraph[0], f"SELECT * WHERE {{ ?s ?p ?o SERVICE <{listener.url}> "
                                      "{ ?s ?p ?x } }", scfg)
        assert e.value.status == 403
        engine = sparql.engine_for(kgraph[0])
        if engine.isolated:       # second layer: a worker without network, guard bypassed
            info = sparql.QueryInfo("SELECT", False, 0)
            with pytest.raises(QueryError):
                engine.run(f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}",
                           scfg, info)
    finally:
        listener.close()
    assert listener.received == []


def test_sparql_execute_malformed_query_carries_oxigraph_message(kgraph, scfg):
    with pytest.raises(QueryError, match=r"malformed query: error at 1:\d+") as e:
        sparql.execute(kgraph[0], "SELECT * WHERE { ?s ?p }", scfg)
    assert e.value.status == 400


def test_sparql_execute_timeout_kills_the_query(kgraph, scfg):
    quick = scfg.replace(sparql_timeout_s=0.5)
    t0 = time.monotonic()
    with pytest.raises(QueryError, match="longer than the 0.5 s limit") as e:
        sparql.execute(kgraph[0], CROSS, quick)
    assert e.value.status == 503
    assert time.monotonic() - t0 < 3.0
    assert _count(kgraph[0], scfg) == len(plan_quads())       # the engine still answers


def test_sparql_execute_row_cap_truncates_with_notice(kgraph, scfg):
    capped = scfg.replace(sparql_max_rows=7)
    res = sparql.execute(kgraph[0], "SELECT * WHERE { ?s ?p ?o }", capped)
    assert (res.count, res.truncated, len(res.rows())) == (7, "rows", 7)
    assert "truncated to the first 7 rows" in res.notice
    graph = sparql.execute(kgraph[0], "CONSTRUCT WHERE { ?s ?p ?o }", capped)
    assert (graph.count, graph.truncated, len(graph.triples())) == (7, "rows", 7)
    whole = sparql.execute(kgraph[0], "SELECT * WHERE { ?s a ?t }", capped)
    assert not whole.truncated and whole.notice == ""


def test_sparql_engine_store_is_read_only_even_without_guard(kgraph, scfg):
    before = _count(kgraph[0], scfg)
    engine = sparql.engine_for(kgraph[0])
    with pytest.raises(QueryError):
        engine.run("INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }", scfg,
                   sparql.QueryInfo("SELECT", False, 0))
    assert _count(kgraph[0], scfg) == before == len(plan_quads())


def test_sparql_engine_loads_a_dump_of_an_in_memory_store(cfg):
    store = ox.Store()
    store.extend(plan_quads()[:9])
    with sparql.SparqlEngine.for_store(store) as engine:
        assert engine.mode == "dump"
        res = engine.run("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", cfg)
        assert res.rows()[0]["n"].value == "9"


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_sparql_run_to_text_select_formats(kgraph, scfg, fmt):
    q = P + "SELECT ?t ?label WHERE { ?t a pg:Target ; rdfs:label ?label } ORDER BY ?t"
    body, ctype = sparql.run_to_text(kgraph[0], q, scfg, fmt)
    assert ctype.split(";")[0] == {"json": "application/sparql-results+json",
                                   "xml": "application/sparql-results+xml", "csv": "text/csv",
                                   "tsv": "text/tab-separated-values"}[fmt]
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(body)))
        assert rows[0] == ["t", "label"] and rows[1][1].startswith("甲市: 回收利用率 65%\t")
    else:
        qf = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML,
              "tsv": ox.QueryResultsFormat.TSV}[fmt]
        sols = list(ox.parse_query_results(body, qf))
        assert [s["label"].value for s in sols] == ["甲市: 回收利用率 65%\t\"引号\"",
                                                   "乙市: 回收利用率 60%\t\"引号\""]


@pytest.mark.parametrize("fmt,rdf", [("turtle", ox.RdfFormat.TURTLE),
                                     ("n-triples", ox.RdfFormat.N_TRIPLES),
                                     ("json-ld", ox.RdfFormat.JSON_LD),
                                     ("rdf-xml", ox.RdfFormat.RDF_XML)])
def test_sparql_run_to_text_graph_formats(kgraph, scfg, fmt, rdf):
    q = P + "CONSTRUCT { ?t pg:targetValue ?v } WHERE { ?t pg:targetValue ?v }"
    body, ctype = sparql.run_to_text(kgraph[0], q, scfg, fmt)
    assert ctype.split(";")[0] == rdf.media_type.split(";")[0]
    values = sorted(quad.object.value for quad in ox.parse(body.encode(), rdf))
    assert values == ["60", "65"]


def test_sparql_run_to_text_defaults_to_tsv_and_turtle(kgraph, scfg):
    assert sparql.run_to_text(kgraph[0], "ASK { ?s ?p ?o }", scfg)[1].startswith(
        "text/tab-separated-values")
    assert sparql.run_to_text(kgraph[0], "DESCRIBE <http://nowhere/>", scfg)[1].startswith(
        "text/turtle")


def test_sparql_run_to_text_ask_json_is_boolean(kgraph, scfg):
    body, _ = sparql.run_to_text(kgraph[0], P + "ASK { ?t a pg:Plan }", scfg, "json")
    assert json.loads(body)["boolean"] is True


def test_sparql_run_to_text_rejects_format_of_other_form(kgraph, scfg):
    with pytest.raises(QueryError, match="does not apply to SELECT") as e:
        sparql.run_to_text(kgraph[0], "SELECT * WHERE { ?s ?p ?o }", scfg, "turtle")
    assert e.value.status == 400


def test_sparql_bulk_graph_present_for_timeouts(kgraph, scfg):
    res = sparql.execute(kgraph[0], f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH}bulk> "
                         "{ ?s ?p ?o } }", scfg)
    assert int(res.rows()[0]["n"].value) == BULK


def test_one_engine_per_graph_dropped_with_the_graph(cfg):
    """engine_for keeps one engine per graph (the UI and /sparql share its workers) without
    writing onto the graph, and lets it go with the graph."""
    store = ox.Store()
    store.extend(plan_quads()[:9])
    graph = KnowledgeGraph(store)
    assert sparql.running_engine(graph) is None          # never started by asking
    before = dict(vars(graph))
    eng = sparql.engine_for(graph, cfg)
    assert sparql.engine_for(graph, cfg) is eng and sparql.running_engine(graph) is eng
    assert vars(graph).keys() == before.keys()
    closed = []
    watch = weakref.finalize(eng, closed.append, True)
    del graph, eng
    gc.collect()
    assert closed == [True] and not watch.alive
