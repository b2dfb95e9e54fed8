"""Extractive answers: retrieve a plan's top passages, score their sentences by how much of the
question's content they cover (rarity-weighted terms), and trim the best sentence to the
clauses that answer. Every span is a raw-text slice, so it can be cited exactly.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Optional

from core.types import Passage
from qa.analysis import Analysis
from qa.context import QAContext
from qa.text import bigram_cover, clause_spans, has_number, norm, numbers, sentence_spans

RETRO_WORDS = ("十三五", "回顾", "成就", "现状", "短板", "成效")
MAX_ANSWER_CHARS = 160


@dataclass
class Scored:
    passage: Passage
    start: int
    end: int
    score: float
    cover: float          # sentence coverage of the question's terms
    pcover: float         # passage (+ section/table context) coverage
    rank: int

    @property
    def text(self) -> str:
        return self.passage.text[self.start - self.passage.start:self.end - self.passage.start]


def term_cover(ctx: QAContext, terms: list[str], text: str) -> float:
    """Rarity-weighted share of `terms` found in `text` (partial credit for shared bigrams)."""
    if not terms:
        return 0.0
    t = norm(text)
    total = got = 0.0
    for term in terms:
        w = ctx.weight(term)
        total += w
        n = norm(term)
        if n in t:
            got += w
        elif len(n) >= 2:
            got += w * 0.6 * bigram_cover(n, t)
    return got / total if total else 0.0


def is_retro(p: Passage) -> bool:
    """A passage in a review section (the previous plan period, achievements, shortcomings)."""
    return any(w in (p.section_path or "") for w in RETRO_WORDS)


def retrieve(ws: Any, a: Analysis, doc_id: str, k: int = 10) -> list[Passage]:
    hits = ws.retriever.search(a.query, k=k, doc_ids=[doc_id])
    out = []
    for h in hits:
        try:
            p = ws.corpus.passage(h.passage_id)
        except KeyError:
            continue
        if p.doc_id == doc_id:
            out.append(p)
    return out


def _district_terms(a: Analysis, doc_id: str) -> list[str]:
    from qa.context import aliases_of
    return [al for name, d in a.districts if d == doc_id for al in aliases_of(name)]


def score_sentences(ctx: QAContext, a: Analysis, passages: list[Passage],
                    doc_id: Optional[str] = None) -> list[Scored]:
    terms = a.terms
    places = _district_terms(a, doc_id) if doc_id else []
    out: list[Scored] = []
    for rank, p in enumerate(passages):
        if p.kind == "heading":
            continue
        pc = term_cover(ctx, terms, p.context + " " + p.text)
        spans = [(p.start, p.end)] if p.kind == "table_row" else \
            sentence_spans(p.text, 0, len(p.text))
        for s, e in spans:
            if p.kind != "table_row":
                s, e = p.start + s, p.start + e
            sent = p.text[s - p.start:e - p.start]
            if len(norm(sent)) < 4:
                continue
            c = term_cover(ctx, terms, sent + (" " + p.context if p.kind == "table_row" else ""))
            score = 0.55 * c + 0.25 * pc + 0.2 / (1 + rank)
            if a.wants_value:
                score += 0.08 if has_number(sent) else -0.08
            if is_retro(p):
                score += 0.04 if a.wants_baseline else (-0.15 if a.wants_target or a.wants_value else -0.03)
            if a.years:
                score += 0.1 if any(str(y) in sent for y in a.years) else 0.0
            if places:
                score += 0.15 if any(x in sent for x in places) else -0.05
            if a.wants_list and ("、" in sent or len(numbers(sent)) > 1):
                score += 0.04
            out.append(Scored(p, s, e, score, c, pc, rank))
    out.sort(key=lambda x: -x.score)
    return out


def trim(ctx: QAContext, a: Analysis, sc: Scored, doc_id: Optional[str] = None) -> tuple[int, int]:
    """The clauses of a long sentence that carry the answer (contiguous window)."""
    if sc.end - sc.start <= 90 or sc.passage.kind == "table_row":
        return sc.start, sc.end
    raw_p = sc.passage.text
    base = sc.passage.start
    cl = clause_spans(raw_p, sc.start - base, sc.end - base)
    if len(cl) <= 1:
        return sc.start, sc.end
    places = _district_terms(a, doc_id) if doc_id else []
    texts = [raw_p[s:e] for s, e in cl]
    best, best_span = -1.0, (sc.start, sc.end)
    full = len(norm(raw_p[sc.start - base:sc.end - base])) or 1
    for i in range(len(cl)):
        for j in range(i, min(len(cl), i + 6)):
            seg = raw_p[cl[i][0]:cl[j][1]]
            c = term_cover(ctx, a.terms, seg)
            if places and any(x in seg for x in places):
                c += 0.3
            if a.wants_value and has_number(seg):
                c += 0.1
            c -= 0.25 * len(norm(seg)) / full
            if len(seg) > MAX_ANSWER_CHARS:
                c -= 0.5
            if c > best + 1e-9:
                best, best_span = c, (base + cl[i][0], base + cl[j][1])
    # keep a trailing list that continues the chosen clause (e.g. 即A、B和C)
    del texts
    return best_span


def answer_span_text(ws: Any, doc_id: str, s: int, e: int) -> str:
    return ws.corpus.raw(doc_id)[s:e]


def lead_in(text: str) -> str:
    """Drop an enumeration marker such as 一是/二是 or (1) at the start of a span."""
    return re.sub(r"^(?:[一二三四五六七八九十]+是|[(（]\d+[)）]|\d+[、.])", "", text).strip()
