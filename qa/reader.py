"""The decision model: question -> typed intent and slots (qa.intent) -> the routes of that
intent generate candidates in each plan asked about (qa.candidates) -> features -> fitted
scorer (qa.scorer) -> the best candidate answers when its calibrated probability clears the
fitted threshold, else the answer is "文件未提及". Comparisons decide each plan on its own;
arithmetic computes on the chosen values (qa.arith). Every answer carries details.trace.
"""
from __future__ import annotations

from typing import Optional

from core.types import Answer, Citation
from ingest.sentences import sentence_spans
from qa import arith
from qa.candidates import GENERATORS, Candidate, Env, claim_key, featurize
from qa.extractive import queries
from qa.intent import Intent, Query, parse
from qa.quantity import parse_value
from qa.scorer import Scorer, sigmoid
from qa.sides import Side, label_sides
from qa.values import cite_target, format_target

ROUTES: dict[Intent, tuple[str, ...]] = {
    Intent.VALUE: ("target", "cell", "sentence"),
    Intent.BASELINE: ("target", "cell", "sentence"),
    Intent.FACT: ("target", "cell", "sentence"),
    Intent.EXPLAIN: ("sentence",),
    Intent.LIST: ("list", "cell", "sentence"),
}
TRACE_CANDIDATES = 5
MAX_EXPLAIN_CHARS = 240         # longest explanation shown (about three plan sentences)
RELATED_K = 3


class Reader:
    def __init__(self, env: Env, scorer: Scorer):
        self.env = env
        self.scorer = scorer

    # ---- one plan -------------------------------------------------------------------------
    def side(self, q: Query, doc_id: str, intent: Optional[Intent] = None) -> Side:
        intent = intent or (q.sub_intent if q.intent in (Intent.COMPARE, Intent.ARITHMETIC) else q.intent)
        cands: list[Candidate] = []
        for name in ROUTES.get(intent, ROUTES[Intent.FACT]):
            cands += GENERATORS[name](self.env, q, doc_id)
        featurize(self.env, q, doc_id, cands)
        logits = self.scorer.logits([c.features for c in cands])
        for c, z in zip(cands, logits):
            c.p = sigmoid(float(z))
            c.raw["logit"] = float(z)
        cands.sort(key=lambda c: -c.raw["logit"])
        side = Side(doc_id, self.env.ctx.docs[doc_id].city, cands)
        if cands:
            top = cands[0].raw["logit"]
            second = next((c.raw["logit"] for c in cands[1:] if _differs(c, cands[0])), None)
            side.confidence = self.scorer.confidence(top, second, cands[0].features)
        return side

    # ---- a question -----------------------------------------------------------------------
    def answer(self, question: str, qid: Optional[str] = None) -> Answer:
        ans = self._answer(question, qid)
        ans.id = qid
        foreign = ans.details.get("trace", {}).get("slots", {}).get("foreign") or []
        if ans.found and foreign:      # 宁波和杭州…: answer what the plans hold, say what they do not
            ans.answer += f"(注:现有规划不含{'、'.join(foreign)}的规划)"
        return ans

    def _answer(self, question: str, qid: Optional[str] = None) -> Answer:
        q = parse(self.env.ctx, self.env.lex, question)
        trace = q.trace()
        self._prefetch(q)
        veto = self._veto(q)
        if veto:
            return self._abstain(q, veto, [], trace, decided_by="veto", confidence=0.95)
        if q.intent == Intent.ARITHMETIC:
            ans = arith.answer(self, q, qid, trace)
            if ans is not None:
                return ans
        sides = [self.side(q, d) for d in q.slots.doc_ids]
        label_sides(self.env, sides)
        if q.intent == Intent.COMPARE:
            return self._compose(q, sides, qid, trace)
        if len(sides) > 1:      # no plan named: answer from the plans that say
            thr = self.scorer.params.side_threshold
            saying = [s for s in sides if self.accepts(s, thr)]
            if len(saying) == 1:
                return self._single(q, saying[0], qid, trace, prefix=f"{saying[0].label}:")
            return self._compose(q, saying or sides, qid, trace)
        return self._single(q, sides[0], qid, trace)

    def _prefetch(self, q: Query) -> None:
        """Encode what this question will embed (its term windows for indicator matching, its
        retrieval queries, the question and its subject) in one batched call: every forward
        pass has a fixed cost. The embedder remembers the vectors for the later look-ups."""
        ctx, a = self.env.ctx, q.analysis
        if ctx.embed is None:
            return
        texts = ctx.window_texts(a.terms) + [a.query or q.text, q.slots.subject or q.text]
        for d in a.doc_ids:
            texts += queries(a, d)
        texts = [t for t in dict.fromkeys(texts) if t]
        if texts:
            ctx.embed(texts)

    def _veto(self, q: Query) -> str:
        cities = "、".join(dict.fromkeys(d.city for d in self.env.ctx.docs.values()))
        a = q.analysis
        if not any("\u4e00" <= ch <= "\u9fff" for ch in q.text):
            return f"文件未提及:问题中没有可检索的中文内容(现有规划:{cities})。请用中文提问。"
        if a.foreign and not a.cities and not a.districts:
            return (f"文件未提及{'、'.join(a.foreign)}:现有规划只覆盖{cities},"
                    f"不含{'、'.join(a.foreign)}的规划。")
        if not q.slots.terms and q.slots.list_of is None:
            return f"文件未提及:问题没有具体内容,无法在规划中查找(现有规划:{cities})。"
        kinds = {q.slots.period.for_plan(self.env.ctx.docs[d].period) for d in q.slots.doc_ids}
        if kinds == {"beyond"}:
            years = "、".join(str(y) for y in q.slots.period.years) or "所问时期"
            return f"文件未提及:现有规划的期限不含{years}年,规划未给出该时期的内容。"
        return ""

    def _single(self, q: Query, s: Side, qid, trace: dict, prefix: str = "") -> Answer:
        trace.update(self._trace_side(s))
        best = s.best
        if best is None or s.confidence < self.scorer.threshold_for(q.intent.value):
            return self._abstain(q, _not_found(s, q), s.candidates, trace,
                                 decided_by="below threshold" if best else "no candidate",
                                 confidence=1.0 - s.confidence)
        trace["decided_by"] = f"best candidate ({best.source}) p={s.confidence:.2f} ≥ threshold"
        kind = {"target": "indicator", "cell": "indicator", "list": "list"}.get(best.source, "passage")
        if best.raw.get("table_row") and best.quantity is not None:
            kind = "indicator"
        text, cites = self._shown(best)
        if q.intent == Intent.EXPLAIN:
            text, cites = self._explanation(s, text, cites)
        return Answer(question=q.question, found=True, answer=prefix + text, kind=kind,
                      confidence=s.confidence, citations=cites, id=qid,
                      details={"trace": trace})

    def side_threshold(self, q: Query) -> float:
        """The fitted threshold a plan's side of a comparison must clear (per asked intent)."""
        return self.scorer.side_threshold_for((q.sub_intent or q.intent).value)

    @staticmethod
    def accepts(side: Side, threshold: float) -> bool:
        return side.best is not None and side.confidence >= threshold

    def _compose(self, q: Query, sides: list[Side], qid, trace: dict) -> Answer:
        thr = self.side_threshold(q)
        found = [s for s in sides if self.accepts(s, thr)]
        trace["sides"] = [{"doc": s.doc_id, "label": s.label, "p": round(s.confidence, 3),
                           "shown": s in found, **self._trace_side(s)} for s in sides]
        if not found:
            return self._abstain(q, "文件未提及:" + ";".join(_not_found(s, q) for s in sides),
                                 [c for s in sides for c in s.candidates[:1]], trace,
                                 decided_by="no plan above the side threshold",
                                 confidence=_prod(1 - s.confidence for s in sides))
        lines = []
        for s in sides:
            if s in found:
                lines.append(f"{s.label}:{s.best.text}")
            else:
                what = "该项具体目标" if q.sub_intent in (Intent.VALUE, Intent.BASELINE) else "该项内容"
                lines.append(f"{s.label}规划未提出{what}")
        conf = _prod(s.confidence if s in found else 1 - s.confidence for s in sides)
        trace["decided_by"] = f"{len(found)} of {len(sides)} plans above the side threshold"
        cites = [c for s in found for c in s.best.citations]
        return Answer(question=q.question, found=True, answer=";".join(lines),
                      kind="comparison" if len(sides) > 1 else "passage", confidence=conf,
                      citations=cites, id=qid, details={"trace": trace, "positions": [
                          {"doc": s.doc_id, "city": s.city, "found": s in found,
                           "answer": s.best.text if s in found else "",
                           "confidence": round(s.confidence, 3),
                           "citations": [c.to_dict() for c in (s.best.citations if s in found else [])]}
                          for s in sides]})

    def _shown(self, c: Candidate) -> tuple[str, list[Citation]]:
        """What a chosen candidate shows: a target value is shown as its indicator's row (the
        plan's table row for that value when there is one: target, baseline, bindingness)."""
        t = c.target
        if t is None or c.kind not in ("target", "milestone"):
            return c.text, c.citations
        lex = self.env.lex
        mine = parse_value(t.target or "", lex)
        same = [x for x in self.env.gv.targets_by_indicator(c.doc_id).get(t.indicator_iri, ())
                if x.value_kind in ("target", "milestone") and x.year == t.year and x is not t
                and mine is not None
                and (p := parse_value(x.target or "", lex)) is not None and p.value == mine.value]
        row = next((x for x in same if x.source == "table"), None)
        if row is None or t.source == "table":
            return c.text, c.citations
        cites = c.citations + [cite_target(self.env.ws, row)]
        return format_target(row), cites

    def _explanation(self, s: Side, text: str, cites: list[Citation]) -> tuple[str, list[Citation]]:
        """An explanation shows the best sentence with the sentence that follows it in its
        paragraph, and the other sentences the ranker also believes answer (probability over
        the answer threshold), in document order, within MAX_EXPLAIN_CHARS. The best
        sentence keeps its own text (joined around a removed spam string, if any)."""
        best = s.best
        pieces = [(cites[0].doc, cites[0].start, cites[-1].end, text, list(cites))]
        extra = []
        if best.citations:
            follow = _next_sentence(self.env, best.citations[-1])
            if follow is not None:
                extra.append(follow)
        for c in s.candidates[1:]:
            if c.source == "sentence" and c.p >= self.scorer.params.threshold and c.citations:
                extra.append(c.citations[0])
        total = len(text)
        for c in extra:
            overlaps = any(c.doc == d and c.start < e and st < c.end for d, st, e, _, _ in pieces)
            if overlaps or total + len(c.quote) > MAX_EXPLAIN_CHARS:
                continue
            pieces.append((c.doc, c.start, c.end, c.quote, [c]))
            total += len(c.quote)
        pieces.sort(key=lambda x: (x[0], x[1]))
        return "……".join(t for _, _, _, t, _ in pieces), [c for *_, cs in pieces for c in cs]

    def _abstain(self, q: Query, text: str, cands: list[Candidate], trace: dict,
                 decided_by: str, confidence: float) -> Answer:
        trace["decided_by"] = decided_by
        related: list[Citation] = []
        for c in cands:
            for cit in c.citations:
                new = all((cit.start, cit.end) != (r.start, r.end) for r in related)
                if len(related) < RELATED_K and new:
                    related.append(cit)
        return Answer(question=q.question, found=False, answer=text, kind="none",
                      confidence=max(0.0, min(1.0, confidence)), id=None, related=related,
                      details={"trace": trace})

    def _trace_side(self, s: Side) -> dict:
        out = []
        for c in s.candidates[:TRACE_CANDIDATES]:
            b = c.brief()
            b["logit"] = round(c.raw.get("logit", 0.0), 3)
            b["contributions"] = self.scorer.contributions(c.features)
            out.append(b)
        return {"candidates": out, "confidence": round(s.confidence, 3),
                "threshold": self.scorer.params.threshold, "thresholds": self.scorer.params.thresholds,
                "params": self.scorer.params.version}


def _next_sentence(env: Env, c: Citation) -> Optional[Citation]:
    """The sentence after a cited span in the same passage, if any."""
    p = env.ws.corpus.passage(c.passage_id)
    for st, en in sentence_spans(p.text, 0, len(p.text)):
        if p.start + st >= c.end:
            return env.ws.corpus.citation(p, p.start + st, p.start + en)
    return None


def _differs(a: Candidate, b: Candidate) -> bool:
    return claim_key(a) != claim_key(b)


def _prod(xs) -> float:
    out = 1.0
    for x in xs:
        out *= x
    return out


def _not_found(s: Side, q: Query) -> str:
    topic = q.slots.subject or "相关内容"
    return f"{s.city}规划未提及{topic}"
