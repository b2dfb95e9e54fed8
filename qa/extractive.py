"""Extractive answers: retrieve a plan's top passages, score their sentences by how much of the
question's content they cover (rarity-weighted terms), and trim the best sentence to the
clauses that answer. Every span is a raw-text slice, so it can be cited exactly.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

from core.periods import five_year_span, period_names_in
from core.protocols import Workspace
from core.types import Passage
from core.zh import norm
from ingest.sentences import clause_spans, sentence_spans
from qa.analysis import Analysis
from qa.context import QAContext
from qa.text import bigrams, has_number, numbers

RETRO_WORDS = ("十三五", "回顾", "成就", "现状", "短板", "成效")
MAX_ANSWER_CHARS = 160
SOFT_WEIGHT = 0.3
LIGHT_WEIGHT = 0.5
LOCAL_DISCOUNT = 0.8
ABBREV_CREDIT = 0.6
RRF_K = 10
CONTINUATIONS = ("即", "包括", "分别", "主要包括", "具体包括", "具体为", "分别为", "主要有", "如下", "为")
PROJECT_RE = re.compile(r"工程|项目|建设|建成|新建")
# a stated target: a verb of reaching/keeping, or a bound, next to a number
TARGET_RE = re.compile(r"(达到|达|不低于|不少于|不超过|提高到|提升到|上升到|控制在?|力争|确保|保持)"
                       r"[^,,。;;]{0,6}\d|\d[\d.]*\s*(%|％)?[^,,。;;]{0,8}(以上|以内|以下|左右)|[≤≥]\s*\d")


@dataclass
class Scored:
    passage: Passage
    start: int
    end: int
    score: float
    cover: float          # sentence coverage of the question's terms
    pcover: float         # passage (+ section/table context) coverage
    rank: int
    dense: float = 0.0    # scaled cosine of question and sentence
    local: float = 0.0    # coverage of the sentence with the two sentences before it

    @property
    def support(self) -> float:
        """How much of the question the evidence covers (what abstention is decided on): the
        sentence (or, discounted, the sentence with its lead-in sentences) and its passage."""
        return 0.7 * max(self.cover, LOCAL_DISCOUNT * self.local) + 0.3 * self.pcover

    @property
    def text(self) -> str:
        return self.passage.text[self.start - self.passage.start:self.end - self.passage.start]


@lru_cache(maxsize=4096)
def _abbrev(term: str) -> "re.Pattern":
    """The term's characters in order, at most two apart (公厕 ~ 公共厕所)."""
    return re.compile(".{0,2}".join(map(re.escape, term)))


def term_cover(ctx: QAContext, terms: list[str], text: str, soft: tuple[str, ...] = (),
               light: frozenset = frozenset()) -> float:
    """Rarity-weighted share of `terms` found in `text` (partial credit for shared bigrams);
    `soft` words (目标, 文件 …) count with a small weight."""
    return _cover(_weighted_terms(ctx, terms, soft, light), text)


def _weighted_terms(ctx: QAContext, terms: list[str], soft: tuple[str, ...] = (),
                    light: frozenset = frozenset()) -> list[tuple]:
    """Per term: (normalised term, weight, its abbreviation pattern or None, its CJK bigrams):
    what _cover needs, prepared once per question instead of once per sentence."""
    out = []
    for x, f in [(x, LIGHT_WEIGHT if x in light else 1.0) for x in terms] + \
            [(x, SOFT_WEIGHT) for x in soft]:
        n = norm(x)
        out.append((n, ctx.weight(x) * f, _abbrev(n) if 2 <= len(n) <= 4 else None,
                    bigrams(n) if len(n) >= 2 else set()))
    return out


def _cover(weighted: list[tuple], text: str) -> float:
    return _cover_norm(weighted, norm(text))


def _cover_norm(weighted: list[tuple], t: str) -> float:
    """_cover of an already normalised text."""
    if not weighted:
        return 0.0
    total = got = 0.0
    for n, w, abbrev, grams in weighted:
        total += w
        if n in t:
            got += w
        elif abbrev is not None and n[0] in t and n[-1] in t and abbrev.search(t):
            got += w * ABBREV_CREDIT              # 公厕 ~ 公共厕所: the characters, close, in order
        elif len(n) >= 2:
            # = 0.6 * bigram_cover(n, t): a bigram of the term (each has a CJK character) is
            # among the text's bigrams exactly when it occurs in the text; testing the term's
            # few bigrams is cheaper than collecting the bigrams of every sentence read
            got += w * 0.6 * (sum(g in t for g in grams) / len(grams) if grams else 0.0)
    return got / total if total else 0.0


@dataclass(frozen=True)
class _Sentence:
    """What score_sentences reads of one sentence that does not depend on the question."""
    start: int                  # offsets relative to the passage text
    end: int
    text: str
    cover_text: str             # norm(sentence + " " + headings)
    local_text: Optional[str]   # norm(sentence with its two lead-in sentences + headings)
    number: bool
    target: bool
    retro: bool                 # in a review section, or about 十三五
    distinct_numbers: int
    enumerates: bool            # has 、
    project: bool


@dataclass(frozen=True)
class _PassageTable:
    all_text: str               # norm(context + " " + text)
    sentences: tuple[_Sentence, ...]


def passage_table(p: Passage) -> _PassageTable:
    """The question-independent part of scoring a passage's sentences, computed once per
    passage (and warmed when question answering loads): at scale a comparison reads ~30
    sentences in each of a hundred plans."""
    return _table(p.text, p.context or "", p.section_path or "", p.kind)


@lru_cache(maxsize=65536)
def _table(text: str, context: str, section_path: str, kind: str) -> _PassageTable:
    spans = [(0, len(text))] if kind == "table_row" else sentence_spans(text, 0, len(text))
    head = context if kind == "table_row" else section_path
    retro = any(w in section_path for w in RETRO_WORDS)   # a review section
    rows = []
    for n, (s, e) in enumerate(spans):
        sent = text[s:e]
        if len(norm(sent)) < 4:
            continue
        ls = spans[max(0, n - 2)][0]             # start of its two-sentence lead-in
        nums = set(numbers(sent)) if kind != "table_row" else set()
        rows.append(_Sentence(
            s, e, sent, norm(sent + " " + head),
            norm(text[ls:e] + " " + head) if ls < s else None,
            has_number(sent), bool(TARGET_RE.search(sent)), retro or "十三五" in sent,
            len(nums), "、" in sent, bool(PROJECT_RE.search(sent))))
    return _PassageTable(norm(context + " " + text), tuple(rows))


def queries(a: Analysis, doc_id: str) -> list[str]:
    """The question as asked (without place names), and its content words alone."""
    out = [a.query]
    words = " ".join(a.terms + [n for n, d in a.districts if d == doc_id] + a.soft_terms)
    if words and words != a.query:
        out.append(words)
    if a.neighbours:             # the plans' words for what the question says otherwise
        out.append(" ".join(a.terms + a.neighbours))
    return out


def retrieve(ws: Workspace, a: Analysis, doc_id: str, k: int = 10) -> list[Passage]:
    """Top passages of one plan for the question, fused (reciprocal rank) with those for its
    content words alone, so that words shared by every passage (the plan's title, 城市管理 …)
    do not drown the asked topic."""
    fused: dict[str, float] = {}
    for q in queries(a, doc_id):
        for rank, h in enumerate(ws.retriever.search(q, k=k, doc_ids=[doc_id])):
            fused[h.passage_id] = fused.get(h.passage_id, 0.0) + 1.0 / (RRF_K + rank)
    out = []
    for pid in sorted(fused, key=lambda x: -fused[x])[:k]:
        try:
            p = ws.corpus.passage(pid)
        except KeyError:
            continue
        if p.doc_id == doc_id:
            out.append(p)
    return out


def _dense(ctx: QAContext, a: Analysis, items: list[tuple[Passage, int, int]]) -> list[float]:
    """Cosine of the question with each sentence, scaled to [0, 1] (0 without a model)."""
    keys = [(p.doc_id, s, e) for p, s, e in items]
    texts = [p.text[s - p.start:e - p.start] for p, s, e in items]
    vecs = ctx.vectors(keys, texts)
    if vecs is None or not items:
        return [0.0] * len(items)
    q = ctx.vectors([("q", a.query)], [a.query])[0]
    ctx._vec_cache.pop(("q", a.query), None)
    return [min(1.0, max(0.0, (float(c) - 0.55) / 0.35)) for c in vecs @ q]


def _names_current_period(ctx: QAContext, text: str) -> bool:
    """The text names a five-year plan that had not ended when the earliest plan began."""
    starts = [d.period[0] for d in ctx.docs.values() if d.period]
    first = min(starts) if starts else None
    spans = [five_year_span(n) for n in period_names_in(text)]
    return any(s is not None and (first is None or s[1] >= first) for s in spans)


def score_sentences(ctx: QAContext, a: Analysis, passages: list[Passage],
                    doc_id: Optional[str] = None) -> list[Scored]:
    weighted = _weighted_terms(ctx, a.terms, tuple(a.soft_terms), frozenset(a.light_terms))
    places = a.district_names(doc_id) if doc_id else []
    explicit_now = _names_current_period(ctx, a.text) or bool(a.explicit_years)
    years = [str(y) for y in a.years]
    items: list[tuple[Passage, _PassageTable, _Sentence, int]] = []
    for rank, p in enumerate(passages):
        if p.kind == "heading":
            continue
        table = passage_table(p)
        items += [(p, table, row, rank) for row in table.sentences]
    dense = _dense(ctx, a, [(p, p.start + row.start, p.start + row.end)
                            for p, _, row, _ in items])
    pcov: dict[str, float] = {}
    out: list[Scored] = []
    for (p, table, row, rank), dn in zip(items, dense):
        if p.id not in pcov:
            pcov[p.id] = _cover_norm(weighted, table.all_text)
        pc = pcov[p.id]
        sent = row.text
        # a sentence is read with its headings (table rows: header and category cells)
        c = _cover_norm(weighted, row.cover_text)
        loc = _cover_norm(weighted, row.local_text) if row.local_text is not None else c
        score = 0.45 * max(c, LOCAL_DISCOUNT * loc) + 0.2 * pc + 0.2 * dn + 0.15 / (1 + rank)
        if a.wants_value:
            score += 0.08 if row.number else -0.08
        if a.wants_target and row.target:
            score += 0.05
        if row.retro:
            if a.wants_baseline:
                score += 0.04
            elif explicit_now:
                score -= 0.4
            elif a.wants_target or a.wants_value:
                score -= 0.2
            else:
                score -= 0.03
        if years:
            score += 0.1 if any(y in sent for y in years) else 0.0
        if places:
            score += 0.15 if any(x in sent for x in places) else -0.05
        if a.wants_list and p.kind != "table_row":
            distinct = row.distinct_numbers
            if a.wants_value and distinct >= 3:
                score += 0.12
            elif row.enumerates or distinct > 1:
                score += 0.04
        if a.asks_project and row.project:
            score += 0.05
        out.append(Scored(p, p.start + row.start, p.start + row.end, score, c, pc, rank, dn, loc))
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
    places = a.district_names(doc_id) if doc_id else []
    texts = [raw_p[s:e] for s, e in cl]
    best, best_span = -1.0, (sc.start, sc.end)
    full = len(norm(raw_p[sc.start - base:sc.end - base])) or 1
    for i in range(len(cl)):
        for j in range(i, min(len(cl), i + 6)):
            seg = raw_p[cl[i][0]:cl[j][1]]
            c = term_cover(ctx, a.terms, seg, tuple(a.soft_terms), frozenset(a.light_terms))
            if places and any(x in seg for x in places):
                c += 0.3
            if a.wants_value and has_number(seg):
                c += 0.1
            c -= 0.25 * len(norm(seg)) / full
            if len(seg) > MAX_ANSWER_CHARS:
                c -= 0.5
            if c > best + 1e-9:
                best, best_span = c, (base + cl[i][0], base + cl[j][1])
    # keep a trailing list that continues the chosen clause (e.g. ……框架体系,即建设A、B和C)
    s, e = best_span
    for cs, ce in cl:
        if cs >= e - base and raw_p[cs:ce].startswith(CONTINUATIONS) and cs - (e - base) <= 2:
            e = base + ce
    del texts
    return s, e


def lead_in(text: str) -> str:
    """Drop an enumeration marker such as 一是/二是 or (1) at the start of a span."""
    return re.sub(r"^(?:[一二三四五六七八九十]+是|[(（]\d+[)）]|\d+[、.])", "", text).strip()
