"""Example questions for the 问答 tab, generated from the graph of whatever plans are loaded:
indicator look-ups for real targets of real plans, one comparison across plans, one list."""
from __future__ import annotations

from collections import Counter
from typing import Any

from qa.values import target_parts
from web.ui.data import UIData, label_of, value_text, year_of


def _city(data: UIData, doc_id: str) -> str:
    plan = data.plan(doc_id)
    return plan.city if plan else doc_id


def _horizon(targets: list, period: str) -> str:
    """The plan's target year: the most common year among its stated targets (ties: later)."""
    years = Counter(y for y in (year_of(t, period) for t in targets) if y)
    if not years:
        return ""
    return max(years.items(), key=lambda kv: (kv[1], kv[0]))[0]


def _score(t: Any, horizon: str, period: str) -> tuple:
    """Prefer stated targets that read like indicators: for the plan's target year, from a
    table or with bindingness, a short name; ties broken by position in the plan."""
    label = label_of(t)
    return (year_of(t, period) != horizon,
            not (t.bindingness or t.source == "table"),
            len(label) > 12, t.evidence_start)


def indicator_questions(data: UIData, per_plan: int = 2) -> list[str]:
    out: list[str] = []
    used_labels: set[str] = set()
    for plan in data.plans:
        period = str(data.corpus.documents[plan.doc_id].meta.get("period", "") or "")
        cands = [t for t in data.targets if t.doc_id == plan.doc_id and label_of(t)
                 and not target_parts(t).achieved and value_text(t) and len(label_of(t)) <= 20]
        horizon = _horizon(cands, period)
        n = 0
        for t in sorted(cands, key=lambda t: _score(t, horizon, period)):
            if n >= per_plan:
                break
            label = label_of(t)
            if label in used_labels:
                continue
            year = year_of(t, period)
            out.append(f"{plan.city}到{year}年{label}目标是多少?" if year
                       else f"{plan.city}{label}的目标是多少?")
            used_labels.add(label)
            n += 1
    return out


def comparison_question(data: UIData) -> str:
    if len(data.plans) < 2:
        return ""
    order = [p.doc_id for p in data.plans]
    covered: dict[str, set[str]] = {}
    for t in data.targets:
        if not target_parts(t).achieved:
            covered.setdefault(t.indicator_iri, set()).add(t.doc_id)
    shared = [i for i in data.indicators if len(covered.get(i.iri, ())) >= 2]
    shared.sort(key=lambda i: (-len(covered[i.iri]), len(i.pref_label) > 12, i.pref_label))
    for ind in shared:
        docs = [d for d in order if d in covered[ind.iri]]
        a, b = _city(data, docs[0]), _city(data, docs[1])
        if a != b:
            return f"{a}和{b}的{ind.pref_label}目标分别是多少?"
    cats: dict[str, set[str]] = {}
    for t in data.targets:
        if t.category:
            cats.setdefault(t.category, set()).add(t.doc_id)
    for cat, docs in sorted(cats.items(), key=lambda kv: -len(kv[1])):
        ds = [d for d in order if d in docs]
        if len(ds) >= 2 and _city(data, ds[0]) != _city(data, ds[1]):
            return f"{_city(data, ds[0])}和{_city(data, ds[1])}在{cat}方面各提了什么目标?"
    a, b = data.plans[0].city, data.plans[1].city
    return f"{a}和{b}的城市管理目标有何不同?" if a != b else ""


def list_question(data: UIData) -> str:
    counts: Counter[tuple[str, str]] = Counter()
    for t in data.targets:
        cat = t.category or ""
        if cat:
            counts[(t.doc_id, cat)] += 1
    if not counts:
        return ""
    (doc_id, cat), _ = counts.most_common(1)[0]
    return f"{_city(data, doc_id)}规划在{cat}方面提出了哪些指标?"


def example_questions(data: UIData, limit: int = 8) -> list[str]:
    """A handful of questions built from the loaded graph (empty if it has no targets)."""
    try:
        extra = [comparison_question(data), list_question(data)]
        qs: list[Any] = indicator_questions(data)[:max(1, limit - len(extra))] + extra
    except Exception:   # examples are a convenience; never break the page over them
        return []
    seen, out = set(), []
    for q in qs:
        if q and q not in seen:
            seen.add(q)
            out.append(q)
    return out[:limit]
