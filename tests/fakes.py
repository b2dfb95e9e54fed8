"""Every FAKE of the test suite, in one module (the application never imports tests/).

A fake isolates one unit from a real part it would otherwise need (the model, the index, the
graph, the QA stage); tests that need the real parts use the real built workspace.

- embedders: HashEmbedderFake (character-bigram hashing), CountingEmbedderFake,
  RecordingEmbedderFake;
- retrieval: LexicalRetrieverFake (shared character bigrams), IndexGraphFake (the accessors
  build_index reads);
- UI: UIGraphFake (targets from the real corpus's table rows, a tiny pyoxigraph store),
  keyword_answer_fake, ui_workspace_fake.
"""
from __future__ import annotations

import hashlib
import re
from types import SimpleNamespace
from typing import Any, Optional, Sequence

import numpy as np
import pyoxigraph as ox

from core.errors import QuestionError
from core.types import Answer, Corpus, Hit
from kg.model import District, Indicator, Target
from qa.text import bigrams

# --- embedders ------------------------------------------------------------------------------

class HashEmbedderFake:
    """FAKE embedder for unit tests that must isolate one component: deterministic
    character-bigram hashing into `dim` buckets."""

    def __init__(self, dim: int = 64, name: str = "hash-fake"):
        self.name, self.dim = name, dim

    def encode(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            for a, b in zip(t, t[1:] + " "):
                h = int(hashlib.md5((a + b).encode()).hexdigest()[:8], 16)
                out[i, h % self.dim] += 1.0
        n = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(n, 1e-9)


class CountingEmbedderFake(HashEmbedderFake):
    """FAKE embedder (HashEmbedderFake) that counts the texts it encodes in `encoded`."""

    def __init__(self, dim: int = 64, name: str = "hash-fake"):
        super().__init__(dim, name)
        self.encoded = 0

    def encode(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        self.encoded += len(texts)
        return super().encode(texts, progress)


class RecordingEmbedderFake(HashEmbedderFake):
    """FAKE embedder (HashEmbedderFake) that records every batch it is asked to encode."""

    def __init__(self, dim: int = 32):
        super().__init__(dim)
        self.batches: list[list[str]] = []

    def encode(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        self.batches.append(list(texts))
        return super().encode(texts, progress)


class TorchModelFake:
    """FAKE: stands for a loaded sentence-transformers model (only its name and dimension)."""
    name, dim = "fake", 4


class FakeHashEmbedder:
    """Fake embedder (isolates alignment from the model): every text gets the same vector,
    so every similarity is 1.0 and only the structural rules decide."""
    name = "fake-constant"

    def encode(self, texts):
        v = np.ones((len(texts), 4), dtype="float32")
        return v / 2.0


class FakeEqualSimilarityEmbedder:
    """Fake embedder: every two different texts have cosine similarity `sim` (each text its own
    axis plus a shared one), so only the topic gate decides between 0.91 and 0.97."""
    name = "fake-equal-similarity"

    def __init__(self, sim: float):
        self.sim = sim

    def encode(self, texts):
        n = len(texts)
        v = np.zeros((n, n + 1), dtype="float32")
        v[:, 0] = self.sim ** 0.5
        for i in range(n):
            v[i, i + 1] = (1 - self.sim) ** 0.5
        return v


# --- retrieval ------------------------------------------------------------------------------

class LexicalRetrieverFake:
    """FAKE retriever for QA unit tests: ranks passages by shared character bigrams."""

    def __init__(self, corpus):
        self.corpus = corpus

    def search(self, query: str, k: int = 10, doc_ids: Optional[list[str]] = None,
               kinds=None) -> list[Hit]:
        q = bigrams(query)
        scored = []
        for p in self.corpus.passages:
            if doc_ids and p.doc_id not in doc_ids:
                continue
            s = len(q & bigrams(p.search_text)) / (1 + len(p.text) ** 0.5)
            if s > 0:
                scored.append((s, p.id))
        scored.sort(key=lambda x: -x[0])
        return [Hit(pid, s, n, "fake") for n, (s, pid) in enumerate(scored[:k])]


class IndexGraphFake:
    """FAKE graph exposing the typed views the index stage reads (labels, indicators,
    districts, targets) as kg.model records."""

    def __init__(self, labels=(), indicators=(), districts=None, targets=()):
        self._labels = list(labels)
        self._indicators = [Indicator(f"ind{i}", a, list(b)) for i, (a, b) in enumerate(indicators)]
        self._districts = {d: [District(f"{d}/{x}", d, x, x[-1:], "in_scope", "", 0, 0)
                               for x in xs] for d, xs in (districts or {}).items()}
        self._targets = list(targets)

    def labels(self):
        return list(self._labels)

    def indicators(self):
        return list(self._indicators)

    def districts(self, doc_id=None):
        if doc_id is None:
            return [x for xs in self._districts.values() for x in xs]
        return list(self._districts.get(doc_id, []))

    def targets(self, doc_id=None):
        return [t for t in self._targets if doc_id in (None, t.doc_id)]


# --- UI -------------------------------------------------------------------------------------

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


class UIGraphFake:
    """FAKE graph for UI unit tests: targets from the real corpus's table rows (no alignment,
    no text extraction) and a tiny pyoxigraph store."""

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

    def topics(self) -> list:
        return []

    def passage_topics(self, passage_id: str) -> list[str]:
        return []

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

    def neighbourhood(self, iri: str, depth: int = 1, limit: int = 500) -> list[dict]:
        node = ox.NamedNode(iri)
        quads = list(self.store.quads_for_pattern(node, None, None, None))
        quads += list(self.store.quads_for_pattern(None, None, node, None))
        return [{"s": q.subject.value, "p": q.predicate.value,
                 "o": q.object.value, "o_is_iri": isinstance(q.object, ox.NamedNode),
                 "s_label": self._label(q.subject), "o_label": self._label(q.object)}
                for q in quads]


def keyword_answer_fake(ws: Any, question: str) -> Answer:
    """FAKE qa.answer: answers by keyword overlap with the passages."""
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


def ui_workspace_fake(corpus: Corpus, cfg: Any) -> Any:
    """FAKE workspace for the UI: the real corpus, UIGraphFake, no retriever."""
    return SimpleNamespace(corpus=corpus, graph=UIGraphFake(corpus), cfg=cfg, retriever=None,
                           derived={})


# --- server -----------------------------------------------------------------------------

class FakeWorkspace:
    """FAKE: a Workspace with an empty corpus and a small real graph (no model, no build)."""

    def __init__(self, cfg, graph):
        self.cfg, self.graph, self.corpus = cfg, graph, Corpus(documents={})
        self.derived: dict = {}

    def loaded(self, part: str):
        return self.graph if part == "graph" else None


def fake_answer(ws, question, qid=None) -> Answer:
    """FAKE qa.answer: echoes the question's length."""
    return Answer(question=question, found=True, answer=f"{len(question)} 字", kind="passage",
                  confidence=0.5, id=qid)


def blocks_fake():
    """FAKE UI: a minimal gr.Blocks titled like the app, mounted at / by server tests that
    need no real tabs."""
    import gradio as gr
    with gr.Blocks(title="PlanGraph 规划图谱", analytics_enabled=False) as demo:
        gr.Markdown("# PlanGraph 规划图谱")
    return demo
