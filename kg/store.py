"""The KnowledgeGraph object: a pyoxigraph Store plus typed accessors kept in memory, and
save/load of the artifact folder.

Folder layout written by save():
  graph.ttl   Turtle of the union of all graphs, with prefixes (for exchange)
  graph.trig  the same with its named graphs (one per plan + shared)
  store/      pyoxigraph (RocksDB) store on disk — what load() opens, read-only
  meta.json   schema version, counts, alignment report
  views.pickle  the typed views (targets, indicators, …) as built, so that loading does not
              recompute them with SPARQL (at 100 plans: seconds); like every file of data/ it
              is checked against the manifest's sha256 before it is read
load() opens store/ with Store.read_only (so an `oxigraph serve-read-only` process may have
it open at the same time) and records it as graph.location (the SPARQL engine's workers open
the same folder); without store/ it parses graph.trig into memory (location None).
"""
from __future__ import annotations

import hashlib
import json
import logging
import pickle
import shutil
import time
from pathlib import Path
from typing import NamedTuple, Optional

from pyoxigraph import DefaultGraph, NamedNode, Quad, RdfFormat, Store

from core.artifacts import read_json
from core.errors import ArtifactError
from kg import model as _model
from kg.model import ID, District, Indicator, Organization, Project, Regulation, SectionFact, Target, Topic
from kg.rdf import PG, PREFIXES

log = logging.getLogger(__name__)

TOPIC_SCHEME = ID + "scheme/topics"

SCHEMA_VERSION = 2
VIEWS_FILE = "views.pickle"
# what _load_views computes; a snapshot holds exactly these
VIEW_ATTRS = ("_indicators", "_topics", "_topic_of", "_targets", "_regulations", "_districts",
              "_organizations", "_projects", "_facts", "_labels", "_types")


def views_fingerprint() -> str:
    """Changes whenever the typed view classes change shape: a snapshot written by other
    code is recomputed, never trusted."""
    shape = sorted((name, tuple(f for f in cls.__dataclass_fields__))
                   for name, cls in vars(_model).items() if hasattr(cls, "__dataclass_fields__"))
    return hashlib.sha256(repr((SCHEMA_VERSION, VIEW_ATTRS, shape)).encode()).hexdigest()[:16]
_P = "PREFIX pg: <%s> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> " \
     "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> " \
     "PREFIX prov: <http://www.w3.org/ns/prov#> " \
     "PREFIX dcterms: <http://purl.org/dc/terms/> " % PG


class Edge(NamedTuple):
    s: str
    p: str
    o: str
    s_label: str
    p_label: str
    o_label: str


def _v(term) -> Optional[str]:
    return None if term is None else term.value


def _rows(store: Store, query: str) -> list[dict]:
    res = store.query(_P + query, use_default_graph_as_union=True)
    names = [v.value for v in res.variables]
    return [{n: _v(row[n]) for n in names} for row in res]


def _int(x) -> Optional[int]:
    return int(x) if x not in (None, "") else None


def _float(x) -> Optional[float]:
    return float(x) if x not in (None, "") else None


class KnowledgeGraph:
    """Graph store + in-memory typed views (loaded once; QA calls the accessors per question).
    `location`: the on-disk store folder `store` was opened from, None for a graph in memory."""

    def __init__(self, store: Store, meta: Optional[dict] = None,
                 location: Optional[Path] = None, views: Optional[dict] = None):
        if store is None:
            raise ArtifactError("KnowledgeGraph: store must be a pyoxigraph Store")
        self.store = store
        self.meta = meta or {}
        self.location: Optional[Path] = Path(location) if location is not None else None
        self._set_views(views)

    def _set_views(self, views: Optional[dict]) -> None:
        """The views from a snapshot (views_state() of the same build), else computed."""
        if views is None:
            self._load_views()
            return
        for name in VIEW_ATTRS:
            setattr(self, name, views[name])
        self._doc_groups = {}

    def views_state(self) -> dict:
        return {name: getattr(self, name) for name in VIEW_ATTRS}

    # ---- views -------------------------------------------------------------------------
    def _select(self, query: str) -> list[dict]:
        """Rows of a SELECT over the union of the graphs, as {variable: value or None}."""
        return _rows(self.store, query)

    def _around(self, node: str) -> list[tuple[str, str, str, bool]]:
        """(s, p, o, o is an IRI) of the quads with `node` as subject, then as object."""
        n = NamedNode(node)
        quads = list(self.store.quads_for_pattern(n, None, None)) + \
            list(self.store.quads_for_pattern(None, None, n))
        return [(q.subject.value, q.predicate.value, q.object.value,
                 isinstance(q.object, NamedNode)) for q in quads]

    def _load_views(self) -> None:
        self._indicators = {}
        for r in self._select("""SELECT ?i ?pref ?cat (GROUP_CONCAT(DISTINCT ?alt; separator="\\u001f") AS ?alts)
            WHERE { ?i a pg:Indicator ; skos:prefLabel ?pref . OPTIONAL { ?i pg:category ?cat }
                    OPTIONAL { ?i skos:altLabel ?alt } } GROUP BY ?i ?pref ?cat"""):
            alts = sorted(a for a in (r["alts"] or "").split("\u001f") if a)
            self._indicators[r["i"]] = Indicator(r["i"], r["pref"], alts, r["cat"] or "", [])
        self._topics = {}
        for r in self._select("""SELECT ?c ?pref ?en (GROUP_CONCAT(DISTINCT ?alt; separator="\\u001f") AS ?alts)
            (GROUP_CONCAT(DISTINCT ?cue; separator="\\u001f") AS ?cues)
            WHERE { ?c skos:inScheme <%s> ; skos:prefLabel ?pref . FILTER(lang(?pref) = "zh")
                    OPTIONAL { ?c skos:prefLabel ?en FILTER(lang(?en) = "en") }
                    OPTIONAL { ?c skos:altLabel ?alt } OPTIONAL { ?c pg:cue ?cue } }
            GROUP BY ?c ?pref ?en""" % TOPIC_SCHEME):
            split = lambda x: sorted(a for a in (x or "").split("\u001f") if a)  # noqa: E731
            self._topics[r["c"]] = Topic(r["c"], r["pref"], split(r["alts"]), split(r["cues"]),
                                         r["en"] or "")
        plan_doc = {r["p"]: r["d"] for r in self._select("SELECT ?p ?d WHERE { ?p a pg:Plan ; dcterms:identifier ?d }")}
        plan_city = {r["p"]: r["c"] for r in self._select("SELECT ?p ?c WHERE { ?p a pg:Plan ; pg:city/rdfs:label ?c }")}
        passage = {r["x"]: (r["s"], r["e"]) for r in self._select(
            "SELECT ?x ?s ?e WHERE { ?x a pg:Passage ; pg:start ?s ; pg:end ?e }")}
        pid = lambda iri: iri.rsplit("/", 1)[-1] if iri else ""  # noqa: E731
        self._targets: list[Target] = []
        topics: dict[str, list[str]] = {}
        for r in self._select("SELECT ?x ?tp WHERE { ?x pg:topic ?tp }"):
            topics.setdefault(r["x"], []).append(r["tp"])
        for lst in topics.values():
            lst.sort()
        self._topic_of = topics
        for i, ind in self._indicators.items():
            ind.topics = topics.get(i, [])
        for r in self._select("""SELECT * WHERE { ?t a pg:Target ; pg:plan ?plan ; pg:nameAsWritten ?name ;
              pg:valueKind ?kind ; pg:evidenceStart ?es ; pg:evidenceEnd ?ee .
              OPTIONAL { ?t pg:indicator ?ind } OPTIONAL { ?t pg:baseline ?base }
              OPTIONAL { ?t pg:target ?tgt } OPTIONAL { ?t pg:statedValue ?val }
              OPTIONAL { ?t pg:targetValue ?tval } OPTIONAL { ?t pg:baselineValue ?bval }
              OPTIONAL { ?t pg:unitCode ?ucode } OPTIONAL { ?t pg:baselineComparator ?bcmp }
              OPTIONAL { ?t pg:scope ?scope }
              OPTIONAL { ?t pg:targetValueMax ?vmax } OPTIONAL { ?t pg:unit ?unit }
              OPTIONAL { ?t pg:comparator ?cmp } OPTIONAL { ?t pg:year ?year }
              OPTIONAL { ?t pg:period ?period }
              OPTIONAL { ?t pg:bindingness/skos:prefLabel ?bind FILTER(lang(?bind) = "zh") }
              OPTIONAL { ?t pg:category ?cat } OPTIONAL { ?t pg:approximate ?approx }
              OPTIONAL { ?t pg:source ?src } OPTIONAL { ?t prov:wasDerivedFrom ?p } }"""):
            ind = self._indicators.get(r["ind"] or "")
            ps, pe = passage.get(r["p"], (r["es"], r["ee"]))
            doc = plan_doc.get(r["plan"], "")
            self._targets.append(Target(
                iri=r["t"], doc_id=doc, city=plan_city.get(r["plan"], ""),
                indicator_iri=r["ind"] or "", indicator_label=ind.pref_label if ind else "",
                name_as_written=r["name"], baseline=r["base"], target=r["tgt"],
                value=_float(r["val"]), unit=r["unit"] or "", comparator=r["cmp"] or "=",
                year=_int(r["year"]), period=r["period"], bindingness=r["bind"],
                value_kind=r["kind"], category=r["cat"] or "", passage_id=pid(r["p"]),
                start=int(ps), end=int(pe), evidence_start=int(r["es"]), evidence_end=int(r["ee"]),
                value_max=_float(r["vmax"]), approximate=r["approx"] == "true",
                source=r["src"] or "text", scope=r["scope"] or "", unit_code=r["ucode"] or "",
                target_value=_float(r["tval"]), baseline_value=_float(r["bval"]),
                baseline_comparator=r["bcmp"] or "", topics=topics.get(r["t"], [])))
            if ind and doc and doc not in ind.doc_ids:
                ind.doc_ids.append(doc)
        self._targets.sort(key=lambda t: (t.doc_id, t.evidence_start, t.iri))
        for ind in self._indicators.values():
            ind.doc_ids.sort()
        common = """ ?x pg:plan ?plan ; rdfs:label ?label ; pg:evidenceStart ?s ; pg:evidenceEnd ?e .
                     OPTIONAL { ?x prov:wasDerivedFrom ?p } """
        self._regulations = [Regulation(r["x"], plan_doc.get(r["plan"], ""), r["label"], r["kind"],
                                        r["status"], pid(r["p"]), int(r["s"]), int(r["e"]),
                                        topics.get(r["x"], []))
                             for r in self._select("SELECT * WHERE { ?x a pg:Regulation ; pg:kind ?kind ; "
                                               "pg:status/skos:notation ?status ." + common + "}")]
        self._districts = [District(r["x"], plan_doc.get(r["plan"], ""), r["label"], r["level"],
                                    r["role"], pid(r["p"]), int(r["s"]), int(r["e"]),
                                    plan_city.get(r["plan"], ""))
                           for r in self._select("SELECT * WHERE { ?x a pg:District ; pg:level ?level ; "
                                             "pg:role ?role ." + common + "}")]
        self._organizations = [Organization(r["x"], plan_doc.get(r["plan"], ""), r["label"],
                                            r["role"], pid(r["p"]), int(r["s"]), int(r["e"]))
                               for r in self._select("SELECT * WHERE { ?x a pg:Organization ; pg:role ?role ."
                                                 + common + "}")]
        attrs: dict[str, dict] = {}
        for r in sorted(self._select("""SELECT ?x ?k ?v WHERE { ?x a pg:Project ; ?k ?v .
                FILTER(?k IN (pg:startPoint, pg:endPoint, pg:road, pg:length, pg:capacity,
                              pg:investment, pg:year, pg:note, pg:lengthKm)) }"""),
                        key=lambda r: (r["x"], r["k"], r["v"])):   # any engine's row order
            k = r["k"].rsplit("#", 1)[-1]
            if k == "note" and ": " in r["v"]:
                k, r["v"] = r["v"].split(": ", 1)
            attrs.setdefault(r["x"], {})[k] = r["v"]
        self._projects = [Project(r["x"], plan_doc.get(r["plan"], ""), r["label"], r["dn"],
                                  attrs.get(r["x"], {}), pid(r["p"]), int(r["s"]), int(r["e"]),
                                  r["src"] or "text", r["st"] or "", _float(r["inv"]),
                                  _float(r["km"]), topics.get(r["x"], []))
                          for r in self._select("SELECT * WHERE { ?x a pg:Project . OPTIONAL { ?x pg:districtName ?dn } "
                                            "OPTIONAL { ?x pg:source ?src } OPTIONAL { ?x pg:status/skos:notation ?st } "
                                            "OPTIONAL { ?x pg:investmentYi ?inv } OPTIONAL { ?x pg:lengthKm ?km } "
                                            + common + "}")]
        self._facts = [SectionFact(r["x"], plan_doc.get(r["plan"], ""), r["label"], r["m"],
                                   float(r["v"]), r["u"] or "", r["label"].split(" ", 1)[-1],
                                   pid(r["p"]), int(r["s"]), int(r["e"]))
                       for r in self._select("SELECT * WHERE { ?x a pg:SectionFact ; pg:measure ?m ; pg:value ?v . "
                                         "OPTIONAL { ?x pg:unitCode ?u } " + common + "}")]
        for lst in (self._regulations, self._districts, self._organizations, self._projects,
                    self._facts):
            lst.sort(key=lambda x: (x.doc_id, x.start, x.iri))
        self._labels = sorted({r["l"] for r in self._select("""SELECT DISTINCT ?l WHERE {
            { ?x rdfs:label ?l } UNION { ?x skos:altLabel ?l }
            FILTER NOT EXISTS { ?x a pg:Passage } FILTER(lang(?l) = "zh") }""")})
        self._doc_groups: dict[str, dict] = {}       # filled by _of_doc
        self._types = {}
        for r in self._select("""SELECT ?x ?l ?t WHERE { ?x a ?t ; rdfs:label ?l . FILTER(lang(?l) = "zh")
                FILTER(?t IN (pg:Indicator, pg:Target, pg:Project, pg:Regulation, pg:District,
                              pg:Organization, pg:Plan, pg:City)) }"""):
            self._types[r["x"]] = (r["l"], r["t"].rsplit("#", 1)[-1])

    # ---- accessors ---------------------------------------------------------------------
    def _of_doc(self, name: str, items: list, doc_id: Optional[str]) -> list:
        """items (all, or one plan's, in order); grouped by plan once per view, since a
        comparison over many plans asks plan by plan (a scan each grew as plans x items)."""
        if doc_id is None:
            return list(items)
        groups = self._doc_groups.get(name)
        if groups is None:
            groups = {}
            for x in items:
                groups.setdefault(x.doc_id, []).append(x)
            self._doc_groups[name] = groups
        return list(groups.get(doc_id, ()))

    def targets(self, doc_id: Optional[str] = None) -> list[Target]:
        return self._of_doc("targets", self._targets, doc_id)

    def indicators(self) -> list[Indicator]:
        return sorted(self._indicators.values(), key=lambda i: (i.pref_label, i.iri))

    def regulations(self, doc_id: Optional[str] = None) -> list[Regulation]:
        return self._of_doc("regulations", self._regulations, doc_id)

    def projects(self, doc_id: Optional[str] = None) -> list[Project]:
        return self._of_doc("projects", self._projects, doc_id)

    def districts(self, doc_id: Optional[str] = None) -> list[District]:
        return self._of_doc("districts", self._districts, doc_id)

    def organizations(self, doc_id: Optional[str] = None) -> list[Organization]:
        return self._of_doc("organizations", self._organizations, doc_id)

    def section_facts(self, doc_id: Optional[str] = None) -> list[SectionFact]:
        """Totals stated for a section (项目数, 总投资 in 亿元), in plan order."""
        return self._of_doc("facts", self._facts, doc_id)

    def topics(self) -> list[Topic]:
        """The topic scheme's concepts (kg/data/topics.toml), by label."""
        return sorted(self._topics.values(), key=lambda t: t.iri)

    def passage_topics(self, passage_id: str) -> list[str]:
        """Topic IRIs of a passage (empty for an untagged or unknown passage)."""
        return list(self._topic_of.get(f"{ID}passage/{passage_id}", ()))

    def labels(self) -> list[str]:
        return list(self._labels)

    def entity_search(self, text: str, limit: int = 20) -> list[tuple[str, str, str]]:
        """(iri, label, type) of entities whose label contains text (exact, prefix first)."""
        q = (text or "").strip()
        if not q:
            return []
        hits = []
        for iri, (label, typ) in self._types.items():
            if q in label:
                rank = 0 if label == q else 1 if label.startswith(q) else 2
                hits.append((rank, len(label), label, iri, typ))
        hits.sort()
        return [(iri, label, typ) for _, _, label, iri, typ in hits[:max(0, limit)]]

    def label_of(self, iri: str) -> str:
        if iri in self._types:
            return self._types[iri][0]
        return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]

    def neighbourhood(self, iri: str, depth: int = 1, limit: int = 500) -> list[Edge]:
        """Triples around a resource (outgoing and incoming), `depth` hops, with labels."""
        seen, frontier, out = set(), {iri}, []
        for _ in range(max(1, depth)):
            nxt = set()
            for node in frontier:
                if node in seen:
                    continue
                seen.add(node)
                for s, p, o, o_iri in self._around(node):
                    e = Edge(s, p, o, self.label_of(s), p.rsplit("#", 1)[-1].rsplit("/", 1)[-1],
                             self.label_of(o) if o_iri else o)
                    if e not in out:
                        out.append(e)
                    for x, is_iri in ((s, True), (o, o_iri)):
                        if is_iri and x not in seen:
                            nxt.add(x)
                    if len(out) >= limit:
                        return out
            frontier = nxt
        return out

    def __len__(self) -> int:
        return len(self.store)


def save(graph: KnowledgeGraph, out_dir: Path) -> None:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    store_dir = out_dir / "store"
    if store_dir.exists():
        shutil.rmtree(store_dir)
    prefixes = {k: v for k, v in PREFIXES.items()}
    graph.store.dump(str(out_dir / "graph.trig"), RdfFormat.TRIG, prefixes=prefixes)
    union = Store()
    union.extend(Quad(q.subject, q.predicate, q.object, DefaultGraph()) for q in graph.store)
    union.dump(str(out_dir / "graph.ttl"), RdfFormat.TURTLE, from_graph=DefaultGraph(),
               prefixes=prefixes)
    disk = Store(str(store_dir))
    disk.bulk_extend(iter(graph.store))
    disk.flush()
    del disk
    with open(out_dir / VIEWS_FILE, "wb") as f:
        pickle.dump({"fingerprint": views_fingerprint(), "views": graph.views_state()}, f,
                    protocol=pickle.HIGHEST_PROTOCOL)
    meta = dict(graph.meta, schema_version=SCHEMA_VERSION, triples=len(graph.store))
    (out_dir / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1),
                                       encoding="utf-8")


def load(in_dir: Path) -> KnowledgeGraph:
    in_dir = Path(in_dir)
    meta_path = in_dir / "meta.json"
    if not meta_path.is_file():
        raise ArtifactError(f"{in_dir}: no knowledge graph here (meta.json missing); run build")
    meta = read_json(meta_path)
    if meta.get("schema_version") != SCHEMA_VERSION:
        raise ArtifactError(f"{in_dir}: graph schema {meta.get('schema_version')!r}, expected "
                            f"{SCHEMA_VERSION}; run `python app.py build --force`")
    t0 = time.perf_counter()
    location = None
    if (in_dir / "store").is_dir():
        location = (in_dir / "store").resolve()
        try:
            store = Store.read_only(str(location))
        except OSError as e:
            raise ArtifactError(f"{in_dir / 'store'}: cannot open graph store ({e})") from None
    elif (in_dir / "graph.trig").is_file():
        store = Store()
        store.load(path=str(in_dir / "graph.trig"), format=RdfFormat.TRIG)
    else:
        raise ArtifactError(f"{in_dir}: neither store/ nor graph.trig present")
    views = load_views(in_dir)
    graph = KnowledgeGraph(store, meta, location=location, views=views)
    meta["load_s"] = round(time.perf_counter() - t0, 4)
    meta["views"] = "snapshot" if views is not None else "computed"
    return graph


def load_views(in_dir: Path) -> Optional[dict]:
    """The views snapshot of the kg/ folder `in_dir` (written by save()), or None when there
    is none or it was written by code whose view classes differ (then they are computed)."""
    path = Path(in_dir) / VIEWS_FILE
    try:
        with open(path, "rb") as f:
            data = pickle.load(f)   # our own build's file, checked against the manifest
    except FileNotFoundError:
        return None
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError) as e:
        log.warning("%s unreadable (%s); computing the graph views instead", path, e)
        return None
    if not isinstance(data, dict) or data.get("fingerprint") != views_fingerprint() \
            or not isinstance(data.get("views"), dict) or set(data["views"]) != set(VIEW_ATTRS):
        log.info("%s was written by another version; computing the graph views", path)
        return None
    return data["views"]
