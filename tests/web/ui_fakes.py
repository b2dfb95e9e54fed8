"""FAKES for UI unit tests and for developing the UI before the real stages exist.

FakeGraph derives targets from the real corpus's table rows (no alignment, no text
extraction) and keeps a tiny pyoxigraph store; fake_answer answers by keyword overlap.
They isolate the UI from the kg/qa stages; the browser test uses the real built Workspace.
"""
from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any, Optional

import pyoxigraph as ox

from core.errors import QuestionError
from core.types import Answer, Corpus
from kg.model import Indicator, Target

NS = "https://w3id.org/plangraph/"
PG = NS + "ns#"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
PROV = "http://www.w3.org/ns/prov#wasDerivedFrom"


def _pick(record: dict, *keys: str) -> str:
    for k, v in record.items():
        if any(key in k for key in keys):
            return str(v)
    return ""


class FakeGraph:
    def __init__(self, corpus: Corpus):
        self.corpus = corpus
        self._targets: list[Target] = []
        self._ind: dict[str, Indicator] = {}
        for p in corpus.passages:
            rec = p.meta.get("record") if p.kind == "table_row" else None
            name = _pick(rec or {}, "指标")
            if not name:
                continue
            iri = NS + "id/indicator/" + str(abs(hash(name)) % 10**8)
            cat = _pick(rec, "类别")
            ind = self._ind.setdefault(iri, Indicator(iri, name, [], cat))
            if p.doc_id not in ind.doc_ids:
                ind.doc_ids.append(p.doc_id)
            doc = corpus.documents[p.doc_id]
            self._targets.append(Target(
                iri=NS + "id/target/" + p.id, doc_id=p.doc_id, city=doc.city, indicator_iri=iri,
                indicator_label=name, name_as_written=name, baseline=_pick(rec, "十三五", "基"),
                target=_pick(rec, "目标", "十四五"), value=None, unit="", comparator="",
                year=2025, period="十四五", bindingness=_pick(rec, "属性") or None,
                value_kind="target", category=cat, passage_id=p.id, start=p.start, end=p.end,
                evidence_start=p.start, evidence_end=p.end, source="table"))
        self.store = ox.Store()
        for t in self._targets:
            s = ox.NamedNode(t.iri)
            g = ox.NamedNode(NS + "graph/" + t.doc_id)
            for pred, obj in ((RDF_TYPE, ox.NamedNode(PG + "Target")),
                              (PG + "indicator", ox.NamedNode(t.indicator_iri)),
                              (PG + "plan", ox.NamedNode(NS + "id/plan/" + t.doc_id)),
                              (PG + "target", ox.Literal(t.target or "")),
                              (PROV, ox.NamedNode(NS + "id/passage/" + t.passage_id)),
                              (RDFS_LABEL, ox.Literal(f"{t.city} {t.indicator_label}", language="zh"))):
                self.store.add(ox.Quad(s, ox.NamedNode(pred), obj, g))
        for ind in self._ind.values():
            s = ox.NamedNode(ind.iri)
            self.store.add(ox.Quad(s, ox.NamedNode(RDF_TYPE), ox.NamedNode(PG + "Indicator")))
            self.store.add(ox.Quad(s, ox.NamedNode(RDFS_LABEL), ox.Literal(ind.pref_label, language="zh")))
        for doc in corpus.documents.values():
            s = ox.NamedNode(NS + "id/plan/" + doc.id)
            self.store.add(ox.Quad(s, ox.NamedNode(RDF_TYPE), ox.NamedNode(PG + "Plan")))
            self.store.add(ox.Quad(s, ox.NamedNode(RDFS_LABEL), ox.Literal(doc.title, language="zh")))

    def targets(self, doc_id: Optional[str] = None) -> list[Target]:
        return [t for t in self._targets if doc_id is None or t.doc_id == doc_id]

    def indicators(self) -> list[Indicator]:
        return list(self._ind.values())

    def _label(self, term: Any) -> str:
        if not isinstance(term, ox.NamedNode):
            return ""
        for q in self.store.quads_for_pattern(term, ox.NamedNode(RDFS_LABEL), None, None):
            return q.object.value
        return ""

    def entity_search(self, text: str, limit: int = 20) -> list[tuple[str, str, str]]:
        out = []
        for q in self.store.quads_for_pattern(None, ox.NamedNode(RDFS_LABEL), None, None):
            if text in q.object.value:
                types = [t.object.value for t in self.store.quads_for_pattern(q.subject, ox.NamedNode(RDF_TYPE), None, None)]
                out.append((q.subject.value, q.object.value, types[0].rsplit("#", 1)[-1] if types else ""))
        return out[:limit]

    def neighbourhood(self, iri: str, depth: int = 1) -> list[dict]:
        node = ox.NamedNode(iri)
        quads = list(self.store.quads_for_pattern(node, None, None, None))
        quads += list(self.store.quads_for_pattern(None, None, node, None))
        return [{"s": q.subject.value, "p": q.predicate.value,
                 "o": q.object.value, "o_is_iri": isinstance(q.object, ox.NamedNode),
                 "s_label": self._label(q.subject), "o_label": self._label(q.object)}
                for q in quads]


def fake_answer(ws: Any, question: str) -> Answer:
    q = (question or "").strip()
    if not q:
        raise QuestionError("question is empty")
    if len(q) > ws.cfg.max_question_chars:
        raise QuestionError(f"question too long ({len(q)} chars)")
    corpus = ws.corpus
    words = set(re.findall(r"[\u4e00-\u9fff]{2}", q))
    best = max(corpus.passages, key=lambda p: sum(w in p.text for w in words))
    score = sum(w in best.text for w in words) / max(1, len(words))
    cite = corpus.citation(best)
    if score < 0.5:
        return Answer(q, False, "文件未提及该问题。", "none", score, [], related=[cite])
    return Answer(q, True, best.text[:60], "passage", score, [cite])


def fake_workspace(corpus: Corpus, cfg: Any) -> Any:
    return SimpleNamespace(corpus=corpus, graph=FakeGraph(corpus), cfg=cfg, retriever=None)
