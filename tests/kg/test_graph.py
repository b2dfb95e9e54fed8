"""The RDF graph: SHACL validation, provenance round trip, stable IRIs, named graphs."""
import pyshacl
import rdflib
from pyoxigraph import NamedNode

import kg
from kg.model import GRAPH
from tests.kg.conftest import make_corpus, snippet

SHAPES = kg.rdf.ONTOLOGY.parent / "shapes.ttl"


def _snippet_corpus():
    text = "\n".join(snippet(n) for n in ("targets_text.txt", "table_key.txt", "regulations.txt",
                                          "districts.txt", "projects_text.txt", "orgs.txt"))
    return make_corpus({"sx": ("绍兴", text), "hz": ("杭州", snippet("districts_hz.txt"))})


def test_graph_conforms_to_shapes(tmp_path):
    g = kg.build_graph(_snippet_corpus())
    kg.save(g, tmp_path)
    data = rdflib.Graph().parse(tmp_path / "graph.ttl", format="turtle")
    ok, _, report = pyshacl.validate(data, shacl_graph=rdflib.Graph().parse(SHAPES), inference="none")
    assert ok, report


def test_graph_named_graph_per_plan_and_shared():
    g = kg.build_graph(_snippet_corpus())
    names = {n.value for n in g.store.named_graphs()}
    assert {GRAPH + "sx", GRAPH + "hz", GRAPH + "shared"} <= names
    shared = NamedNode(GRAPH + "shared")
    assert list(g.store.quads_for_pattern(None, None, None, shared))


def test_graph_iris_stable_across_rebuilds():
    a, b = kg.build_graph(_snippet_corpus()), kg.build_graph(_snippet_corpus())
    assert {t.iri for t in a.targets()} == {t.iri for t in b.targets()}
    assert {t.indicator_iri for t in a.targets()} == {t.indicator_iri for t in b.targets()}
    assert len(a.store) == len(b.store)


def test_graph_provenance_round_trip(real_graph, corpus):
    """Every resource's passage offsets slice the raw file to the passage text."""
    q = """PREFIX pg: <https://w3id.org/plangraph/ns#> PREFIX prov: <http://www.w3.org/ns/prov#>
      SELECT DISTINCT ?p ?text ?s ?e ?doc WHERE { ?x prov:wasDerivedFrom ?p . ?p pg:text ?text ;
      pg:start ?s ; pg:end ?e ; pg:plan/<http://purl.org/dc/terms/identifier> ?doc }"""
    rows = list(real_graph.store.query(q, use_default_graph_as_union=True))
    assert rows
    for r in rows:
        raw = corpus.raw(r["doc"].value)
        assert raw[int(r["s"].value):int(r["e"].value)] == r["text"].value


def test_graph_evidence_spans_inside_passages(real_graph, corpus):
    for t in real_graph.targets():
        assert t.start <= t.evidence_start < t.evidence_end <= t.end
    for r in real_graph.regulations():
        assert corpus.raw(r.doc_id)[r.start:r.end] == r.title


def test_graph_district_mentions_answer_one_query(real_graph):
    q = """PREFIX pg: <https://w3id.org/plangraph/ns#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
      SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?d rdfs:label "柯桥区"@zh . ?p pg:mentions ?d }"""
    n = int(next(iter(real_graph.store.query(q, use_default_graph_as_union=True)))["n"].value)
    assert n >= 3


def test_real_graph_conforms_to_shapes(real_graph, tmp_path):
    kg.save(real_graph, tmp_path)
    data = rdflib.Graph().parse(tmp_path / "graph.ttl", format="turtle")
    ok, _, report = pyshacl.validate(data, shacl_graph=rdflib.Graph().parse(SHAPES), inference="none")
    assert ok, report


def test_shapes_reject_a_review_value_stated_as_target():
    """The shapes can fail: a status value carrying a target, a literal bindingness."""
    ttl = """@prefix pg: <https://w3id.org/plangraph/ns#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    <urn:t> a pg:Target ; pg:valueKind "status" ; pg:target "80%" ; pg:bindingness "约束性" ."""
    data = rdflib.Graph().parse(data=ttl, format="turtle")
    ok, graph, _ = pyshacl.validate(data, shacl_graph=rdflib.Graph().parse(SHAPES), inference="none")
    assert not ok
    paths = {str(o) for o in graph.objects(None, rdflib.URIRef("http://www.w3.org/ns/shacl#resultPath"))}
    assert "https://w3id.org/plangraph/ns#bindingness" in paths
    focus = {str(o) for o in graph.objects(None, rdflib.URIRef("http://www.w3.org/ns/shacl#sourceShape"))}
    assert "https://w3id.org/plangraph/ns#ForwardTargetShape" in focus
