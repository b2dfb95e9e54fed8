"""How a graph target is written in an answer: the value as written with its unit, the
baseline, the year or period and the bindingness, cited at the table row or clause it came
from."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Optional

from core.protocols import Workspace
from core.types import Citation, Corpus
from kg.model import Target


def when(t: Target) -> str:
    y, period = t.year, t.period or ""
    return f"{y}年" if y else (str(period) if period else "")


def with_unit(value: Any, unit: str) -> Any:
    """A bare number from a table with a unit column gets its unit (60 -> 60%)."""
    if value and unit and re.fullmatch(r"[≤≥<>]?\s*\d+(\.\d+)?", str(value).strip()):
        return f"{str(value).strip()}{unit}"
    return value


NO_BASELINE = ("/", "-", "—")


@dataclass(frozen=True)
class TargetParts:
    """A graph target as answers and the UI's tables show it (one reading of each field)."""
    name: str                 # the indicator as the plan writes it
    value: str                # the target as written, with its unit; a current value for achieved
    baseline: str             # the base value with its unit ("/" when the plan writes none)
    when: str                 # 2025年 / 十四五 / ""
    bindingness: str          # 约束性 / 预期性 / ""
    achieved: bool            # a stated current value (value_kind status/baseline), not a target


def target_parts(t: Target) -> TargetParts:
    unit = t.unit or ""
    target, base = with_unit(t.target, unit), with_unit(t.baseline, unit)
    achieved = t.value_kind in ("status", "baseline")
    value = str(base or target or "") if achieved else str(target or "")
    return TargetParts(name=t.name_as_written or t.indicator_label, value=value,
                       baseline=str(base or ""), when=when(t), bindingness=t.bindingness or "",
                       achieved=achieved)


def format_target(t: Target) -> str:
    """生活垃圾回收利用率:目标65%(十四五末;基期值39.3%;预期性指标)"""
    p = target_parts(t)
    if p.achieved:
        verb = "" if re.match(r"^(达|突破|超过|控制|保持|约|近|逾|不)", p.value) else "已达"
        return f"{p.name}:{verb}{p.value}" + (f"({p.when})" if p.when else "")
    extra = [p.when] if p.when else []
    if p.baseline and p.baseline not in NO_BASELINE:
        extra.append(f"基期值{p.baseline}")
    elif p.baseline in NO_BASELINE:
        extra.append("无基期值")
    if p.bindingness:
        extra.append(f"{p.bindingness}指标")
    return f"{p.name}:目标{p.value}" + (f"({';'.join(extra)})" if extra else "")


def cite_span(corpus: Corpus, passage_id: str, start: Optional[int],
              end: Optional[int]) -> Citation:
    """The citation of [start, end) inside a passage (the whole passage when the span is not
    inside it); KeyError for an unknown passage."""
    p = corpus.passage(passage_id)
    s, e = start, end
    if not (isinstance(s, int) and isinstance(e, int) and p.start <= s < e <= p.end):
        s, e = p.start, p.end
    return corpus.citation(p, s, e)


def cite_target(ws: Workspace, t: Target) -> Citation:
    """The citation of a target: its clause or table row (else its passage)."""
    return cite_span(ws.corpus, t.passage_id, t.evidence_start, t.evidence_end)


def dedupe(cites: list) -> list:
    seen, out = set(), []
    for c in cites:
        k = (c.doc, c.start, c.end)
        if k not in seen:
            seen.add(k)
            out.append(c)
    return out
