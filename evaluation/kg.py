"""Extraction quality against a gold entity list (DESIGN §7), e.g. kg_dev_shaoxing.json.

Matching (documented so numbers can be read):
- indicators: a gold row is *located* by an extracted target of the same plan whose name is
  similar (normalised containment, or character-bigram Dice >= 0.5, against the name as
  written or the aligned indicator's label) or whose evidence span overlaps one of the gold
  quotes in the raw text; it is *matched* when that target's value also equals the gold target
  (or, for an achieved figure, the gold baseline), 万/亿 multipliers applied. Assignment is
  one-to-one. recall = matched / gold; value_accuracy = matched / located; precision = share
  of extracted targets that match some gold row by value and by name or quote.
- regulations: normalised title; status_accuracy over matched titles.
- districts: name (county-level extractions only: 区/县/市).
- projects: normalised name similarity (as indicators) or quote overlap with name similarity
  >= 0.3; recall is also given for table rows and text separately.
- organizations: normalised name similarity >= 0.6.
- values (evaluation/kg_quality.py): forward-target recall, kind, period and scope accuracy
  over matched rows, review values labelled as targets; over the whole graph: the share of
  values with a number, the junk rate of a hand-labelled name sample and the precision of
  cross-plan indicator pairs against hand labels (evaluation/gold/kg_*_sample.json).
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Iterable, Optional

from core.errors import PlanGraphError
from core.protocols import Workspace
from core.zh import nfkc
from evaluation import kg_quality as quality
from kg.values import find_values, magnitude

_DROP = re.compile(r"[\s“”\"'‘’「」『』《》()（）\[\]【】、,，.。:：;；\-—/]")


def norm(text: str) -> str:
    return _DROP.sub("", nfkc(text or ""))


def _bigrams(s: str) -> set[str]:
    return {s[i:i + 2] for i in range(len(s) - 1)} or ({s} if s else set())


def name_sim(a: str, b: str) -> float:
    a, b = norm(a), norm(b)
    if not a or not b:
        return 0.0
    if (len(a) >= 2 and a in b) or (len(b) >= 2 and b in a):
        return 1.0
    x, y = _bigrams(a), _bigrams(b)
    return 2 * len(x & y) / (len(x) + len(y))


def _gold_mag(text: Optional[str], unit: Optional[str]) -> Optional[float]:
    if not text:
        return None
    vals = find_values(nfkc(text).replace(" ", ""), bare_ok=True)
    if not vals:
        return None
    v = vals[0]
    u = v.unit if v.unit and v.unit not in ("多", "余") else (unit or "")
    if v.unit in ("万", "亿", "千"):
        u = v.unit + (unit or "")
    return magnitude(v.value, u)


def _close(a: Optional[float], b: Optional[float]) -> bool:
    return a is not None and b is not None and abs(a - b) <= 1e-6 * max(1.0, abs(a), abs(b))


def _spans(raw: str, quotes: Iterable[str]) -> list[tuple[int, int]]:
    out = []
    for q in quotes:
        if not q:
            continue
        i = raw.find(q)
        while i >= 0:
            out.append((i, i + len(q)))
            i = raw.find(q, i + 1)
    return out


def _overlaps(s: int, e: int, spans: list[tuple[int, int]]) -> bool:
    return any(s < b and a < e for a, b in spans)


def _prf(matched: int, gold: int, correct_pred: int, pred: int) -> dict[str, Any]:
    return {"precision": round(correct_pred / pred, 3) if pred else 0.0,
            "recall": round(matched / gold, 3) if gold else 0.0,
            "gold": gold, "extracted": pred, "matched": matched}


def score_indicators(gold: list[dict], targets: list, raw: str) -> dict[str, Any]:
    info = []
    for g in gold:
        spans = _spans(raw, [g.get("quote", "")] + list(g.get("also_quotes") or []))
        mags = [m for m in (_gold_mag(g.get("target"), g.get("unit")),
                            _gold_mag(g.get("baseline"), g.get("unit"))) if m is not None]
        info.append((g, spans, mags))
    pairs = []
    correct_pred = set()
    for ti, t in enumerate(targets):
        tm = magnitude(t.value, t.unit) if t.value is not None else None
        for gi, (g, spans, mags) in enumerate(info):
            sim = max(name_sim(g["name"], t.name_as_written),
                      name_sim(g["name"], t.indicator_label or ""))
            span = _overlaps(t.evidence_start, t.evidence_end, spans)
            if sim < 0.5 and not span:
                continue
            value_ok = any(_close(tm, m) for m in mags)
            if value_ok:
                correct_pred.add(ti)
            pairs.append((value_ok, span, sim, gi, ti))
    pairs.sort(reverse=True)
    used_g, used_t, matched, located = set(), set(), 0, 0
    assigned: list[tuple[int, int, bool]] = []
    for value_ok, span, sim, gi, ti in pairs:
        if gi in used_g or ti in used_t:
            continue
        used_g.add(gi)
        used_t.add(ti)
        located += 1
        matched += int(value_ok)
        assigned.append((gi, ti, value_ok))
    out = _prf(matched, len(gold), len(correct_pred), len(targets))
    out["value_accuracy"] = round(matched / located, 3) if located else 0.0
    out.update(quality.value_quality(gold, targets, assigned))
    out["missed"] = [g["name"] for gi, (g, _, _) in enumerate(info) if gi not in used_g or
                     not any(p[0] for p in pairs if p[3] == gi)][:60]
    return out


def score_named(gold: list[dict], preds: list, raw: str, key: str, pred_name,
                threshold: float, quote_threshold: Optional[float] = None) -> tuple[dict, dict]:
    pairs = []
    for gi, g in enumerate(gold):
        spans = _spans(raw, [g.get("quote", "")] + list(g.get("also_quotes") or []))
        for pi, p in enumerate(preds):
            sim = name_sim(g[key], pred_name(p))
            ok = sim >= threshold
            if not ok and quote_threshold is not None and sim >= quote_threshold:
                ok = _overlaps(p.start, p.end, spans)
            if ok:
                pairs.append((sim, gi, pi))
    pairs.sort(reverse=True)
    used_g, used_p, assign = set(), set(), {}
    for sim, gi, pi in pairs:
        if gi in used_g or pi in used_p:
            continue
        used_g.add(gi)
        used_p.add(pi)
        assign[gi] = pi
    correct = {pi for _, _, pi in pairs}
    return _prf(len(assign), len(gold), len(correct), len(preds)), assign


def evaluate(ws: Workspace, gold_path: Path, details: bool = False) -> dict[str, Any]:
    """Per kind: precision, recall (+ value_accuracy / status_accuracy); `details` adds the
    missed gold names and wrong statuses."""
    try:
        gold = json.loads(Path(gold_path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise PlanGraphError(f"kg gold {gold_path}: {e}") from None
    return score(gold, ws.graph, ws.corpus, details)


def score(gold: dict, graph, corpus, details: bool = True) -> dict[str, Any]:
    docs = sorted({r.get("doc") or gold.get("_meta", {}).get("doc")
                   for kind in ("indicators", "regulations", "districts", "projects",
                                "organizations") for r in gold.get(kind, [])} - {None})
    report: dict[str, Any] = {}
    for doc in docs:
        if doc not in corpus.documents:
            raise PlanGraphError(f"kg gold names document {doc!r}, not in the corpus")
    rows = lambda kind, d: [r for r in gold.get(kind, [])  # noqa: E731
                            if (r.get("doc") or gold.get("_meta", {}).get("doc")) == d]
    parts: dict[str, list[dict]] = {}
    for d in docs:
        raw = corpus.raw(d)
        parts.setdefault("indicators", []).append(
            score_indicators(rows("indicators", d), graph.targets(d), raw))
        regs = graph.regulations(d)
        r, assign = score_named(rows("regulations", d), regs, raw, "title",
                                lambda p: p.title, 0.999)
        g_regs = rows("regulations", d)
        ok = sum(1 for gi, pi in assign.items() if regs[pi].status == g_regs[gi].get("status"))
        r["status_accuracy"] = round(ok / len(assign), 3) if assign else 0.0
        r["wrong_status"] = [(g_regs[gi]["title"], regs[pi].status, g_regs[gi].get("status"))
                             for gi, pi in assign.items()
                             if regs[pi].status != g_regs[gi].get("status")]
        r["missed"] = [g["title"] for gi, g in enumerate(g_regs) if gi not in assign]
        parts.setdefault("regulations", []).append(r)
        dists = [x for x in graph.districts(d) if x.level in ("区", "县", "市")]
        r, _ = score_named(rows("districts", d), dists, raw, "name", lambda p: p.name, 0.999)
        parts.setdefault("districts", []).append(r)
        projs = graph.projects(d)
        g_proj = rows("projects", d)
        r, assign = score_named(g_proj, projs, raw, "name", lambda p: p.name, 0.5, 0.3)
        table = [gi for gi, g in enumerate(g_proj) if "表" in (g.get("source") or "")]
        text = [gi for gi in range(len(g_proj)) if gi not in table]
        r["recall_table"] = round(sum(gi in assign for gi in table) / len(table), 3) if table else None
        r["recall_text"] = round(sum(gi in assign for gi in text) / len(text), 3) if text else None
        r["missed"] = [g_proj[gi]["name"] for gi in range(len(g_proj)) if gi not in assign]
        parts.setdefault("projects", []).append(r)
        r, assign = score_named(rows("organizations", d), graph.organizations(d), raw, "name",
                                lambda p: p.name, 0.6)
        r["missed"] = [g["name"] for gi, g in enumerate(rows("organizations", d)) if gi not in assign]
        parts.setdefault("organizations", []).append(r)
    for kind, lst in parts.items():
        report[kind] = lst[0] if len(lst) == 1 else _combine(lst)
        if not details:
            report[kind] = {k: v for k, v in report[kind].items() if not isinstance(v, list)}
    report.update(quality.graph_quality(graph, details))
    return report


def _combine(lst: list[dict]) -> dict:
    gold = sum(x["gold"] for x in lst)
    pred = sum(x["extracted"] for x in lst)
    matched = sum(x["matched"] for x in lst)
    correct = sum(round(x["precision"] * x["extracted"]) for x in lst)
    return _prf(matched, gold, correct, pred)
