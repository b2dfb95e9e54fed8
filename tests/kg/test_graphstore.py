"""The graph in a SPARQL server (cfg.graph_store a URL): the push by Graph Store Protocol, the
build marker, the reader and the /sparql proxy, against a real Oxigraph server and a real
Virtuoso 7 on loopback (fixture graph_server)."""
from __future__ import annotations

import os
import subprocess
import sys
import time

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kg
from core.errors import GraphStoreError, QueryError
from kg import sparql
from kg.graphstore import StoreClient
from kg.publish import publish
from kg.remote import MARKER, RemoteGraph, store_build
from kg.sparql.remote import RemoteEngine
from kg.store import KnowledgeGraph
from tests.kg.test_sparql_barrier import ATTACK, hidden_service
from tests.web.sparql_fixtures import GRAPH, ID, free_port, plan_quads

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def _store(quads) -> ox.Store:
    s = ox.Store()
    s.extend(quads)
    return s


def _client(server) -> StoreClient:
    return StoreClient(server.query, server.update, server.auth)


@pytest.fixture
def pushed(graph_server):
    """The plan-like test graph pushed as build b1; (server, client, local store)."""
    local = _store(plan_quads())
    client = _client(graph_server)
    publish(client, local, "b1")
    return graph_server, client, local


def _graphs(local: ox.Store) -> list[str]:
    return sorted(g.value for g in local.named_graphs())


def test_graphstore_publish_sends_every_graph_whole_and_the_marker(pushed):
    server, client, local = pushed
    for g in _graphs(local):
        assert server.count(g) == len(list(local.quads_for_pattern(None, None, None, ox.NamedNode(g))))
    held, hashes = store_build(client)
    assert held == "b1" and sorted(hashes) == _graphs(local)
    assert server.count(MARKER) == 1 + 2 * len(hashes)


def test_graphstore_publish_sends_only_the_graphs_that_changed(pushed):
    server, client, local = pushed
    again = publish(client, local, "b2")
    assert again.sent == [] and len(again.unchanged) == 4 and store_build(client)[0] == "b2"
    changed = _store([q for q in plan_quads() if q.graph_name.value != GRAPH + "plan-a"] +
                     [ox.Quad(ox.NamedNode(ID + "plan-b"), ox.NamedNode(ID + "p"),
                              ox.Literal("new"), ox.NamedNode(GRAPH + "plan-b"))])
    rep = publish(client, changed, "b3")
    assert rep.sent == [GRAPH + "plan-b"] and rep.deleted == [GRAPH + "plan-a"]
    assert server.count(GRAPH + "plan-a") == 0
    assert server.ask(f'ASK {{ GRAPH <{GRAPH}plan-b> {{ ?s ?p "new" }} }}')


def test_graphstore_a_failed_put_leaves_the_previous_graph(pushed):
    server, client, local = pushed
    before = server.count(GRAPH + "plan-a")
    broken = b"<http://a> <http://b> <http://c> .\n<http://a> <http://b> \"unterminated .\n"
    with pytest.raises(GraphStoreError) as e:
        client.put_graph(GRAPH + "plan-a", broken)
    assert "\n" not in str(e.value)
    assert server.count(GRAPH + "plan-a") == before


def test_graphstore_a_push_failing_midway_keeps_the_previous_build(pushed, monkeypatch):
    server, client, local = pushed
    changed = _store([ox.Quad(q.subject, q.predicate, ox.Literal("v2"), q.graph_name)
                      if q.graph_name.value.endswith(("plan-a", "plan-b")) else q
                      for q in plan_quads()])
    sent = []
    real_put = client.put_graph

    def put_once(iri, data):                 # the store goes away after one graph
        if sent:
            raise GraphStoreError(f"graph store {client.update_url} cannot be reached")
        sent.append(iri)
        real_put(iri, data)
    monkeypatch.setattr(client, "put_graph", put_once)
    with pytest.raises(GraphStoreError):
        publish(client, changed, "b2")
    assert sent == [GRAPH + "plan-a"]
    assert server.ask(f'ASK {{ GRAPH <{GRAPH}plan-a> {{ ?s ?p "v2" }} }}')
    assert not server.ask(f'ASK {{ GRAPH <{GRAPH}plan-b> {{ ?s ?p "v2" }} }}')   # previous graph
    assert store_build(client)[0] == "b1"                                     # previous marker
    monkeypatch.undo()
    rep = publish(client, changed, "b2")
    assert set(rep.sent) == {GRAPH + "plan-a", GRAPH + "plan-b"} and store_build(client)[0] == "b2"


def _break_marker(client: StoreClient) -> dict[str, str]:
    """Write a marker naming two builds (as two pushes interleaved could leave it); the
    graphs it names."""
    _held, hashes = store_build(client)
    pg = "https://w3id.org/plangraph/ns#"
    lines = [f'<{MARKER}> <{pg}buildId> "{b}" .' for b in ("b1", "b0")]
    lines += [f'<{MARKER}> <{pg}namedGraph> <{g}> .\n<{g}> <{pg}contentHash> "{h}" .'
              for g, h in hashes.items()]
    client.put_graph(MARKER, "\n".join(lines).encode() + b"\n")
    with pytest.raises(GraphStoreError) as e:
        store_build(client)
    assert "--force" in str(e.value)
    return hashes


def test_graphstore_force_repairs_a_marker_naming_several_builds(pushed):
    server, client, local = pushed
    _break_marker(client)
    with pytest.raises(GraphStoreError):
        publish(client, local, "b2")
    rep = publish(client, local, "b2", force=True)
    assert rep.sent == _graphs(local) and rep.unchanged == []       # every graph sent again
    held, hashes = store_build(client)
    assert held == "b2" and sorted(hashes) == _graphs(local)
    assert server.count(MARKER) == 1 + 2 * len(hashes)


@pytest.mark.slow
def test_graphstore_build_force_repairs_the_store(tmp_path, cfg):
    """`app.py build` refuses a store whose marker names several builds and says to use
    --force; `build --force` reads that marker anyway, replaces every graph (removing the
    ones the marker names that this build lacks) and writes one marker."""
    import pipeline
    from tests.kg.stores import oxigraph_server
    with oxigraph_server(tmp_path / "ox") as server, _client(server) as client:
        publish(client, _store(plan_quads()), "b1")
        _break_marker(client)
        c = cfg.replace(graph_store=server.query, graph_store_update=server.update,
                        graph_store_dataset=server.dataset)
        with pytest.raises(GraphStoreError) as e:
            pipeline.build(c, progress=lambda m: None)
        assert "--force" in str(e.value) and "\n" not in str(e.value)
        assert not (c.data_dir / "kg").exists()
        pipeline.build(c, force=True, progress=lambda m: None)
        held, hashes = store_build(client)
        assert held == pipeline.Workspace(c).manifest["build_id"]
        assert hashes and not any(g.startswith(GRAPH + "plan-") for g in hashes)
        assert server.count(GRAPH + "plan-a") == 0
        assert pipeline.is_stale(c) is None


def test_graphstore_remote_graph_reads_what_the_embedded_graph_reads(pushed):
    server, client, local = pushed
    remote, embedded = RemoteGraph(client, _graphs(local)), KnowledgeGraph(local)
    assert len(remote) == len(embedded) == len(plan_quads())
    assert kg.triple_count(remote) == kg.triple_count(embedded)     # the UI header's count
    iri = ID + "plan-a/target/1"
    assert sorted(remote.neighbourhood(iri)) == sorted(embedded.neighbourhood(iri))
    assert remote.labels() == embedded.labels()


def test_graphstore_proxy_answers_like_the_embedded_engine(pushed, cfg):
    server, client, local = pushed
    eng = RemoteEngine(client, _graphs(local), cfg)
    q = "SELECT ?t ?v WHERE { ?t <https://w3id.org/plangraph/ns#targetValue> ?v } ORDER BY ?t"
    res = eng.run(q, cfg)
    assert res.count == 2 and [str(r["v"].value) for r in res.rows()] == ["65", "60"]
    body, ctype = res.serialize("csv")
    assert ctype.startswith("text/csv") and b"65" in body
    assert eng.run("ASK { ?s ?p ?o }", cfg).boolean is True
    graph = eng.run(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{GRAPH}plan-a> {{ ?s ?p ?o }} }}", cfg)
    assert graph.count == 7 and graph.serialize("turtle")[0].count(b"plan-a") >= 1
    # the default graph is the union of the build's graphs: no marker, nothing else
    assert eng.run(f"ASK {{ <{MARKER}> ?p ?o }}", cfg).boolean is False
    only_a = RemoteEngine(client, [GRAPH + "plan-a"], cfg)
    assert only_a.run("SELECT * { ?s ?p ?o }", cfg).count == 7


def test_graphstore_proxy_cuts_rows_and_bytes_with_the_notice(pushed, cfg):
    server, client, local = pushed
    eng = RemoteEngine(client, _graphs(local), cfg)
    res = eng.run("SELECT * { ?s ?p ?o }", cfg.replace(sparql_max_rows=10))
    assert res.count == 10 and res.truncated == "rows" and "sparql_max_rows" in res.notice
    body, _ = res.serialize("json")
    assert body.startswith(b'{"notice":')
    res = eng.run("SELECT * { ?s ?p ?o }", cfg.replace(sparql_max_result_bytes=2000))
    assert res.truncated == "bytes" and 0 < len(res.payload) <= 2000


def test_graphstore_proxy_enforces_the_time_limit(pushed, cfg):
    server, client, local = pushed
    eng = RemoteEngine(client, _graphs(local), cfg)
    short = cfg.replace(sparql_timeout_s=1.0, sparql_fast_lane_s=0.5)
    t0 = time.monotonic()
    with pytest.raises(QueryError) as e:
        eng.run(SLOW, short)
    assert e.value.status == 503 and "sparql_timeout_s" in str(e.value)
    assert time.monotonic() - t0 < 5            # cut by us, not by the store
    assert eng.run("ASK {}", short).boolean is True   # the engine keeps answering


@pytest.mark.parametrize("query", [
    ATTACK.replace("{{", "{").replace("}}", "}"), "SELECT * WHERE { ?s ?p 'self-service' }", "SELECT * { ?s ?p ?o } # service",
    "SELECT * WHERE { \\u0053ERVICE <http://x/> { ?s ?p ?o } }",
    "INSERT DATA { <http://a> <http://b> <http://c> }", "LOAD <http://x/>", "CLEAR ALL"])
def test_graphstore_guard_refuses_before_anything_reaches_the_store(listener, cfg, query):
    """The store's URL is a listener: a refused query never connects to it."""
    eng = RemoteEngine(StoreClient(listener.url), [GRAPH + "plan-a"], cfg)
    with pytest.raises(QueryError) as e:
        sparql.execute(eng, query.replace("{url}", listener.url), cfg)
    assert e.value.status in (400, 403)


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_graphstore_hidden_service_never_leaves_the_store(pushed_module, listener, cfg, data):
    """Queries the guard's tokenizer may misread, sent around the guard to the real store: the
    store never calls out (each is refused before it is sent)."""
    server, client, graphs = pushed_module
    eng = RemoteEngine(client, graphs, cfg)
    query = data.draw(hidden_service(listener.url))
    with pytest.raises(QueryError) as e:
        eng.run(query, cfg, sparql.QueryInfo("SELECT", False, len(query)))
    assert e.value.status == 403
    assert listener.received == []


@pytest.fixture(scope="module")
def pushed_module(tmp_path_factory):
    from tests.kg.stores import oxigraph_server
    with oxigraph_server(tmp_path_factory.mktemp("ox") / "db") as server:
        client = _client(server)
        local = _store(plan_quads())
        publish(client, local, "b1")
        yield server, client, _graphs(local)


def _app(args, env, tmp_path):
    full = {k: v for k, v in os.environ.items() if not k.startswith("PLANGRAPH_")}
    full.update(env, PLANGRAPH_DATA=str(tmp_path / "data"))
    return subprocess.run([sys.executable, os.path.join(ROOT, "app.py"), *args], env=full,
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)


def test_graphstore_unreachable_store_is_one_line_and_touches_nothing(tmp_path):
    url = f"http://127.0.0.1:{free_port()}"
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "keep.txt").write_text("previous")
    env = {"PLANGRAPH_GRAPH_STORE": url + "/query", "PLANGRAPH_GRAPH_STORE_UPDATE": url + "/store"}
    r = _app(["build", "--force"], env, tmp_path)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.count("\n") == 1 and "cannot be reached" in r.stderr and url in r.stderr
    assert os.listdir(tmp_path / "data") == ["keep.txt"]
    r = _app(["build"], {"PLANGRAPH_GRAPH_STORE": url + "/query"}, tmp_path)
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "graph_store_update" in r.stderr
    for args in (["sparql", "ASK {}"], ["ask", "绍兴的垃圾回收利用率目标是多少?"]):
        r = _app(args, env, tmp_path)
        assert r.returncode == 2 and r.stderr.count("\n") == 1 and url in r.stderr, r.stderr
        assert os.listdir(tmp_path / "data") == ["keep.txt"]


def test_graphstore_the_query_url_itself_refuses_updates(pushed):
    """Second line of defence, as deployed: the store's query URL is read-only (Oxigraph's
    /query; Virtuoso's anonymous /sparql, whose SPARQL user lacks SPARQL_UPDATE)."""
    import httpx
    server, client, local = pushed
    before = server.count()
    for body in ({"update": f"CLEAR GRAPH <{GRAPH}plan-a>"},
                 {"query": f"CLEAR GRAPH <{GRAPH}plan-a>"},
                 {"query": f"INSERT DATA {{ GRAPH <{GRAPH}plan-a> {{ <http://a> <http://b> 1 }} }}"}):
        r = httpx.post(server.query, data=body, timeout=30)
        assert r.status_code >= 400
    assert server.count() == before


def test_graphstore_the_stores_own_limits_are_said_not_hidden(tmp_path, cfg):
    """Virtuoso cuts answers at ResultSetMaxRows silently but for a header, and stops queries
    at MaxQueryExecutionTime: the reader refuses a cut view, the proxy says the result was cut
    by the store, and the store's timeout is a 503 like ours."""
    from tests.kg.stores import virtuoso_server
    with virtuoso_server(tmp_path / "v", max_rows=5, max_s=1) as server:
        client = _client(server)
        local = _store(plan_quads())
        publish(client, local, "b1")
        with pytest.raises(GraphStoreError) as e:
            RemoteGraph(client, _graphs(local))
        assert "ResultSetMaxRows" in str(e.value)
        eng = RemoteEngine(client, _graphs(local), cfg)
        res = eng.run("SELECT * { ?s ?p ?o }", cfg)
        assert res.count == 5 and res.truncated == "store" and "graph store" in res.notice
        with pytest.raises(QueryError) as e:
            eng.run(SLOW, cfg)
        assert e.value.status == 503


def test_graphstore_union_mode_sends_no_dataset_and_hides_the_marker(tmp_path, cfg):
    """graph_store_dataset = "union" (oxigraph --union-default-graph): the same rows without
    naming the graphs; the reader's own GRAPH patterns leave the marker graph out."""
    from tests.kg.stores import oxigraph_server
    with oxigraph_server(tmp_path / "ox", union=True) as server:
        client, local = _client(server), _store(plan_quads())
        publish(client, local, "b1")
        union = RemoteGraph(client, _graphs(local), union=True)
        assert union.dataset is None and len(union) == len(plan_quads())
        iri = ID + "plan-a/target/1"
        assert sorted(union.neighbourhood(iri)) == sorted(KnowledgeGraph(local).neighbourhood(iri))
        q = "SELECT ?t ?v WHERE { ?t <https://w3id.org/plangraph/ns#targetValue> ?v }"
        rows = RemoteEngine(client, union.dataset, cfg).run(q, cfg).rows()
        assert sorted(str(r["v"].value) for r in rows) == ["60", "65"]


def test_graphstore_a_dataset_of_many_graphs_is_read(pushed, cfg):
    """150 plans' graphs named in the dataset (Virtuoso echoes each as a response header, past
    http.client's limit of 100 header lines): the answer is still read."""
    server, client, local = pushed
    graphs = _graphs(local) + [f"{GRAPH}absent-{i}" for i in range(150)]
    res = RemoteEngine(client, graphs, cfg).run("SELECT * { ?s a ?type }", cfg)
    assert res.count == 5          # the shared indicator, a plan and a target in each of two plans
    assert len(RemoteGraph(client, graphs)) == len(plan_quads())
