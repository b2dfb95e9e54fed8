"""Property tests of kg.sparql.guard: whatever the casing, comments, prefixes and whitespace,
no update operation and no SERVICE clause gets through; and on plain queries the guard's
classification agrees with rdflib's SPARQL parser (a reference implementation)."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import QueryError
from kg import sparql

SETTINGS = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])

UPDATES = [
    "INSERT DATA {{ <http://x/a> <http://x/b> {lit} }}",
    "DELETE DATA {{ <http://x/a> <http://x/b> {lit} }}",
    "DELETE WHERE {{ ?s ?p {lit} }}",
    "INSERT {{ ?s ?p {lit} }} WHERE {{ ?s ?p ?o }}",
    "DELETE {{ ?s ?p ?o }} INSERT {{ ?s ?p {lit} }} WHERE {{ ?s ?p ?o }}",
    "WITH <http://x/g> DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p {lit} }}",
    "LOAD <http://127.0.0.1:9/x.ttl>", "LOAD SILENT <http://x/y> INTO GRAPH <http://x/g>",
    "CLEAR ALL", "CLEAR SILENT GRAPH <http://x/g>", "DROP DEFAULT", "DROP NAMED",
    "CREATE GRAPH <http://x/g>", "ADD <http://x/a> TO <http://x/b>",
    "MOVE DEFAULT TO <http://x/b>", "COPY <http://x/a> TO DEFAULT",
]
SERVICES = [
    "SERVICE <http://127.0.0.1:9/sparql> {{ ?s ?p {lit} }}",
    "SERVICE SILENT <http://127.0.0.1:9/sparql> {{ ?s ?p {lit} }}",
    "SERVICE ?endpoint {{ ?s ?p {lit} }}",
    "SERVICE:{{ ?s ?p {lit} }}",
    "SERVICE ex:end {{ ?s ?p {lit} }}",
    "BIND(<http://x/e> AS ?e) SERVICE ?e {{ ?s ?p {lit} }}",
]
LITERALS = ["1", "'SERVICE'", '"INSERT DATA"', "'''DROP ALL'''", "<http://x/service>",
            "?service", "ex:delete", '"# not a comment"']
CONSTANTS = ("1", "'SERVICE'", '"INSERT DATA"', "'''DROP ALL'''", "<http://x/service>",
             '"# not a comment"')
KEYWORDS = ["SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "WHERE", "PREFIX", "SERVICE", "SILENT",
            "INSERT", "DELETE", "DATA", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE",
            "COPY", "WITH", "INTO", "GRAPH", "DEFAULT", "NAMED", "ALL", "TO", "BIND", "AS"]


def _recase(draw, text: str) -> str:
    """Random casing of the keywords (SPARQL keywords are case-insensitive)."""
    for kw in KEYWORDS:
        if kw in text:
            flips = draw(st.lists(st.booleans(), min_size=len(kw), max_size=len(kw)))
            text = text.replace(kw, "".join(c.lower() if f else c for c, f in zip(kw, flips)))
    return text


gaps = st.lists(st.sampled_from([" ", "\n", "\t", "\r\n", " # SELECT * WHERE { } \n",
                                 "#SERVICE\n", "  "]), min_size=1, max_size=3).map("".join)
prologue = st.lists(st.sampled_from(["PREFIX ex: <http://x/>", "prefix select: <http://y/>",
                                     "BASE <http://b/>", "PREFIX : <http://z/#>"]),
                    max_size=3).map(" \n".join)


@st.composite
def update_requests(draw, smuggle: bool = True, literals: tuple = tuple(LITERALS)) -> str:
    op = draw(st.sampled_from(UPDATES)).format(lit=draw(st.sampled_from(literals)))
    ops = [op] + ([draw(st.sampled_from(UPDATES)).format(lit="1")] if draw(st.booleans()) else [])
    body = (" ;" + draw(gaps)).join(ops)
    if smuggle and draw(st.booleans()):     # an update smuggled after a query
        body = "SELECT * WHERE { ?s ?p ?o } ;" + draw(gaps) + body
    return draw(prologue) + draw(gaps) + _recase(draw, body.replace(" ", draw(gaps), 2))


@st.composite
def service_queries(draw) -> str:
    clause = draw(st.sampled_from(SERVICES)).format(lit=draw(st.sampled_from(LITERALS)))
    lead = draw(st.sampled_from(["?s ?p ?o .", "?s ?p ?o", "", "OPTIONAL { ?s ?p ?o }",
                                 "FILTER(?o != 1)", "?s ?p true"]))
    # no glue after a variable: `?oSERVICE` is one variable for Oxigraph too, not a clause
    glue = draw(st.sampled_from([" ", "\n# c\n"] + ([""] if lead[-1:] in ".})e" else []))) \
        if lead else " "
    form = draw(st.sampled_from(["SELECT * WHERE", "ASK", "CONSTRUCT WHERE"]))
    return (draw(prologue) + draw(gaps) + _recase(draw, f"{form} {{ {lead}{glue}{clause} }}"))


@st.composite
def plain_queries(draw) -> tuple[str, str]:
    form = draw(st.sampled_from(["SELECT", "ASK", "CONSTRUCT", "DESCRIBE"]))
    lit = draw(st.sampled_from(LITERALS[:4] + ["<http://x/service>", '"""long ""SELECT"" """']))
    head = {"SELECT": "SELECT ?s WHERE", "ASK": "ASK", "CONSTRUCT": "CONSTRUCT { ?s ?p ?o } WHERE",
            "DESCRIBE": "DESCRIBE ?s WHERE"}[form]
    text = f"{head} {{ ?s ?p {lit} . ?s ?p ?o }}"
    return draw(prologue) + draw(gaps) + _recase(draw, text) + draw(gaps), form


@SETTINGS
@given(update_requests())
def test_sparql_guard_property_never_passes_an_update(cfg, query):
    with pytest.raises(QueryError) as e:
        sparql.guard(query, cfg)
    assert e.value.status == 403, (query, str(e.value))


@SETTINGS
@given(service_queries())
def test_sparql_guard_property_never_passes_service(cfg, query):
    with pytest.raises(QueryError) as e:
        sparql.guard(query, cfg)
    assert e.value.status == 403 and "SERVICE" in str(e.value), (query, str(e.value))


@SETTINGS
@given(plain_queries())
def test_sparql_guard_property_agrees_with_rdflib_on_query_form(cfg, case):
    from rdflib.plugins.sparql.parser import parseQuery
    query, form = case
    reference = parseQuery(query)[1].name            # e.g. "SelectQuery"
    assert reference == form.capitalize() + "Query"
    assert sparql.guard(query, cfg).form == form


@SETTINGS
@given(update_requests(smuggle=False, literals=CONSTANTS))
def test_sparql_guard_property_updates_are_updates_for_rdflib(cfg, query):
    """The generator makes real updates (rdflib parses them as updates, not as queries), so
    the 403s above are refusals of valid update requests, not of garbage."""
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
    parseUpdate(query)
    with pytest.raises(Exception):
        parseQuery(query)
    with pytest.raises(QueryError):
        sparql.guard(query, cfg)
