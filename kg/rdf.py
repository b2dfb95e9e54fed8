"""RDF quads of the knowledge graph (DESIGN §6; terms documented in kg/ontology.ttl).

One named graph per plan <https://w3id.org/plangraph/graph/{doc_id}> holds the plan, its
passages and everything extracted from it; <https://w3id.org/plangraph/graph/shared> holds the
ontology, the indicator concepts (shared across plans) and the cities.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable, Iterator, Optional

from pyoxigraph import BlankNode, Literal, NamedNode, Quad, RdfFormat, parse

from core.types import Corpus, Passage, stable_id
from kg.model import (
    FORWARD_KINDS,
    GRAPH,
    ID,
    NS,
    District,
    Extraction,
    Indicator,
    Organization,
    Project,
    Regulation,
    Target,
)
from kg.topics import SCHEME as TOPIC_SCHEME
from kg.topics import scheme as topic_scheme

PG = NS + "ns#"
PREFIXES = {"pg": PG, "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
            "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
            "skos": "http://www.w3.org/2004/02/skos/core#", "prov": "http://www.w3.org/ns/prov#",
            "dcterms": "http://purl.org/dc/terms/", "xsd": "http://www.w3.org/2001/XMLSchema#",
            "qb": "http://purl.org/linked-data/cube#", "owl": "http://www.w3.org/2002/07/owl#",
            "id": ID}
ONTOLOGY = Path(__file__).resolve().parent / "ontology.ttl"
SHARED = NamedNode(GRAPH + "shared")


def term(prefixed: str) -> NamedNode:
    p, local = prefixed.split(":", 1)
    return NamedNode(PREFIXES[p] + local)


A = term("rdf:type")
LABEL = term("rdfs:label")
XSD_INT = term("xsd:integer")
XSD_DEC = term("xsd:decimal")


def zh(text: str) -> Literal:
    return Literal(text, language="zh")


def lit(v) -> Literal:
    if isinstance(v, bool):
        return Literal("true" if v else "false", datatype=term("xsd:boolean"))
    if isinstance(v, int):
        return Literal(str(v), datatype=XSD_INT)
    if isinstance(v, float):
        return Literal(format(v, "f").rstrip("0").rstrip(".") or "0", datatype=XSD_DEC)
    return Literal(str(v))


def plan_iri(doc_id: str) -> NamedNode:
    return NamedNode(f"{ID}plan/{doc_id}")


def city_iri(city: str) -> NamedNode:
    return NamedNode(f"{ID}city/{stable_id('city', city, n=16)}")


def passage_iri(pid: str) -> NamedNode:
    return NamedNode(f"{ID}passage/{pid}")


def graph_of(doc_id: str) -> NamedNode:
    return NamedNode(GRAPH + doc_id)


BINDINGNESS = {"约束性": "binding", "预期性": "expected"}
BINDINGNESS_LABEL = {v: k for k, v in BINDINGNESS.items()}


def bindingness_iri(b: Optional[str]) -> Optional[NamedNode]:
    code = BINDINGNESS.get(b or "")
    return NamedNode(f"{ID}bindingness/{code}") if code else None


def status_iri(code: str) -> Optional[NamedNode]:
    return NamedNode(f"{ID}status/{code}") if code else None


class _Writer:
    def __init__(self, graph: NamedNode):
        self.g = graph
        self.quads: list[Quad] = []

    def add(self, s, p: str, o) -> None:
        if o is None or o == "":
            return
        if not isinstance(o, (NamedNode, Literal, BlankNode)):
            o = lit(o)
        self.quads.append(Quad(s if isinstance(s, NamedNode) else NamedNode(s), term(p), o,
                               self.g))

    def common(self, s, cls: str, label: str, doc_id: str, passage_id: str) -> None:
        self.add(s, "rdf:type", term(cls))
        self.add(s, "rdfs:label", zh(label))
        self.add(s, "pg:plan", plan_iri(doc_id))
        if passage_id:
            self.add(s, "prov:wasDerivedFrom", passage_iri(passage_id))


def ontology_quads() -> list[Quad]:
    return [Quad(q.subject, q.predicate, q.object, SHARED)
            for q in parse(path=str(ONTOLOGY), format=RdfFormat.TURTLE)]


def shared_quads(indicators: Iterable[Indicator], cities: Iterable[str]) -> list[Quad]:
    w = _Writer(SHARED)
    scheme = NamedNode(ID + "scheme/indicators")
    w.add(scheme, "rdf:type", term("skos:ConceptScheme"))
    w.add(scheme, "rdfs:label", zh("规划指标"))
    for c in sorted(set(cities)):
        ci = city_iri(c)
        w.add(ci, "rdf:type", term("pg:City"))
        w.add(ci, "rdfs:label", zh(c))
    topics = topic_scheme()
    ts = NamedNode(TOPIC_SCHEME)
    w.add(ts, "rdf:type", term("skos:ConceptScheme"))
    w.add(ts, "rdfs:label", zh("城市管理主题"))
    w.add(ts, "rdfs:label", Literal("city-management topics", language="en"))
    for tp in topics.topics:
        c = NamedNode(tp.iri)
        w.add(c, "rdf:type", term("skos:Concept"))
        w.add(c, "skos:inScheme", ts)
        w.add(c, "skos:topConceptOf", ts)
        w.add(c, "skos:prefLabel", zh(tp.pref_label))
        w.add(c, "rdfs:label", zh(tp.pref_label))
        if tp.en_label:
            w.add(c, "skos:prefLabel", Literal(tp.en_label, language="en"))
            w.add(c, "rdfs:label", Literal(tp.en_label, language="en"))
        for a in tp.alt_labels:
            w.add(c, "skos:altLabel", zh(a))
        for cue in tp.cues:
            w.add(c, "pg:cue", zh(cue))
    for ind in indicators:
        s = NamedNode(ind.iri)
        for tp in ind.topics:
            w.add(s, "pg:topic", NamedNode(tp))
        w.add(s, "rdf:type", term("pg:Indicator"))
        w.add(s, "rdf:type", term("skos:Concept"))
        w.add(s, "skos:inScheme", scheme)
        w.add(s, "skos:prefLabel", zh(ind.pref_label))
        w.add(s, "rdfs:label", zh(ind.pref_label))
        for a in ind.alt_labels:
            w.add(s, "skos:altLabel", zh(a))
        w.add(s, "pg:category", ind.category)
    return w.quads


def _decimal(text: str) -> Optional[float]:
    m = re.search(r"\d+(?:\.\d+)?", text or "")
    return float(m.group(0)) if m else None


def plan_quads(corpus: Corpus, ex: Extraction, indicators_by_iri: dict[str, Indicator]) -> list[Quad]:
    doc = corpus.documents[ex.doc_id]
    w = _Writer(graph_of(doc.id))
    plan = plan_iri(doc.id)
    w.add(plan, "rdf:type", term("pg:Plan"))
    w.add(plan, "rdfs:label", zh(doc.title))
    w.add(plan, "dcterms:title", zh(doc.title))
    w.add(plan, "pg:city", city_iri(doc.city))
    w.add(plan, "dcterms:identifier", doc.id)
    if doc.meta.get("issued"):
        w.add(plan, "dcterms:issued", Literal(str(doc.meta["issued"]), datatype=term("xsd:date"))
              if re.fullmatch(r"\d{4}-\d\d-\d\d", str(doc.meta["issued"])) else str(doc.meta["issued"]))
    for pub in re.split(r"[;；,，、]", str(doc.meta.get("issuer", ""))):
        w.add(plan, "dcterms:publisher", pub.strip())
    w.add(plan, "pg:period", doc.meta.get("period", ""))
    used = _used_passages(ex)
    for p in corpus.passages:
        if p.doc_id == doc.id and p.id in used:
            _passage(w, p)
    for t in ex.targets:
        _target(w, t)
    for r in ex.regulations:
        _regulation(w, r)
    districts = {d.name: d for d in ex.districts}
    for d in ex.districts:
        _district(w, d)
    for pr in ex.projects:
        _project(w, pr, districts)
    for o in ex.organizations:
        _organization(w, o)
    for f in ex.facts:
        s = NamedNode(f.iri)
        w.common(s, "pg:SectionFact", f"{f.label} {f.text}", f.doc_id, f.passage_id)
        w.add(s, "pg:measure", f.measure)
        w.add(s, "pg:value", float(f.value))
        w.add(s, "pg:unitCode", f.unit_code)
        w.add(s, "pg:evidenceStart", int(f.start))
        w.add(s, "pg:evidenceEnd", int(f.end))
    for pid, tps in sorted(ex.passage_topics.items()):
        for tp in tps:
            w.add(passage_iri(pid), "pg:topic", NamedNode(tp))
    for pid, target_iri in sorted(set(ex.mentions)):
        w.add(passage_iri(pid), "pg:mentions", NamedNode(target_iri))
    return w.quads


def _used_passages(ex: Extraction) -> set[str]:
    used = {pid for pid, _ in ex.mentions}
    used.update(ex.passage_topics)
    for lst in (ex.targets, ex.regulations, ex.projects, ex.districts, ex.organizations, ex.facts):
        used.update(x.passage_id for x in lst if x.passage_id)
    return used


def _passage(w: _Writer, p: Passage) -> None:
    s = passage_iri(p.id)
    w.add(s, "rdf:type", term("pg:Passage"))
    w.add(s, "pg:text", p.text)
    w.add(s, "pg:start", p.start)
    w.add(s, "pg:end", p.end)
    w.add(s, "pg:plan", plan_iri(p.doc_id))
    w.add(s, "pg:passageKind", p.kind)
    w.add(s, "pg:sectionPath", p.section_path)
    w.add(s, "rdfs:label", zh(p.text[:40]))


def _target(w: _Writer, t: Target) -> None:
    s = NamedNode(t.iri)
    shown = t.target if t.value_kind in FORWARD_KINDS else t.baseline
    w.common(s, "pg:Target", f"{t.name_as_written} {shown or ''}".strip(), t.doc_id, t.passage_id)
    w.add(s, "pg:indicator", NamedNode(t.indicator_iri) if t.indicator_iri else None)
    w.add(s, "pg:nameAsWritten", zh(t.name_as_written))
    w.add(s, "pg:baseline", t.baseline)
    w.add(s, "pg:target", t.target)
    if t.value is not None:
        w.add(s, "pg:statedValue", float(t.value))
    if t.target_value is not None:
        w.add(s, "pg:targetValue", float(t.target_value))
    if t.baseline_value is not None:
        w.add(s, "pg:baselineValue", float(t.baseline_value))
    if t.value_max is not None:
        w.add(s, "pg:targetValueMax", float(t.value_max))
    w.add(s, "pg:unit", t.unit)
    w.add(s, "pg:unitCode", t.unit_code)
    w.add(s, "pg:comparator", t.comparator)
    w.add(s, "pg:baselineComparator", t.baseline_comparator)
    w.add(s, "pg:scope", zh(t.scope) if t.scope else None)
    for tp in t.topics:
        w.add(s, "pg:topic", NamedNode(tp))
    if t.year:
        w.add(s, "pg:year", int(t.year))
    w.add(s, "pg:period", t.period)
    w.add(s, "pg:bindingness", bindingness_iri(t.bindingness))
    w.add(s, "pg:valueKind", t.value_kind)
    w.add(s, "pg:category", t.category)
    w.add(s, "pg:approximate", bool(t.approximate))
    w.add(s, "pg:source", t.source)
    w.add(s, "pg:evidenceStart", int(t.evidence_start))
    w.add(s, "pg:evidenceEnd", int(t.evidence_end))


def _regulation(w: _Writer, r: Regulation) -> None:
    s = NamedNode(r.iri)
    w.common(s, "pg:Regulation", r.title, r.doc_id, r.passage_id)
    w.add(s, "dcterms:title", zh(r.title.strip("《》")))
    w.add(s, "pg:kind", r.kind)
    w.add(s, "pg:status", status_iri(r.status))
    for tp in r.topics:
        w.add(s, "pg:topic", NamedNode(tp))
    w.add(s, "pg:evidenceStart", int(r.start))
    w.add(s, "pg:evidenceEnd", int(r.end))


_ATTR = {"start": "pg:startPoint", "end": "pg:endPoint", "road": "pg:road",
         "length": "pg:length", "capacity": "pg:capacity", "investment": "pg:investment",
         "year": "pg:year"}


def _project(w: _Writer, pr: Project, districts: dict[str, District]) -> None:
    s = NamedNode(pr.iri)
    w.common(s, "pg:Project", pr.name, pr.doc_id, pr.passage_id)
    if pr.district:
        d = districts.get(pr.district)
        w.add(s, "pg:district", NamedNode(d.iri) if d else None)
        w.add(s, "pg:districtName", zh(pr.district))
    for k, v in sorted(pr.attributes.items()):
        if k in _ATTR and k != "year":
            w.add(s, _ATTR[k], str(v))
        elif k == "year" and re.fullmatch(r"\d{4}", str(v)):
            w.add(s, "pg:year", int(v))
        else:
            w.add(s, "pg:note", f"{k}: {v}")
    if pr.length_km is not None:
        w.add(s, "pg:lengthKm", float(pr.length_km))
    if pr.investment_yi is not None:
        w.add(s, "pg:investmentYi", float(pr.investment_yi))
    w.add(s, "pg:status", status_iri(pr.status))
    for tp in pr.topics:
        w.add(s, "pg:topic", NamedNode(tp))
    w.add(s, "pg:source", pr.source)
    w.add(s, "pg:evidenceStart", int(pr.start))
    w.add(s, "pg:evidenceEnd", int(pr.end))


def _district(w: _Writer, d: District) -> None:
    s = NamedNode(d.iri)
    w.common(s, "pg:District", d.name, d.doc_id, d.passage_id)
    w.add(s, "pg:level", d.level)
    w.add(s, "pg:role", d.role)
    w.add(s, "pg:city", city_iri(d.city))
    w.add(s, "pg:evidenceStart", int(d.start))
    w.add(s, "pg:evidenceEnd", int(d.end))


def _organization(w: _Writer, o: Organization) -> None:
    s = NamedNode(o.iri)
    w.common(s, "pg:Organization", o.name, o.doc_id, o.passage_id)
    w.add(s, "pg:role", o.role)
    w.add(s, "pg:evidenceStart", int(o.start))
    w.add(s, "pg:evidenceEnd", int(o.end))
    if o.role == "issuer":
        w.add(plan_iri(o.doc_id), "dcterms:publisher", s)


def all_quads(corpus: Corpus, extractions: list[Extraction],
              indicators: list[Indicator]) -> Iterator[Quad]:
    yield from ontology_quads()
    yield from shared_quads(indicators, [d.city for d in corpus.documents.values()])
    by_iri = {i.iri: i for i in indicators}
    for ex in extractions:
        yield from plan_quads(corpus, ex, by_iri)
