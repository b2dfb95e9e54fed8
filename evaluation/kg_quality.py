"""Quality of the graph's values beyond matching (see evaluation/kg.py):

- forward_recall: gold rows that are targets or milestones (gold `kind`, else: source 现状值 or
  period 现状 = a past value) matched by value, over all such rows;
- kind_accuracy: matched rows whose extracted kind agrees forward/past with the gold (and
  kind4_accuracy on the four kinds where the gold gives them);
- period_accuracy: matched rows whose year (or five-year period, 末 ignored) equals the gold's;
- scope_accuracy: matched rows whose scope equals the gold `scope` (where the gold has one);
- review_as_target: matched rows that the gold calls past but the graph calls a target;
- numeric_share (graph): values whose text holds a digit that carry a number;
- names_sample: precision (share labelled a real indicator name) and junk rate of the names
  in evaluation/gold/kg_names_sample.json that the graph still extracts;
- aligned_pairs: cross-plan indicator pairs (two names of one concept from two plans), with
  precision against evaluation/gold/kg_align_sample.json (unlabelled pairs listed).
"""
from __future__ import annotations

import json
import re
from itertools import product
from pathlib import Path
from typing import Any

from core.periods import PERIOD_RE

GOLD = Path(__file__).resolve().parent / "gold"
FORWARD = ("target", "milestone")


def _gold_forward(g: dict) -> bool:
    if g.get("kind"):
        return g["kind"] in FORWARD
    return g.get("source") != "现状值" and g.get("year_or_period") not in ("现状",)


def _period_ok(g: dict, t) -> bool | None:
    text = str(g.get("year_or_period") or "")
    years = [int(y) for y in re.findall(r"(?:19|20)\d\d", text)]
    per = PERIOD_RE.search(text)
    if years:
        return t.year == years[-1] or (t.year is None and len(years) > 1)
    if per:
        mine = PERIOD_RE.search(t.period or "")
        return bool(mine) and mine.group(0) == per.group(0) and t.year is None or \
            (t.year is not None and per.group(0) == "十四五" and t.year == 2025)
    return None


def value_quality(gold: list[dict], targets: list, assigned: list[tuple[int, int, bool]]) -> dict:
    fwd = [i for i, g in enumerate(gold) if _gold_forward(g)]
    hit = {gi for gi, _, ok in assigned if ok}
    kinds = [(gold[gi], targets[ti]) for gi, ti, ok in assigned if ok]
    agree = [(t.value_kind in FORWARD) == _gold_forward(g) for g, t in kinds]
    four = [t.value_kind == g["kind"] for g, t in kinds if g.get("kind")]
    periods = [p for p in (_period_ok(g, t) for g, t in kinds) if p is not None]
    scopes = [(t.scope or "") == g["scope"] for g, t in kinds if "scope" in g]
    out: dict[str, Any] = {
        "forward_gold": len(fwd),
        "forward_recall": round(sum(i in hit for i in fwd) / len(fwd), 3) if fwd else None,
        "kind_accuracy": round(sum(agree) / len(agree), 3) if agree else None,
        "period_accuracy": round(sum(periods) / len(periods), 3) if periods else None,
        "review_as_target": sum(1 for g, t in kinds
                                if not _gold_forward(g) and t.value_kind in FORWARD),
        "missed_forward": [gold[i]["name"] for i in fwd if i not in hit]}
    if four:
        out["kind4_accuracy"] = round(sum(four) / len(four), 3)
    if scopes:
        out["scope_accuracy"] = round(sum(scopes) / len(scopes), 3)
        out["wrong_scope"] = [(g["name"], t.scope, g["scope"]) for g, t in kinds
                              if "scope" in g and (t.scope or "") != g["scope"]]
    return out


def _load(name: str) -> list[dict]:
    path = GOLD / name
    if not path.is_file():
        return []
    return json.loads(path.read_text(encoding="utf-8")).get("items", [])


def graph_quality(graph, details: bool = False) -> dict[str, Any]:
    ts = graph.targets()
    written = [t for t in ts if re.search(r"\d", (t.target or t.baseline or ""))]
    numeric = [t for t in written if (t.target_value if t.value_kind in FORWARD
                                       else t.baseline_value) is not None]
    out: dict[str, Any] = {"values": {
        "values": len(ts), "with_digits": len(written),
        "numeric_share": round(len(numeric) / len(written), 3) if written else None,
        "with_unit_code": round(sum(1 for t in numeric if t.unit_code) / len(numeric), 3)
        if numeric else None,
        "by_kind": {k: sum(1 for t in ts if t.value_kind == k)
                    for k in ("baseline", "status", "target", "milestone")}}}
    names = {(t.doc_id, t.name_as_written) for t in ts}
    sample = [s for s in _load("kg_names_sample.json") if (s["doc"], s["name"]) in names]
    if sample:
        ok = sum(1 for s in sample if s["ok"])
        out["names_sample"] = {"labelled": len(_load("kg_names_sample.json")),
                               "still_extracted": len(sample),
                               "precision": round(ok / len(sample), 3),
                               "junk_rate": round(1 - ok / len(sample), 3)}
        if details:
            out["names_sample"]["junk"] = [s["name"] for s in sample if not s["ok"]]
    pairs = aligned_pairs(graph)
    labels = {(a["a"], a["b"]): a["same"] for a in _load("kg_align_sample.json")}
    labels.update({(b, a): v for (a, b), v in list(labels.items())})
    judged = [labels[p] for p in pairs if p in labels]
    out["aligned_pairs"] = {"indicators_shared": len({i.iri for i in graph.indicators()
                                                     if len(i.doc_ids) > 1}),
                            "pairs": len(pairs), "labelled": len(judged),
                            "precision": round(sum(judged) / len(judged), 3) if judged else None}
    if details:
        out["aligned_pairs"]["unlabelled"] = [p for p in pairs if p not in labels]
    return out


def aligned_pairs(graph) -> list[tuple[str, str]]:
    """(name in one plan, name in another) for every indicator used by two plans."""
    by_ind: dict[str, dict[str, set]] = {}
    for t in graph.targets():
        if t.indicator_iri:
            by_ind.setdefault(t.indicator_iri, {}).setdefault(t.doc_id, set()).add(t.name_as_written)
    out = set()
    for docs in by_ind.values():
        ds = sorted(docs)
        for i, a in enumerate(ds):
            for b in ds[i + 1:]:
                out.update(tuple(sorted(p)) for p in product(docs[a], docs[b]))
    return sorted(out)
