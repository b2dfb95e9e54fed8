"""Value questions answered from the graph's targets: the value as written, the baseline, the
year or period and the bindingness, cited at the table row or clause it came from.

An indicator is accepted only when it matches the question well (label coverage and
embedding similarity); near-ties are all shown with their labels rather than guessed.
"""
from __future__ import annotations

import re
from typing import Any, Optional

from qa.analysis import Analysis
from qa.context import IndicatorRef, QAContext
from qa.graphview import GraphView, attr
from qa.position import CONF_TARGET_EXACT, CONF_TARGET_FUZZY, Position
from qa.text import lcs_cover, norm, unique

ACCEPT = 0.8           # blended indicator score needed to answer from a target
TIE = 0.03             # indicators this close to the best are shown too
LIST_TIE = 0.15        # for list questions (分别/各): same-family indicators this close
INDICATOR_WORDS = re.compile(r"率|比例|占比|比重|密度|面积|数量|总量|规模|指标|覆盖|普及|频次|完好|人均")
EXACT_COVER = 0.95     # label (almost) fully present in the question


def matched_indicators(ctx: QAContext, a: Analysis, doc_id: Optional[str] = None,
                       keep=None) -> list[tuple[IndicatorRef, float]]:
    """Indicators that answer the question: the best match (and near-ties), among those for
    which `keep(ref)` holds (e.g. "has a target for the asked year")."""
    ranked = [(r, s) for r, s in ctx.match_indicators(a.terms, doc_id=doc_id)[:8]
              if s >= ACCEPT and (keep is None or keep(r))]
    if not ranked:
        return []
    top_ref, top = ranked[0]
    if a.wants_list:                       # 各等级/分别: the whole family (…亮灯率)
        head = ctx._strip_places(top_ref.labels[0])[-3:]
        return [(r, s) for r, s in ranked if s >= top - LIST_TIE and
                any(ctx._strip_places(lab).endswith(head) for lab in r.labels)][:6]
    return [(r, s) for r, s in ranked[:3] if s >= top - TIE]


def indicator_question(a: Analysis) -> bool:
    """Does the question ask for a figure (多少, 比例 …) or name an indicator-like thing (…率)?"""
    from qa.abstain import asks_number
    return asks_number(a) or bool(INDICATOR_WORDS.search(a.topic)) or bool(a.explicit_years)


def _when(t: Any) -> str:
    y, period = attr(t, "year"), attr(t, "period", default="")
    return f"{y}年" if y else (str(period) if period else "")


def _fmt_target(t: Any, a: Analysis) -> str:
    """生活垃圾回收利用率:目标65%(十四五末;基期值39.3%;预期性指标)"""
    name = attr(t, "name_as_written", "indicator_label", default="")
    target, base = attr(t, "target"), attr(t, "baseline")
    when = _when(t)
    if attr(t, "value_kind", default="target") == "achieved":
        v = str(base or target or "")
        verb = "" if re.match(r"^(达|突破|超过|控制|保持|约|近|逾|不)", v) else "已达"
        return f"{name}:{verb}{v}" + (f"({when})" if when else "")
    extra = [when] if when else []
    if base and base not in ("/", "-", "—"):
        extra.append(f"基期值{base}")
    elif base in ("/", "-", "—"):
        extra.append("无基期值")
    b = attr(t, "bindingness")
    if b:
        extra.append(f"{b}指标")
    return f"{name}:目标{target}" + (f"({';'.join(extra)})" if extra else "")


def _value_of(t: Any) -> str:
    return str(attr(t, "target", "baseline", default="") or "")


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
    if not indicator_question(a):
        return None
    doc = ctx.docs[doc_id]
    period_end = doc.period[1] if doc.period else None
    by_key: dict[str, list] = {}
    for t in gv.targets(doc_id):
        by_key.setdefault(str(attr(t, "indicator_iri", "indicator")), []).append(t)
    matches = matched_indicators(ctx, a, doc_id, keep=lambda r: any(
        _year_ok(t, a, period_end) for t in by_key.get(r.key, [])))
    if not matches:
        return None
    in_year = [t for m, _ in matches for t in by_key.get(m.key, []) if _year_ok(t, a, period_end)]
    planned = [t for t in in_year if attr(t, "value_kind", default="target") == "target"]
    achieved = [t for t in in_year if attr(t, "value_kind", default="target") != "target"]
    if a.wants_target and not a.wants_baseline and not planned:
        return None          # only achieved values: let the passages (and their checks) decide
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
            if norm(_value_of(other)) != norm(_value_of(main)):
                line += f";文中表述为“{attr(other, 'name_as_written', default='')}{_value_of(other)}”"
        lines.append(line)
        cites += [_cite(ws, t) for t in group[:2]]
    best_ref, best_score = matches[0]
    exact = bool(ctx.label_in(best_ref, a.topic))
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
