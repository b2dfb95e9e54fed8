"""Value questions answered from the graph's targets: the value as written, the baseline, the
year or period and the bindingness, cited at the table row or clause it came from.

An indicator is accepted only when it matches the question well (label coverage and
embedding similarity); near-ties are all shown with their labels rather than guessed.
"""
from __future__ import annotations

from typing import Any, Optional

from qa.analysis import Analysis
from qa.context import IndicatorRef, QAContext
from qa.graphview import GraphView, attr
from qa.position import CONF_TARGET_EXACT, CONF_TARGET_FUZZY, Position
from qa.text import lcs_cover, norm, unique

ACCEPT = 0.78          # blended indicator score needed to answer from a target
TIE = 0.03             # indicators this close to the best are shown too
EXACT_COVER = 0.95     # label (almost) fully present in the question


def matched_indicators(ctx: QAContext, a: Analysis, doc_id: Optional[str] = None
                       ) -> list[tuple[IndicatorRef, float]]:
    ranked = ctx.match_indicators(a.topic, a.text, doc_id=doc_id)
    if not ranked or ranked[0][1] < ACCEPT:
        return []
    top = ranked[0][1]
    return [(r, s) for r, s in ranked[:3] if s >= top - TIE and s >= ACCEPT]


def _fmt_target(t: Any, a: Analysis) -> str:
    name = attr(t, "name_as_written", "indicator_label", default="")
    target, base = attr(t, "target"), attr(t, "baseline")
    kind = attr(t, "value_kind", default="target")
    parts = []
    when = attr(t, "year")
    period = attr(t, "period", default="")
    if kind == "achieved":
        label = f"{when}年" if when else (f"“{period}”" if period else "")
        parts.append(f"{name}{label}已达{target or base}")
    else:
        when_txt = f"到{when}年" if when else (f"“{period}”" if period else "")
        parts.append(f"{name}{when_txt}目标{target}" if target else f"{name}")
        extra = []
        if base and base not in ("/", "-", "—"):
            extra.append(f"基期(“十三五”)水平{base}" if "十三五" in (a.text + str(period)) or
                         attr(t, "source") == "table" else f"基期水平{base}")
        elif base in ("/", "-", "—"):
            extra.append("基期无数据")
        b = attr(t, "bindingness")
        if b:
            extra.append(f"{b}指标")
        if extra:
            parts.append("(" + ",".join(extra) + ")")
    return "".join(parts)


def _year_ok(t: Any, a: Analysis, period_end: Optional[int]) -> bool:
    if not a.years:
        return True
    y = attr(t, "year")
    if y is not None:
        return int(y) in a.years
    # a period target (十四五 / 十四五末) answers the plan's end year
    return period_end is not None and period_end in a.years


def value_position(ws: Any, ctx: QAContext, gv: GraphView, a: Analysis,
                   doc_id: str) -> Optional[Position]:
    """A found position from targets, a not-found one when only the wrong year/kind exists,
    or None when no indicator of this plan matches (the caller then reads passages)."""
    matches = matched_indicators(ctx, a, doc_id)
    if not matches:
        return None
    doc = ctx.docs[doc_id]
    keys = {m.key for m, _ in matches}
    targets = [t for t in gv.targets(doc_id) if str(attr(t, "indicator_iri", "indicator")) in keys]
    if not targets:
        return None
    period_end = doc.period[1] if doc.period else None
    in_year = [t for t in targets if _year_ok(t, a, period_end)]
    if not in_year:
        years = "、".join(str(y) for y in a.years)
        return Position(doc_id, doc.city, False, "", kind="none", confidence=0.2,
                        reason=f"{doc.city}规划未给出{years}年的{matches[0][0].labels[0]}",
                        related=[_cite(ws, t) for t in targets[:2]])
    planned = [t for t in in_year if attr(t, "value_kind", default="target") == "target"]
    achieved = [t for t in in_year if attr(t, "value_kind", default="target") != "target"]
    if a.wants_target and not a.wants_baseline and not planned:
        label = matches[0][0].labels[0]
        got = ";".join(_fmt_target(t, a) for t in achieved[:2])
        return Position(doc_id, doc.city, False, "", kind="none", confidence=0.25,
                        reason=f"{doc.city}规划未提出{label}的目标值(仅提到:{got})",
                        related=[_cite(ws, t) for t in achieved[:2]])
    chosen = planned or achieved
    if a.wants_baseline and achieved and planned:
        chosen = planned + achieved[:1]
    # one line per indicator (table row first, then text mentions of the same indicator)
    chosen.sort(key=lambda t: (attr(t, "source", default="text") != "table", attr(t, "start", default=0)))
    lines, cites = [], []
    for key in unique(str(attr(t, "indicator_iri")) for t in chosen):
        group = [t for t in chosen if str(attr(t, "indicator_iri")) == key]
        main = group[0]
        line = _fmt_target(main, a)
        for other in group[1:3]:
            if norm(str(attr(other, "target") or "")) != norm(str(attr(main, "target") or "")):
                line += f";文中表述为{attr(other, 'name_as_written', default='')}{attr(other, 'target') or ''}"
        lines.append(line)
        cites += [_cite(ws, t) for t in group[:2]]
    best_ref, best_score = matches[0]
    exact = max(lcs_cover(lab, a.text) for lab in best_ref.labels) >= EXACT_COVER
    conf = CONF_TARGET_EXACT if exact and len(matches) == 1 else CONF_TARGET_FUZZY * min(1.0, best_score)
    return Position(doc_id, doc.city, True, ";".join(lines), kind="indicator", confidence=conf,
                    citations=_dedupe(cites), has_value=True)


def _cite(ws: Any, t: Any):
    p = ws.corpus.passage(attr(t, "passage_id"))
    s = attr(t, "evidence_start", "start", default=p.start)
    e = attr(t, "evidence_end", "end", default=p.end)
    if not (p.start <= s < e <= p.end):
        s, e = p.start, p.end
    return ws.corpus.citation(p, s, e)


def _dedupe(cites: list) -> list:
    seen, out = set(), []
    for c in cites:
        k = (c.doc, c.start, c.end)
        if k not in seen:
            seen.add(k)
            out.append(c)
    return out
