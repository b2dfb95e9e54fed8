"""Knowledge graph stage (DESIGN §6): extraction (rules + spaCy blank('zh') + jieba) ->
indicator alignment -> RDF with provenance in a pyoxigraph Store.

    graph = build_graph(corpus, cfg, embedder=embedder)
    save(graph, dir); graph = load(dir); triple_count(graph)
"""
from __future__ import annotations

from typing import Callable, Optional

from pyoxigraph import Store

from core.types import Corpus
from kg import districts, orgs, project_facts, projects, regulations, targets
from kg.align import align
from kg.context import DocContext
from kg.model import Extraction
from kg.nlp import Resources, load_resources
from kg.rdf import all_quads
from kg.store import KnowledgeGraph, load, save
from kg.topics import scheme as topic_scheme

__all__ = ["build_graph", "save", "load", "triple_count", "KnowledgeGraph", "extract_document",
           "extract_documents"]


def extract_document(ctx: DocContext) -> Extraction:
    """Everything the extractors find in one plan (indicators not yet aligned)."""
    ex = Extraction(doc_id=ctx.doc.id)
    ex.targets = targets.extract(ctx)
    ex.regulations, reg_mentions = regulations.extract(ctx)
    ex.districts, dist_mentions = districts.extract(ctx)
    ex.projects = project_facts.finish(ctx, projects.extract(ctx))
    ex.facts = project_facts.section_facts(ctx)
    ex.organizations = orgs.extract(ctx)
    ex.mentions = reg_mentions + dist_mentions
    tag_topics(ctx, ex)
    return ex


def tag_topics(ctx: DocContext, ex: Extraction) -> None:
    """Topics (kg/topics.py) of every target, project, regulation and passage of a plan."""
    sch = topic_scheme()
    heading = {p.id: (p.section_path or "").split(">")[-1] for p in ctx.passages}
    text = {p.id: p.text for p in ctx.passages}
    for t in ex.targets:
        clause = ctx.raw[t.evidence_start:t.evidence_end]
        t.topics = sch.tag(t.name_as_written, clause, heading.get(t.passage_id, "")) or \
            sch.dominant(text.get(t.passage_id, ""))
    for pr in ex.projects:
        pr.topics = sch.tag(pr.name, heading.get(pr.passage_id, "")) or \
            sch.dominant(text.get(pr.passage_id, ""))
    for r in ex.regulations:
        r.topics = sch.tag(r.title)
    for p in ctx.passages:
        tps = sch.tag_all(p.text, heading[p.id])
        if tps:
            ex.passage_topics[p.id] = tps


def extract_documents(corpus: Corpus, res: Resources,
                      progress: Callable[[str], None] = lambda m: None) -> list[Extraction]:
    """extract_document of every plan of the corpus, in document-id order (each plan on its
    own: what a build worker runs for its plans)."""
    by_doc: dict[str, list] = {d: [] for d in corpus.documents}
    for p in corpus.passages:
        if p.doc_id in by_doc:
            by_doc[p.doc_id].append(p)
    tables: dict[str, list] = {d: [] for d in corpus.documents}
    for t in corpus.tables:
        if t.doc_id in tables:
            tables[t.doc_id].append(t)
    extractions = []
    for doc_id, doc in sorted(corpus.documents.items()):
        ex = extract_document(DocContext(doc, by_doc[doc_id], tables[doc_id], res))
        extractions.append(ex)
        progress(f"kg: {doc_id}: {len(ex.targets)} targets, {len(ex.regulations)} regulations, "
                 f"{len(ex.projects)} projects, {len(ex.districts)} districts, "
                 f"{len(ex.organizations)} organisations")
    return extractions


def build_graph(corpus: Corpus, cfg=None, embedder=None,
                progress: Callable[[str], None] = lambda m: None,
                resources: Optional[Resources] = None,
                extractions: Optional[list[Extraction]] = None) -> KnowledgeGraph:
    """The graph of the corpus: each plan's extraction (done here unless `extractions`, one
    per plan in document-id order, were made elsewhere), then what spans plans: indicator
    alignment, topics of indicators, the store."""
    res = resources or load_resources()
    if extractions is None:
        extractions = extract_documents(corpus, res, progress)
    elif [ex.doc_id for ex in extractions] != sorted(corpus.documents):
        raise ValueError("build_graph: extractions must be one per plan, in document-id order")
    all_targets = [t for ex in extractions for t in ex.targets]
    indicators, report = align(all_targets, res, embedder=embedder)
    by_ind: dict[str, set] = {}
    for t in all_targets:
        by_ind.setdefault(t.indicator_iri, set()).update(t.topics)
    for ind in indicators:
        ind.topics = sorted(by_ind.get(ind.iri, ()))
    for ex in extractions:
        ex.mentions += [(t.passage_id, t.indicator_iri) for t in ex.targets if t.passage_id]
    progress(f"kg: {report.indicators} indicators, {len(report.aligned)} aligned across plans: "
             + "、".join(i.pref_label for i in report.aligned))
    store = Store()
    store.extend(all_quads(corpus, extractions, indicators))
    meta = {"indicators": report.indicators,
            "aligned": [{"iri": i.iri, "pref_label": i.pref_label, "alt_labels": i.alt_labels,
                         "docs": i.doc_ids} for i in report.aligned],
            "merged_pairs": [list(p) for p in report.merged_pairs],
            "embedder": getattr(embedder, "name", None)}
    return KnowledgeGraph(store, meta)


def triple_count(graph: KnowledgeGraph) -> int:
    """Quads of the graph: its in-memory store, or the store by URL (RemoteGraph)."""
    return len(graph)
