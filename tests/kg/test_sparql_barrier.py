"""The network barrier of the SPARQL workers (issue 13 §1): SERVICE cannot reach the network
whatever the guard's tokenizer makes of the query, and the engine fails closed when workers
hold no barrier. The network namespace is switched off here (as on hosts without unprivileged
user namespaces), so only the seccomp filter stands between a query and the listener."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import QueryError
from kg import sparql
from kg.sparql.guard import QueryInfo
from tests.web.sparql_fixtures import plan_quads, write_store

ATTACK = "SELECT * WHERE {{ FILTER(1<2)SERVICE#>)\n<{url}>{{?x ?y ?z}} }}"


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("barrier") / "store"
    write_store(path, plan_quads())
    return path


@pytest.fixture(scope="module")
def seccomp_only(store_dir):
    with sparql.SparqlEngine("dir", store_dir, barriers=("seccomp",)) as eng:
        yield eng


def _bypass(query: str) -> QueryInfo:
    """What the guard would say about a harmless SELECT: hands the query to the engine as is."""
    return QueryInfo("SELECT", False, len(query.encode("utf-8", "surrogatepass")))


def test_the_tokenizer_ambiguity_is_real_and_the_barrier_stops_it(seccomp_only, listener, cfg):
    query = ATTACK.format(url=listener.url)
    try:
        sparql.guard(query, cfg)
        guarded = False                     # the lexical guard alone reads it as an IRI
    except QueryError:
        guarded = True
    with pytest.raises(QueryError) as e:
        seccomp_only.run(query, cfg, _bypass(query))
    assert e.value.status == 403 and "SERVICE" in str(e.value)
    assert seccomp_only.barriers == {"netns": False, "seccomp": True}
    assert guarded in (True, False)         # either way nothing left the worker (listener)


def test_service_silent_is_stopped_too_and_the_engine_recovers(seccomp_only, listener, cfg):
    query = f"SELECT * WHERE {{ BIND(1 AS ?x) SERVICE SILENT <{listener.url}> {{ ?a ?b ?c }} }}"
    with pytest.raises(QueryError) as e:
        seccomp_only.run(query, cfg, _bypass(query))
    assert e.value.status == 403
    res = seccomp_only.run("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", cfg.replace(
        sparql_timeout_s=30.0))
    assert int(res.rows()[0]["n"].value) == len(plan_quads())


def test_without_any_barrier_the_engine_refuses_every_query(store_dir, cfg):
    with sparql.SparqlEngine("dir", store_dir, barriers=()) as eng:
        with pytest.raises(QueryError) as e:
            eng.run("ASK {}", cfg)
        assert e.value.status == 503 and "cannot be cut off from the network" in str(e.value)
        assert eng.status()["available"] is False and eng.isolated is False
        with pytest.raises(QueryError):     # and keeps refusing
            eng.run("ASK {}", cfg)


# ---- property: SERVICE hidden every way we know, against the engine itself -------------------
KEYWORD = st.sampled_from(["SERVICE", "service", "SeRvIcE", "SERVICE SILENT", "service silent",
                           "\\u0053ERVICE", "SERV\\u0049CE SILENT"])        # escapes: 400
ENDPOINT = st.sampled_from(["{url}", "{url}?\\u0078=1", "{url}#frag"])
BEFORE = st.sampled_from(["", "FILTER(1<2)", "FILTER(?x<3)", "BIND(1<2 AS ?b) ", "?s ?p ?o . ",
                          "FILTER(\"<\" != \">\")", "# <\n", "#'\n", "OPTIONAL { ?s ?p ?o } "])
GAP = st.sampled_from([" ", "#>)\n", "\t", "\n", "# SERVICE <x> {\n", "#\"\n", "\r\n"])
WRAP = st.sampled_from(["{}", "{{ {} }}", "OPTIONAL {{ {} }}", "{{ }} UNION {{ {} }}",
                        "{{ {{ {{ {} }} }} }}", "MINUS {{ ?q ?r ?t }} {}"])


@st.composite
def hidden_service(draw, url: str) -> str:
    iri = draw(ENDPOINT).format(url=url)
    body = draw(KEYWORD) + draw(GAP) + f"<{iri}>" + draw(GAP) + "{ ?a ?b ?c }"
    inner = draw(BEFORE) + body
    return "SELECT * WHERE { BIND(1 AS ?x) " + draw(WRAP).format(inner) + " }"


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_hidden_service_never_reaches_the_network(seccomp_only, listener, cfg, data):
    query = data.draw(hidden_service(listener.url))
    for info in (None, _bypass(query)):          # through the guard, and around it
        try:
            if info is None:
                sparql.guard(query, cfg)
            seccomp_only.run(query, cfg.replace(sparql_timeout_s=30.0), info or _bypass(query))
        except QueryError as e:
            assert e.status in (400, 403), str(e)
    assert listener.received == []
