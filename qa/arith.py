"""Arithmetic on parsed numbers with units: the difference between a plan's target and its
baseline, or between plans; a sum over a table row's or a sentence's values; a ratio; which
plan is higher. The answer shows every operand with its citation."""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Optional

from core.types import Answer
from qa.candidates import Candidate
from qa.intent import Intent, Operation, Query
from qa.quantity import Quantity, format_number, parse_value
from qa.sides import label_sides
from qa.values import cite_target, with_unit


def _unit(q: Quantity) -> str:
    return "个百分点" if q.family == "percent" else q.unit


def _value(reader, text: Optional[str], unit: str) -> Optional[Quantity]:
    if not text:
        return None
    return parse_value(str(with_unit(text, unit)), reader.env.lex)


def _with_year(q: Query, year: int) -> Query:
    period = replace(q.slots.period, years=(year,), five_year=())
    a = replace(q.analysis, years=[year], explicit_years=[year])
    return replace(q, slots=replace(q.slots, period=period), analysis=a)


def _operands_in_plan(reader, q: Query, doc_id: str) -> tuple[list[tuple[Candidate, Quantity]], float]:
    """Two values of the best matching indicator, later first, with the probability that
    they are the asked ones: the values of the two asked years (a by-year row, or the
    baseline for the year before the plan), else its target and its baseline."""
    years = sorted(set(q.slots.period.years), reverse=True)
    if len(years) == 2:
        # one question per year: each operand is the best value for its year, with its own
        # probability; both must be values of one indicator
        sides = [reader.side(_with_year(q, y), doc_id, Intent.VALUE) for y in years]
        tops = [sd.best for sd in sides]
        if all(c is not None and c.quantity is not None for c in tops) \
                and tops[0].quantity.family == tops[1].quantity.family \
                and (tops[0].target is None or tops[1].target is None
                     or tops[0].target.indicator_iri == tops[1].target.indicator_iri):
            return [(tops[0], tops[0].quantity), (tops[1], tops[1].quantity)], \
                sides[0].confidence * sides[1].confidence
    s = reader.side(q, doc_id, Intent.VALUE)
    for c in s.candidates[:3]:
        t = c.target
        if t is None:
            continue
        a, b = _value(reader, t.target, t.unit), _value(reader, t.baseline, t.unit)
        if a and b and (a.family == b.family or not a.family or not b.family):
            return [(c, a), (c, b)], s.confidence
    return [], s.confidence


def answer(reader, q: Query, qid, trace: dict) -> Optional[Answer]:
    op = q.slots.operation
    docs = q.slots.doc_ids
    if len(docs) > 1 and op in (Operation.HIGHER, Operation.DIFF, Operation.RATIO):
        return _between_plans(reader, q, qid, trace)
    if len(docs) == 1 and op in (Operation.DIFF, Operation.RATIO):
        ops, p = _operands_in_plan(reader, q, docs[0])
        if not ops or p < reader.scorer.params.threshold:
            return None
        (c, tgt), (c2, base) = ops
        if op == Operation.DIFF:
            d = tgt.value - base.value
            result = f"{'提高' if d >= 0 else '降低'}{format_number(abs(d))}{_unit(tgt)}"
        else:
            if base.value == 0:
                return None
            result = f"是基期的{format_number(tgt.value / base.value)}倍"
        trace["arithmetic"] = {"operation": op.value, "operands": [tgt.text, base.text]}
        trace["decided_by"] = "arithmetic on the target and baseline of the best indicator"
        name = c.label
        years = sorted(set(q.slots.period.years), reverse=True)
        said = (f"{years[0]}年{tgt.text},{years[1]}年{base.text}" if len(years) == 2
                else f"目标{tgt.text},基期{base.text}")
        return Answer(question=q.question, found=True,
                      answer=f"{name}:{said},{result}",
                      kind="arithmetic", confidence=p,
                      citations=c.citations + [x for x in c2.citations if x not in c.citations], id=qid,
                      details={"trace": trace})
    if len(docs) == 1 and op == Operation.SUM:
        by_year = _sum_over_years(reader, q, docs[0], qid, trace)
        if by_year is not None:
            return by_year
        s = reader.side(q, docs[0], q.sub_intent or Intent.FACT)
        best = s.best
        if best is None or s.confidence < reader.scorer.params.threshold:
            return None
        nums = _quantities(reader, best.text, q.slots.quantity.family)
        if len(nums) < 2:
            return None
        total = sum(n.value for n in nums)
        unit = nums[0].unit
        trace["arithmetic"] = {"operation": "sum", "operands": [n.text for n in nums]}
        trace["decided_by"] = "sum of the values of the best evidence"
        return Answer(question=q.question, found=True,
                      answer=f"合计{format_number(total)}{unit}({'+'.join(n.text for n in nums)});"
                             f"原文:{best.text}",
                      kind="arithmetic", confidence=s.confidence, citations=best.citations, id=qid,
                      details={"trace": trace})
    return None


def _sum_over_years(reader, q: Query, doc_id: str, qid, trace: dict) -> Optional[Answer]:
    """A by-year indicator (a table row or clauses per year): the sum of its values over the
    plan's years (or the years asked), each value cited."""
    s = reader.side(q, doc_id, Intent.VALUE)
    best = next((c for c in s.candidates[:3] if c.target is not None), None)
    if best is None or s.confidence < reader.scorer.params.threshold:
        return None
    per = reader.env.ctx.docs[doc_id].period
    asked = set(q.slots.period.years)
    rows = {}
    for t in reader.env.gv.targets_by_indicator(doc_id).get(best.target.indicator_iri, ()):
        if t.year is None or t.value_kind not in ("target", "milestone") or not t.target:
            continue
        if asked and len(asked) > 1:
            if t.year not in range(min(asked), max(asked) + 1):
                continue
        elif per and not per[0] <= t.year <= per[1]:
            continue
        rows.setdefault(t.year, t)
    if len(rows) < 2:
        return None
    vals = []
    for y in sorted(rows):
        t = rows[y]
        qv = parse_value(str(with_unit(t.target, t.unit)), reader.env.lex)
        if qv is None:
            return None
        vals.append((y, t, qv))
    if len({v.unit for _, _, v in vals}) > 1:
        return None
    total = sum(v.value for _, _, v in vals)
    unit = vals[0][2].unit
    trace["arithmetic"] = {"operation": "sum", "operands": [f"{y}年 {v.text}" for y, _, v in vals]}
    trace["decided_by"] = "sum over the years of the best indicator"
    cites = []
    for _, t, _ in vals:
        c = cite_target(reader.env.ws, t)
        if all((c.start, c.end) != (x.start, x.end) for x in cites):
            cites.append(c)
    parts = "+".join(f"{y}年{v.text}" for y, _, v in vals)
    return Answer(question=q.question, found=True,
                  answer=f"{best.label}合计{format_number(total)}{unit}({parts})",
                  kind="arithmetic", confidence=s.confidence, citations=cites, id=qid,
                  details={"trace": trace})


def _quantities(reader, text: str, family: str) -> list[Quantity]:
    out = []
    for m in re.finditer(r"\d+(?:\.\d+)?\s*(?:万|亿)?[^\d,,。;;、和及]{0,5}", text):
        qv = parse_value(m.group(0), reader.env.lex)
        if qv and (not family or qv.family == family):
            out.append(qv)
    units = {x.unit for x in out}
    return out if len(units) == 1 else [x for x in out if x.unit == out[0].unit] if out else []


def _between_plans(reader, q: Query, qid, trace: dict) -> Optional[Answer]:
    each = q.sub_intent if q.sub_intent in (Intent.VALUE, Intent.BASELINE) else Intent.VALUE
    sides = [reader.side(q, d, each)
             for d in q.slots.doc_ids]
    thr = reader.scorer.params.side_threshold
    vals = []
    for s in sides:
        if s.best is None or s.confidence < thr or s.best.quantity is None:
            return None
        vals.append((s, s.best.quantity))
    fams = {v.family for _, v in vals}
    if len(fams) > 1:
        return None
    label_sides(reader.env, sides)
    hi = max(vals, key=lambda x: x[1].value)
    lo = min(vals, key=lambda x: x[1].value)
    parts = [f"{s.label}:{s.best.text}" for s, _ in vals]
    op = q.slots.operation
    if op == Operation.RATIO and lo[1].value:
        result = f"{hi[0].label}是{lo[0].label}的{format_number(hi[1].value / lo[1].value)}倍"
    elif hi[1].value == lo[1].value:
        result = "两者相同"
    else:
        d = hi[1].value - lo[1].value
        result = f"{hi[0].label}更高,高{format_number(d)}{_unit(hi[1])}"
    conf = 1.0
    for s, _ in vals:
        conf *= s.confidence
    trace["arithmetic"] = {"operation": op.value, "operands": [v.text for _, v in vals]}
    trace["decided_by"] = "arithmetic on each plan's best value"
    return Answer(question=q.question, found=True, answer=";".join(parts) + f"。{result}",
                  kind="arithmetic", confidence=conf,
                  citations=[c for s, _ in vals for c in s.best.citations], id=qid,
                  details={"trace": trace})
