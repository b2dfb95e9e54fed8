"""Answer-level evaluation (DESIGN §7), per question type and overall:

- answer_accuracy: answerable questions (type != abstain) that are found and whose answer text
  contains every `answer_values` item, after normalising width (NFKC), spaces and ≤/<= ≥/>=;
- abstain_accuracy: abstain questions answered with found == false;
- citation_validity: share of citations (and related passages) whose quote equals
  raw_text[start:end] of the cited plan;
- evidence_hit: questions with gold evidence where some citation overlaps a gold quote span
  in the same plan.
Also ask latency (p50/p95 ms) and the list of failed question ids.
"""
from __future__ import annotations

import time
from typing import Any, Iterable, Optional

from core.errors import PlanGraphError
from core.protocols import Workspace
from core.zh import norm


def normalize(text: str) -> str:
    """The matching form (core.zh.norm): width, case, spaces and ≤/<= folded."""
    return norm(text)


def values_present(answer_text: str, values: Iterable[str]) -> bool:
    a = normalize(answer_text)
    return all(normalize(v) in a for v in values)


def gold_spans(ws: Workspace, evidence: list[dict]) -> list[tuple[str, int, int]]:
    """Every occurrence of each gold quote in its plan's raw text."""
    out = []
    for ev in evidence or []:
        doc, quote = ev.get("doc"), ev.get("quote") or ""
        if doc not in ws.corpus.documents or not quote:
            continue
        raw = ws.corpus.raw(doc)
        i = raw.find(quote)
        while i >= 0:
            out.append((doc, i, i + len(quote)))
            i = raw.find(quote, i + 1)
    return out


def citation_ok(ws: Workspace, c: Any) -> bool:
    if c.doc not in ws.corpus.documents:
        return False
    raw = ws.corpus.raw(c.doc)
    return 0 <= c.start < c.end <= len(raw) and raw[c.start:c.end] == c.quote


def _ratio(num: float, den: float):
    return round(num / den, 4) if den else None


def auroc(scores: list[float], labels: list[bool]) -> Optional[float]:
    """Probability that a right answer has a higher confidence than a wrong one (ties 1/2)."""
    pos = [s for s, y in zip(scores, labels) if y]
    neg = [s for s, y in zip(scores, labels) if not y]
    if not pos or not neg:
        return None
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


def ece(scores: list[float], labels: list[bool], bins: int = 10) -> Optional[float]:
    """Expected calibration error over equal-width confidence bins."""
    if not scores:
        return None
    total = 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        idx = [i for i, s in enumerate(scores) if lo <= s < hi or (b == bins - 1 and s == 1.0)]
        if idx:
            conf = sum(scores[i] for i in idx) / len(idx)
            acc = sum(labels[i] for i in idx) / len(idx)
            total += len(idx) / len(scores) * abs(conf - acc)
    return total


def _summary(rows: list[dict]) -> dict:
    answerable = [r for r in rows if r["type"] != "abstain"]
    abstain = [r for r in rows if r["type"] == "abstain"]
    with_ev = [r for r in rows if r["evidence_hit"] is not None]
    n_cit = sum(r["n_citations"] for r in rows)
    out = {"n": len(rows),
           "answer_accuracy": _ratio(sum(r["correct"] for r in answerable), len(answerable)),
           "abstain_accuracy": _ratio(sum(not r["found"] for r in abstain), len(abstain)),
           "citation_validity": _ratio(sum(r["valid_citations"] for r in rows), n_cit) if n_cit else 1.0,
           "evidence_hit": _ratio(sum(r["evidence_hit"] for r in with_ev), len(with_ev))}
    # confidence of found answers against being right (abstain questions answered are wrong)
    found = [r for r in rows if r["found"] and "confidence" in r]
    scores = [r["confidence"] for r in found]
    right = [bool(r["correct"]) for r in found]
    a, e = auroc(scores, right), ece(scores, right)
    out["confidence_auroc"] = round(a, 4) if a is not None else None
    out["ece"] = round(e, 4) if e is not None else None
    return {k: v for k, v in out.items() if v is not None}


def _pct(xs: list[float], q: float) -> float:
    if not xs:
        return 0.0
    s = sorted(xs)
    return round(s[min(len(s) - 1, int(round(q * (len(s) - 1))))], 1)


def evaluate(ws: Workspace, questions: list[dict]) -> dict:
    import qa
    rows, times = [], []
    for q in questions:
        t0 = time.perf_counter()
        try:
            ans = qa.answer(ws, q["question"], qid=q.get("id"))
        except PlanGraphError as e:
            rows.append({"id": q.get("id"), "type": q.get("type", "unknown"), "found": False,
                         "correct": False, "n_citations": 0, "valid_citations": 0,
                         "evidence_hit": None, "error": str(e)})
            continue
        times.append((time.perf_counter() - t0) * 1000)
        cites = list(ans.citations) + list(ans.related)
        gold = gold_spans(ws, q.get("evidence", []))
        hit = None
        if gold:
            hit = any(c.doc == d and c.start < e and s < c.end
                      for c in ans.citations for d, s, e in gold)
        typ = q.get("type", "unknown")
        correct = ans.found and values_present(ans.answer, q.get("answer_values", []))
        rows.append({"id": q.get("id"), "type": typ, "found": ans.found, "correct": correct,
                     "confidence": float(ans.confidence),
                     "n_citations": len(cites),
                     "valid_citations": sum(citation_ok(ws, c) for c in cites),
                     "evidence_hit": hit})
    by_type = {}
    for t in sorted({r["type"] for r in rows}):
        by_type[t] = _summary([r for r in rows if r["type"] == t])
    failures = [{"id": r["id"], "type": r["type"],
                 "why": ("should abstain" if r["type"] == "abstain" and r["found"] else
                         "wrong/missing answer" if r["type"] != "abstain" and not r["correct"] else
                         "evidence missed" if r["evidence_hit"] is False else "invalid citation")}
                for r in rows
                if (r["type"] == "abstain" and r["found"]) or (r["type"] != "abstain" and not r["correct"])
                or r["evidence_hit"] is False or r["valid_citations"] < r["n_citations"]]
    overall = _summary(rows)
    overall["ask_p50_ms"] = _pct(times, 0.5)
    overall["ask_p95_ms"] = _pct(times, 0.95)
    return {"system": {"overall": overall, "by_type": by_type}, "answer_failures": failures}
