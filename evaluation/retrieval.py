"""Retrieval evaluation (DESIGN §7): evidence recall@1/5/10 and MRR@10 per question type and
overall, and for comparison questions both-cities recall@5/10, for the hybrid retriever and
for two baselines built in memory in the same run: BM25-only and dense-only over fixed
300-character chunks (50 overlap) of each document's text with spam spans removed.

A hit is a retrieved span that overlaps a gold quote's span in the same plan. Gold spans are
found with str.find in the raw text of the document whose id matches evidence.doc (every
occurrence counts). Abstain questions and questions without locatable evidence are left out
of the retrieval figures (the latter are counted under "unlocated").
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Optional, Sequence

import numpy as np

from core.protocols import Embedder, Workspace
from index.cache import encode_cached, open_cache
from index.lexical import ChineseTokenizer, LexicalIndex

Span = tuple[str, int, int]            # (doc_id, start, end) into the raw text
KS = (1, 5, 10)
BOTH_KS = (5, 10)
CHUNK_CHARS, CHUNK_OVERLAP = 300, 50


# ---- gold spans and hits -------------------------------------------------------------------
def gold_spans(raw_texts: dict[str, str], evidence: Iterable[dict]) -> list[Span]:
    """Every occurrence of every gold quote in the raw text of its document."""
    out: list[Span] = []
    for ev in evidence:
        doc, quote = ev.get("doc"), ev.get("quote") or ""
        raw = raw_texts.get(doc)
        if raw is None or not quote:
            continue
        i = raw.find(quote)
        while i >= 0:
            out.append((doc, i, i + len(quote)))
            i = raw.find(quote, i + 1)
    return out


def overlaps(a: Span, b: Span) -> bool:
    return a[0] == b[0] and a[1] < b[2] and b[1] < a[2]


def first_hit_rank(ranked: Sequence[Span], gold: Sequence[Span],
                   doc: Optional[str] = None) -> Optional[int]:
    """1-based rank of the first retrieved span overlapping a gold span (of `doc` if given)."""
    g = [s for s in gold if doc is None or s[0] == doc]
    for r, span in enumerate(ranked, 1):
        if any(overlaps(span, s) for s in g):
            return r
    return None


def question_metrics(ranked: Sequence[Span], gold: Sequence[Span],
                     comparison: bool) -> dict[str, float]:
    r = first_hit_rank(ranked, gold)
    m = {f"recall@{k}": float(r is not None and r <= k) for k in KS}
    m["mrr@10"] = 1.0 / r if r is not None and r <= 10 else 0.0
    if comparison:
        docs = sorted({s[0] for s in gold})
        ranks = [first_hit_rank(ranked, gold, d) for d in docs]
        for k in BOTH_KS:
            m[f"both_cities@{k}"] = float(all(x is not None and x <= k for x in ranks))
    return m


def aggregate(rows: Sequence[tuple[str, dict[str, float]]]) -> dict:
    """rows of (question type, metrics) -> {"overall": {...}, "by_type": {...}}."""
    def mean(ms: list[dict]) -> dict:
        out: dict = {"questions": len(ms)}
        for key in sorted({k for m in ms for k in m}, key=lambda k: (k.startswith("both"), k)):
            vals = [m[key] for m in ms if key in m]
            out[key] = round(float(np.mean(vals)), 4)
        return out
    by_type: dict[str, list[dict]] = {}
    for t, m in rows:
        by_type.setdefault(t, []).append(m)
    return {"overall": mean([m for _, m in rows]) if rows else {"questions": 0},
            "by_type": {t: mean(ms) for t, ms in sorted(by_type.items())}}


# ---- fixed-size chunk baselines ------------------------------------------------------------
@dataclass(frozen=True)
class Chunk:
    doc_id: str
    start: int                 # raw-text span covered by the chunk
    end: int
    text: str                  # the chunk's text (spam removed)


def chunk_documents(raw_texts: dict[str, str], spam: dict[str, list[tuple[int, int]]],
                    size: int = CHUNK_CHARS, overlap: int = CHUNK_OVERLAP) -> list[Chunk]:
    """Fixed windows of `size` characters, `overlap` shared, over each document's text with
    its spam spans cut out; each chunk keeps the raw-text span it came from."""
    if not 0 <= overlap < size:
        raise ValueError(f"chunk_documents: overlap={overlap!r} must be in [0, size={size})")
    chunks: list[Chunk] = []
    for doc_id, raw in raw_texts.items():
        keep = np.ones(len(raw), dtype=bool)
        for s, e in spam.get(doc_id, []):
            keep[max(0, s):max(0, e)] = False
        pos = np.flatnonzero(keep)
        clean = "".join(raw[i] for i in pos)
        step = size - overlap
        for i in range(0, max(1, len(clean) - overlap), step):
            j = min(i + size, len(clean))
            text = clean[i:j]
            if text.strip():
                chunks.append(Chunk(doc_id, int(pos[i]), int(pos[j - 1]) + 1, text))
    return chunks


class ChunkBM25:
    """Baseline: BM25 (bm25s) over plain jieba tokens of the chunks."""

    def __init__(self, chunks: Sequence[Chunk]):
        self.chunks = list(chunks)
        self.index = LexicalIndex.build([c.text for c in self.chunks],
                                        ChineseTokenizer(subwords='none'))

    def search(self, query: str, k: int = 10) -> list[Span]:
        s = self.index.scores(query)
        top = np.argsort(-s, kind="stable")[:k]
        return [(self.chunks[i].doc_id, self.chunks[i].start, self.chunks[i].end) for i in top]


class ChunkDense:
    """Baseline: the embedding model over the chunks, exact inner-product search."""

    def __init__(self, chunks: Sequence[Chunk], embedder: Embedder, cache_dir: Optional[Path] = None):
        self.chunks, self.embedder = list(chunks), embedder
        self.vecs = encode_cached(embedder, [c.text for c in self.chunks],
                                  open_cache(cache_dir, embedder))

    def search(self, query: str, k: int = 10) -> list[Span]:
        q = self.embedder.encode([query])[0]
        top = np.argsort(-(self.vecs @ q), kind="stable")[:k]
        return [(self.chunks[i].doc_id, self.chunks[i].start, self.chunks[i].end) for i in top]


# ---- the evaluation ------------------------------------------------------------------------
def score_system(search: Callable[[str], list[Span]], questions: Sequence[dict],
                 raw_texts: dict[str, str]) -> dict:
    rows = []
    for q in questions:
        gold = gold_spans(raw_texts, q.get("evidence", []))
        rows.append((q.get("type", "unknown"),
                     question_metrics(search(q["question"]), gold,
                                      q.get("type") == "comparison")))
    return aggregate(rows)


def retrieval_questions(questions: Sequence[dict], raw_texts: dict[str, str]
                        ) -> tuple[list[dict], int]:
    """Questions that count for retrieval (not abstain, evidence found), and how many
    answerable questions had no locatable evidence."""
    keep, unlocated = [], 0
    for q in questions:
        if q.get("type") == "abstain" or not q.get("evidence"):
            continue
        if gold_spans(raw_texts, q["evidence"]):
            keep.append(q)
        else:
            unlocated += 1
    return keep, unlocated


def evaluate(ws: Workspace, questions: list[dict], k: int = 10) -> dict:
    corpus = ws.corpus
    raw_texts = {d: doc.raw_text for d, doc in corpus.documents.items()}
    qs, unlocated = retrieval_questions(questions, raw_texts)

    def system(query: str) -> list[Span]:
        out = []
        for h in ws.retriever.search(query, k=k):
            p = corpus.passage(h.passage_id)
            out.append((p.doc_id, p.start, p.end))
        return out

    spam: dict[str, list[tuple[int, int]]] = {}
    for s in corpus.spam:
        spam.setdefault(s.doc_id, []).append((s.start, s.end))
    chunks = chunk_documents(raw_texts, spam)
    bm25 = ChunkBM25(chunks)
    dense = ChunkDense(chunks, ws.embedder, ws.cfg.cache_dir)
    report = {"system": score_system(system, qs, raw_texts),
              "baselines": {"bm25": score_system(lambda q: bm25.search(q, k), qs, raw_texts),
                            "dense": score_system(lambda q: dense.search(q, k), qs, raw_texts)}}
    report["system"]["overall"]["unlocated"] = unlocated
    return report
