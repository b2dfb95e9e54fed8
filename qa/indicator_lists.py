"""Complete lists of a plan's indicators from the graph: every binding (约束性) or expected
(预期性) indicator, or every indicator of a category, one row each (name | baseline | target |
bindingness), each row cited at its table row or clause."""
from __future__ import annotations

from typing import Any, Optional

from qa.intent import ListOf, Query
from qa.position import Position
from qa.values import cite_target, with_unit


def _row(t: Any) -> str:
    name = t.name_as_written or t.indicator_label
    base = with_unit(t.baseline, t.unit) if t.baseline else "—"
    target = with_unit(t.target, t.unit) if t.target else "—"
    return f"{name} | {base} | {target} | {t.bindingness or '—'}"


def indicators(env: Any, q: Query, doc_id: str) -> Optional[Position]:
    if q.slots.list_of is not ListOf.INDICATOR:
        return None
    targets = [t for t in env.gv.targets(doc_id) if t.value_kind in ("target", "milestone")]
    if q.slots.bindingness:
        targets = [t for t in targets if t.bindingness == q.slots.bindingness]
    else:
        cats = {t.category for t in targets if t.category and t.category in q.text}
        if cats:
            targets = [t for t in targets if t.category in cats]
        else:
            targets = [t for t in targets if t.source == "table"] or targets
    seen: dict[str, Any] = {}
    for t in sorted(targets, key=lambda t: (t.source != "table", t.start)):
        seen.setdefault(t.indicator_iri, t)
    rows = sorted(seen.values(), key=lambda t: t.start)
    if not rows:
        return None
    text = f"共{len(rows)}项:\n指标 | 基期值 | 目标值 | 属性\n" + "\n".join(_row(t) for t in rows)
    cites = []
    for t in rows:
        c = cite_target(env.ws, t)
        if all((c.start, c.end) != (x.start, x.end) for x in cites):
            cites.append(c)
    return Position(doc_id, env.ctx.docs[doc_id].city, True, text, kind="list", confidence=0.0,
                    citations=cites, has_value=True)
