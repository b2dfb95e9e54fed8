"""Candidates: every piece of evidence that could answer a question in one plan, with the
features the scorer reads. Generators (one per evidence kind) sit in GENERATORS; the route
table of qa/reader.py says which run for which intent.

- target: a value of the graph's targets for an indicator that matches the subject
  (a target value, a baseline value, or an achievement, each its own candidate);
- cell: a by-year table cell (qa.tables.year_cell);
- sentence: a sentence (trimmed to its answering clauses) of the plan's top passages;
- list: a complete list from the graph (qa.lists, qa.indicator_lists).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

import numpy as np

from core.protocols import Workspace
from core.types import Citation
from core.zh import nfkc, norm
from ingest.sentences import sentence_spans
from kg.model import FORWARD_KINDS
from qa import evidence, extractive, indicator_lists, lists, tables
from qa.context import QAContext
from qa.graphview import GraphView
from qa.intent import Intent, Query
from qa.lexicon import Lexicon
from qa.position import Position
from qa.quantity import Quantity, parse_value
from qa.text import bigram_cover, has_number, lcs_cover
from qa.values import cite_target, format_target, with_unit

RETRO_WORDS = ("十三五", "回顾", "成就", "现状", "短板", "成效", "已完成", "累计完成", "已建成", "建成")
TARGET_RE = extractive.TARGET_RE
N_INDICATORS = 5
N_SENTENCES = 8


@dataclass
class Candidate:
    source: str                          # target | cell | sentence | list
    doc_id: str
    text: str                            # what the answer says
    citations: list[Citation]
    kind: str = "statement"              # target | baseline | status | milestone | statement | list
    label: str = ""                      # indicator label, or the evidence text
    evidence: str = ""                   # the cited text (features read it)
    year: Optional[int] = None
    quantity: Optional[Quantity] = None
    rank: int = 0
    raw: dict = field(default_factory=dict)     # generator-specific scores
    target: Any = None                   # the kg Target behind a target candidate
    claim: str = ""                      # what it asserts (label + value); text when empty
    context: str = ""                    # headings / table header / lead-in around the evidence
    features: dict[str, float] = field(default_factory=dict)
    p: float = 0.0                       # probability that this candidate answers (scorer)

    def brief(self) -> dict:
        return {"source": self.source, "doc": self.doc_id, "kind": self.kind,
                "text": self.text[:80], "p": round(self.p, 3),
                "features": {k: round(v, 3) for k, v in self.features.items() if v}}


@dataclass
class Env:
    """What generators read: the workspace, the QA context, the graph view and the lexicon."""
    ws: Workspace
    ctx: QAContext
    gv: GraphView
    lex: Lexicon


# ---- generators -------------------------------------------------------------------------
def target_candidates(env: Env, q: Query, doc_id: str) -> list[Candidate]:
    a = q.analysis
    by_key = env.gv.targets_by_indicator(doc_id)
    out: list[Candidate] = []
    for rank, (ref, score) in enumerate(env.ctx.match_indicators(a.terms, doc_id=doc_id)[:N_INDICATORS]):
        exact = 1.0 if env.ctx.label_in(ref, a.topic) else 0.0
        for t in by_key.get(ref.key, ()):
            cite = cite_target(env.ws, t)
            name = t.name_as_written or t.indicator_label
            raw = {"ind_score": score, "label_exact": exact}
            kinds = []
            forward = t.value_kind in FORWARD_KINDS
            if forward and t.target:
                kind = "milestone" if t.value_kind == "milestone" or (
                    t.year and _before_end(env, doc_id, t.year)) else "target"
                kinds.append((kind, format_target(t), t.target))
            elif not forward:
                kinds.append((t.value_kind if t.value_kind in ("baseline", "status") else "status",
                              format_target(t), t.baseline or t.target))
            if forward and t.baseline and t.baseline not in ("/", "-", "—"):
                base = with_unit(t.baseline, t.unit)
                kinds.append(("baseline", f"{name}:基期值{base}(规划目标{with_unit(t.target, t.unit)})",
                              base))
            for kind, text, value in kinds:
                out.append(Candidate("target", doc_id, text, [cite], kind=kind, label=name,
                                     evidence=cite.quote, year=t.year, rank=rank,
                                     claim=f"{name}:{with_unit(value, t.unit)}",
                                     context=env.ws.corpus.passage(t.passage_id).context,
                                     quantity=parse_value(str(with_unit(value, t.unit) or ""), env.lex),
                                     raw=dict(raw), target=t))
    return out


def _before_end(env: Env, doc_id: str, year: int) -> bool:
    per = env.ctx.docs[doc_id].period
    return bool(per) and year < per[1]


def cell_candidates(env: Env, q: Query, doc_id: str) -> list[Candidate]:
    """The by-year cell of an asked year, and the rows of a table that name an asked district."""
    out = []
    pos = tables.year_cell(env.ws, env.ctx, q.analysis, doc_id)
    if pos is not None:
        c = _from_position(pos, "cell", env.lex)
        c.quantity = parse_value(re.split(r"[::]", pos.text, maxsplit=1)[-1], env.lex)   # the cell
        c.year = q.slots.period.years[0] if q.slots.period.years else None
        out.append(c)
    pos = tables.district_rows(env.ws, env.ctx, q.analysis, doc_id)
    if pos is not None:
        out.append(_from_position(pos, "cell", env.lex))
    return out


def sentence_candidates(env: Env, q: Query, doc_id: str) -> list[Candidate]:
    a = q.analysis
    passages = extractive.retrieve(env.ws, a, doc_id, k=env.ws.cfg.top_k)
    scored = extractive.score_sentences(env.ctx, a, passages, doc_id)[:N_SENTENCES]
    raw_text = env.ws.corpus.raw(doc_id)
    out = []
    for rank, sc in enumerate(scored):
        s, e = extractive.trim(env.ctx, a, sc, doc_id)
        text = row_text(sc.passage) if sc.passage.kind == "table_row" else extractive.lead_in(raw_text[s:e])
        cite = env.ws.corpus.citation(sc.passage, s, e)
        joined = join_around_spam(env.ws.corpus, sc.passage, s, e)
        if joined is not None and sc.passage.kind != "table_row":
            text, cites = joined
        else:
            cites = [cite]
        sent = sc.text                      # the whole sentence (its vector is warmed at build)
        retro = any(w in (sc.passage.section_path or "") for w in RETRO_WORDS[:6]) or "十三五" in sent
        kind = "status" if retro else ("target" if TARGET_RE.search(sent) else "statement")
        years = [int(y) for y in re.findall(r"(?<!\d)(20\d\d)(?!\d)", sent)]
        lead = sc.passage.text[:s - sc.passage.start][-60:]
        out.append(Candidate("sentence", doc_id, text, cites, kind=kind, label=sent, evidence=sent,
                             context=f"{sc.passage.context or sc.passage.section_path} {lead}",
                             year=years[0] if years else None, rank=rank,
                             quantity=parse_value(sent, env.lex) if has_number(sent) else None,
                             raw={"cover": sc.cover, "local": sc.local, "pcover": sc.pcover,
                                  "table_row": 1.0 if sc.passage.kind == "table_row" else 0.0,
                                  "passage_rank": sc.rank}))
    return out


NUMBER_ONLY = re.compile(r"[≤≥<>≈约]?\s*\d+(?:\.\d+)?")
SKIP_COLUMNS = ("序号", "编号", "No", "no")


def row_text(p) -> str:
    """A table row as the plan's own column names and values, each value with its unit (the
    header's unit, or the row's unit column): 指标名称:城市供水管网漏损率;2020年:10%;…"""
    rec = p.meta.get("record") or {}
    units = p.meta.get("units") or {}
    row_unit = p.meta.get("unit") or ""
    parts = []
    for col, val in rec.items():
        val = nfkc(val or "").strip()     # shown at normal width
        if not val or col in SKIP_COLUMNS or col == p.meta.get("unit_column"):
            continue
        unit = units.get(col) or row_unit
        if unit and NUMBER_ONLY.fullmatch(val):
            val += unit
        parts.append(f"{nfkc(col).replace(' ', '')}:{val}")
    return ";".join(parts) or p.text


def join_around_spam(corpus, p, s: int, e: int) -> Optional[tuple[str, list[Citation]]]:
    """A sentence that a removed spam string cut in two (the passage was split at it) is
    joined around it: the part before the string and the part after, each cited as the raw
    slice it is; the shown text never holds the spam. None when [s, e) is not cut."""
    if not p.meta.get("spam_split"):
        return None
    raw = corpus.raw(p.doc_id)
    spans = [x for x in corpus.spam if x.doc_id == p.doc_id]
    after = next((x for x in spans if x.start == p.end), None)
    before = next((x for x in spans if x.end == p.start), None)
    parts = [(s, e)]
    if after is not None and e == p.end:
        nxt = next((q for q in corpus.passages if q.doc_id == p.doc_id and q.start == after.end), None)
        if nxt is not None:
            first = sentence_spans(raw, nxt.start, nxt.end)[:1]
            parts += [(first[0][0], first[0][1], nxt)] if first else []
    if before is not None and s == p.start:
        prv = next((q for q in corpus.passages if q.doc_id == p.doc_id and q.end == before.start), None)
        if prv is not None:
            last = sentence_spans(raw, prv.start, prv.end)[-1:]
            parts = ([(last[0][0], last[0][1], prv)] if last else []) + parts
    if len(parts) == 1:
        return None
    cites = []
    for part in parts:
        ps, pe = part[0], part[1]
        owner = part[2] if len(part) == 3 else p
        cites.append(corpus.citation(owner, ps, pe))
    return "".join(c.quote for c in cites), cites


def list_candidates(env: Env, q: Query, doc_id: str) -> list[Candidate]:
    a = q.analysis
    out = []
    pos = indicator_lists.indicators(env, q, doc_id)
    if pos is not None:
        out.append(_from_position(pos, "list", env.lex, {"list_match": 1.0}, env))
    for fn in (lists.regulations, lists.issuers, lists.districts, lists.projects):
        pos = fn(env.ws, env.ctx, env.gv, a, doc_id)
        if pos is not None:
            pos = lists.with_context(env.ws, a, pos)
            kind = fn.__name__
            match = 1.0 if q.slots.list_of is not None and kind.startswith(q.slots.list_of.value[:5]) else 0.0
            out.append(_from_position(pos, "list", env.lex, {"list_match": match}, env))
    return out


def _from_position(pos: Position, source: str, lex: Lexicon, raw: Optional[dict] = None,
                   env: Optional[Env] = None) -> Candidate:
    """A candidate from a route's position; a list's evidence is the passages its items are
    written in (so coverage reads the sentence that introduces them)."""
    if env is not None and source == "list":
        pids = list(dict.fromkeys(c.passage_id for c in pos.citations))[:6]
        ev = " ".join(env.ws.corpus.passage(p).text for p in pids)
    else:
        ev = " ".join(c.quote for c in pos.citations)
    return Candidate(source, pos.doc_id, pos.text, list(pos.citations),
                     kind="list" if source == "list" else "statement", label=pos.text, evidence=ev,
                     quantity=parse_value(pos.text, lex) if has_number(pos.text) else None,
                     raw=dict(raw or {}))


GENERATORS: dict[str, Callable[[Env, Query, str], list[Candidate]]] = {
    "target": target_candidates, "cell": cell_candidates, "sentence": sentence_candidates,
    "list": list_candidates,
}


def claim_key(c: Candidate) -> tuple:
    """What a candidate asserts, for telling candidates apart: its number and unit family
    when it states one (two sources of one value agree), else its text."""
    if c.quantity is not None and c.source in ("target", "cell"):
        return ("value", round(c.quantity.value, 6), c.quantity.family)
    return ("text", c.text)


# ---- features ---------------------------------------------------------------------------
FEATURES = (
    "src_target", "src_cell", "src_sentence", "src_list",
    "ind_score", "label_exact", "cover", "local", "pcover", "subj_recall", "label_precision",
    "sem_question", "sem_subject", "sem_gap", "rank_rr", "has_number", "number_missing",
    "period_agree", "period_conflict", "unit_agree", "unit_conflict", "place_agree",
    "place_missing", "retro_for_target", "list_match", "explain_sentence", "value_target",
    "phrase_cover", "anchor_missing", "year_missing", "strong_missing",
    "q_value", "q_baseline", "q_fact", "q_explain", "q_list", "q_side",
)


def featurize(env: Env, q: Query, doc_id: str, cands: list[Candidate]) -> None:
    """Fill every candidate's `features` (names in FEATURES; absent = 0)."""
    if not cands:
        return
    a = q.analysis
    subject = q.slots.subject or a.query
    sem_q, sem_s = _semantic(env, q, subject, cands)
    best_sem = max(sem_q) if sem_q else 0.0
    asked = q.slots.period.for_plan(env.ctx.docs[doc_id].period)
    numeric = (Intent.VALUE, Intent.BASELINE)
    value_like = q.intent in numeric or q.sub_intent in numeric \
        or bool(q.slots.quantity.family)
    places = a.district_names(doc_id)
    anchor = max((t for t in a.terms if len(t) >= 3 and t not in a.light_terms), key=len, default="")
    per = env.ctx.docs[doc_id].period
    strong = evidence.strong_indicator(env.ctx, a)
    several = q.intent in (Intent.COMPARE, Intent.ARITHMETIC)
    side_intent = q.sub_intent if several and q.sub_intent else q.intent
    for c, sq, ss in zip(cands, sem_q, sem_s):
        f = {f"src_{c.source}": 1.0}
        ev = c.evidence or c.text
        f.update({k: float(v) for k, v in c.raw.items() if k in FEATURES})
        if c.source != "sentence":
            f["cover"] = extractive.term_cover(env.ctx, a.terms, ev + " " + c.label)
        f["subj_recall"] = bigram_cover(subject, ev + " " + c.label) if subject else 0.0
        f["label_precision"] = lcs_cover(norm(c.label)[:30], q.text) if c.source == "target" else 0.0
        f["sem_question"], f["sem_subject"] = sq, ss
        f["sem_gap"] = sq - best_sem
        f["rank_rr"] = 1.0 / (1 + c.rank)
        num = has_number(c.text)
        f["has_number"] = 1.0 if num else 0.0
        f["number_missing"] = 1.0 if value_like and not num else 0.0
        kind = c.kind
        if asked in ("baseline", "past"):
            agree = kind in ("baseline", "status") or (c.year is not None and c.year < _start(env, doc_id))
            conflict = kind in ("target", "milestone")
        elif asked in ("target",):
            agree = kind == "target"
            conflict = kind in ("status", "baseline")
        elif asked == "milestone":
            agree = c.year in q.slots.period.years
            conflict = c.year is not None and c.year not in q.slots.period.years
        elif asked == "beyond":
            agree, conflict = False, True
        else:
            agree, conflict = kind == "target", False
        f["period_agree"], f["period_conflict"] = float(agree), float(conflict)
        fam = q.slots.quantity.family
        if fam and c.quantity is not None and c.quantity.family:
            f["unit_agree"] = float(c.quantity.family == fam)
            f["unit_conflict"] = float(c.quantity.family != fam)
        elif fam and num:
            f["unit_agree"] = float(_family_in(env.lex, fam, c.text))
        if places:
            hit = any(p in ev or p in c.text for p in places)
            f["place_agree"], f["place_missing"] = float(hit), float(not hit)
        f["retro_for_target"] = float(kind == "status" and asked == "target")
        f["explain_sentence"] = float(c.source == "sentence" and q.intent == Intent.EXPLAIN)
        f["value_target"] = float(c.source == "target" and value_like)
        seen = f"{c.text} {ev} {c.label} {c.context}"
        if a.phrase:
            f["phrase_cover"] = lcs_cover(a.phrase, seen)
        if anchor:
            f["anchor_missing"] = float(not evidence.near(anchor, seen))
        # a year the plan's columns stand for (its baseline year, its end year) is met by a
        # value of that kind; any other asked year must be written in the evidence
        needed = [y for y in q.slots.period.years
                  if not (per and y == per[0] - 1 and kind in ("baseline", "status"))
                  and not (per and y == per[1] and kind == "target")]
        if needed:
            f["year_missing"] = float(any(str(y) not in seen for y in needed))
        if strong is not None:
            f["strong_missing"] = float(not evidence.mentions(strong.core, seen))
        f[f"q_{side_intent.value}"] = 1.0
        f["q_side"] = float(q.intent in (Intent.COMPARE, Intent.ARITHMETIC) or len(q.slots.doc_ids) > 1)
        c.features = {k: f.get(k, 0.0) for k in FEATURES}


def _family_in(lex: Lexicon, fam: str, text: str) -> bool:
    units = lex.cues.get("units", {}).get(fam, [])
    return any(u in text for u in units)


def _start(env: Env, doc_id: str) -> int:
    per = env.ctx.docs[doc_id].period
    return per[0] if per else 0


def _semantic(env: Env, q: Query, subject: str, cands: list[Candidate]) -> tuple[list[float], list[float]]:
    """Cosine of the question, and of its subject phrase, with each candidate's evidence (the
    label for graph targets): m3e on short phrases as well as whole sentences."""
    ctx = env.ctx
    if ctx.embed is None:
        return [0.0] * len(cands), [0.0] * len(cands)
    texts = [(c.label if c.source == "target" else (c.evidence or c.text))[:200] for c in cands]
    qv = ctx.embed([q.analysis.query or q.text, subject or q.text])
    vecs = ctx.vectors([("cand", t) for t in texts], texts)
    sims = np.asarray(vecs) @ np.asarray(qv).T
    return [float(x) for x in sims[:, 0]], [float(x) for x in sims[:, 1]]
