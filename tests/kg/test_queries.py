"""kg/queries/*.rq: every analyst query is documented, runs over the union graph, returns rows."""
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode

QUERIES = sorted((Path(__file__).resolve().parents[2] / "kg" / "queries").glob("*.rq"))


def test_queries_at_least_twelve():
    assert len(QUERIES) >= 12


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
def test_queries_header_comments(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# title: ") and len(lines[0]) > len("# title: ") + 1
    assert lines[1].startswith("# description: ")


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
def test_queries_return_well_formed_rows(path, real_graph):
    res = real_graph.store.query(path.read_text(encoding="utf-8"), use_default_graph_as_union=True)
    names = [v.value for v in res.variables]
    rows = list(res)
    assert rows, f"{path.name} returned no rows"
    for row in rows:
        values = [row[n] for n in names]
        assert any(v is not None for v in values)
        assert all(v is None or isinstance(v, (Literal, NamedNode)) for v in values)


def test_queries_baselines_fall_back_to_the_same_plans_status_value():
    """A target without its own baseline shows the status value of the same indicator in the
    same plan (never another plan's); a target with its own baseline keeps it; the change is
    target − baseline as numbers."""
    from pyoxigraph import Store
    path = next(p for p in QUERIES if p.stem.startswith("11_"))
    pg, rdfs, skos = ("https://w3id.org/plangraph/ns#", "http://www.w3.org/2000/01/rdf-schema#",
                      "http://www.w3.org/2004/02/skos/core#")
    ttl = f"""
    @prefix pg: <{pg}> . @prefix rdfs: <{rdfs}> . @prefix skos: <{skos}> . @prefix : <urn:x:> .
    :A rdfs:label "甲规划" . :B rdfs:label "乙规划" . :i skos:prefLabel "污水处理率" .
    :j skos:prefLabel "绿地率" .
    :t1 a pg:Target ; pg:valueKind "target" ; pg:indicator :i ; pg:plan :A ; pg:target "98%" ;
        pg:targetValue 98.0 ; pg:unitCode "%" .
    :a1 a pg:Target ; pg:valueKind "status" ; pg:indicator :i ; pg:plan :A ; pg:baseline "95%" ;
        pg:baselineValue 95.5 ; pg:unitCode "%" .
    :a2 a pg:Target ; pg:valueKind "status" ; pg:indicator :i ; pg:plan :B ; pg:baseline "90%" .
    :t2 a pg:Target ; pg:valueKind "target" ; pg:indicator :j ; pg:plan :B ; pg:target "40%" ;
        pg:baseline "38%" ; pg:targetValue 40.0 ; pg:baselineValue 38.0 ; pg:unitCode "%" .
    :a3 a pg:Target ; pg:valueKind "baseline" ; pg:indicator :j ; pg:plan :B ; pg:baseline "37%" .
    """
    store = Store()
    store.load(ttl.encode("utf-8"), "text/turtle")
    res = store.query(path.read_text(encoding="utf-8"))
    rows = {(r["plan"].value, r["indicator"].value, r["baseline"].value, r["target"].value,
             float(r["change"].value)) for r in res}
    assert rows == {("甲规划", "污水处理率", "95%", "98%", 2.5), ("乙规划", "绿地率", "38%", "40%", 2.0)}


def test_queries_mentions_of_district_picks_a_district_even_when_an_indicator_is_mentioned_more():
    """07 lists the passages of the most mentioned district: counting every mentioned resource
    (indicators too) returned nothing on a corpus of many plans, where an indicator led."""
    from pyoxigraph import Quad, Store
    pg, rdf, rdfs = ("https://w3id.org/plangraph/ns#", "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
                     "http://www.w3.org/2000/01/rdf-schema#")
    n = NamedNode
    st = Store()
    d, ind = n("urn:x:district"), n("urn:x:indicator")
    st.add(Quad(d, n(rdf + "type"), n(pg + "District")))
    st.add(Quad(d, n(rdfs + "label"), Literal("某区", language="zh")))
    for i in range(5):
        p = n(f"urn:x:passage{i}")
        st.add(Quad(p, n(pg + "text"), Literal(f"段落{i}")))
        st.add(Quad(p, n(pg + "mentions"), ind))
        if i < 2:
            st.add(Quad(p, n(pg + "mentions"), d))
    path = next(p for p in QUERIES if p.stem.startswith("07_"))
    rows = list(st.query(path.read_text(encoding="utf-8"), use_default_graph_as_union=True))
    assert {r["passage"].value for r in rows} == {"urn:x:passage0", "urn:x:passage1"}
