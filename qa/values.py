"""How a graph target is written in an answer: the value as written with its unit, the
baseline, the year or period and the bindingness, cited at the table row or clause it came
from."""
from __future__ import annotations

import re
from typing import Any

from core.protocols import Workspace
from core.types import Citation
from kg.model import Target


def when(t: Target) -> str:
    y, period = t.year, t.period or ""
    return f"{y}年" if y else (str(period) if period else "")


def with_unit(value: Any, unit: str) -> Any:
    """A bare number from a table with a unit column gets its unit (60 -> 60%)."""
    if value and unit and re.fullmatch(r"[≤≥<>]?\s*\d+(\.\d+)?", str(value).strip()):
        return f"{str(value).strip()}{unit}"
    return value


def format_target(t: Target) -> str:
    """生活垃圾回收利用率:目标65%(十四五末;基期值39.3%;预期性指标)"""
    name = t.name_as_written or t.indicator_label
    unit = t.unit or ""
    target, base = with_unit(t.target, unit), with_unit(t.baseline, unit)
    at = when(t)
    if t.value_kind in ("status", "baseline"):
        v = str(base or target or "")
        verb = "" if re.match(r"^(达|突破|超过|控制|保持|约|近|逾|不)", v) else "已达"
        return f"{name}:{verb}{v}" + (f"({at})" if at else "")
    extra = [at] if at else []
    if base and base not in ("/", "-", "—"):
        extra.append(f"基期值{base}")
    elif base in ("/", "-", "—"):
        extra.append("无基期值")
    b = t.bindingness
    if b:
        extra.append(f"{b}指标")
    return f"{name}:目标{target}" + (f"({';'.join(extra)})" if extra else "")


def cite_target(ws: Workspace, t: Target) -> Citation:
    """The citation of a target: its clause or table row (else its passage)."""
    p = ws.corpus.passage(t.passage_id)
    s, e = t.evidence_start, t.evidence_end
    if not (p.start <= s < e <= p.end):
        s, e = p.start, p.end
    return ws.corpus.citation(p, s, e)


def dedupe(cites: list) -> list:
    seen, out = set(), []
    for c in cites:
        k = (c.doc, c.start, c.end)
        if k not in seen:
            seen.add(k)
            out.append(c)
    return out
