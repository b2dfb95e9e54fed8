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
from qa.text import norm, unique

ACCEPT = 0.8           # blended indicator score needed to answer from a target
TIE = 0.03             # indicators this close to the best are shown too
PLANNED_MARGIN = 0.12  # a planned-value indicator this close beats an achieved-only one
LIST_TIE = 0.25        # for list questions (分别/各): same-family indicators this close
INDICATOR_WORDS = re.compile(r"率|比例|占比|比重|密度|面积|数量|总量|规模|指标|覆盖|普及|频次|完好|人均")


def matched_indicators(ctx: QAContext, a: Analysis, doc_id: Optional[str] = None,
                       keep=None) -> list[tuple[IndicatorRef, float]]:
    """Indicators that answer the question: the best match (and near-ties), among those for
    which `keep(ref)` holds (e.g. "has a target for the asked year")."""
    ranked = [(r, s) for r, s in ctx.match_indicators(a.terms, doc_id=doc_id)[:8]
              if s >= ACCEPT and (keep is None or keep(r))]
    if not ranked:
        return []
    top_ref, top = ranked[0]
    # every indicator whose name the question writes out whole (…多少公里…投资多少)
    written = [(r, s, ctx.label_in(r, a.topic)) for r, s in ranked]
    written = [(r, s) for r, s, lab in written if lab and not any(
        lab != other and lab in other for _, _, other in written if other)]
    if len(written) > 1 and not a.wants_list:
        return written[:4]
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


def _with_unit(value: Any, unit: str) -> Any:
    """A bare number from a table with a unit column gets its unit (60 -> 60%)."""
    if value and unit and re.fullmatch(r"[≤≥<>]?\s*\d+(\.\d+)?", str(value).strip()):
        return f"{str(value).strip()}{unit}"
    return value


def _fmt_target(t: Any, a: Analysis) -> str:
    """生活垃圾回收利用率:目标65%(十四五末;基期值39.3%;预期性指标)"""
    name = attr(t, "name_as_written", "indicator_label", default="")
    unit = str(attr(t, "unit", default="") or "")
    target, base = _with_unit(attr(t, "target"), unit), _with_unit(attr(t, "baseline"), unit)
    when = _when(t)
    if attr(t, "value_kind", default="target") in ("status", "baseline"):
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


def _planned(t: Any) -> bool:
    return attr(t, "value_kind", default="target") == "target"


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
                   doc_id: str, strong: Any = None) -> Optional[Position]:
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
    if strong is not None and strong.ref.key not in {m.key for m, _ in matches} and not any(
            strong.core in ctx._strip_places(lab) for m, _ in matches for lab in m.labels):
        return None          # the question names another indicator; a look-alike is no answer
    if not a.wants_baseline and not any(_planned(t) for m, _ in matches for t in by_key.get(m.key, [])):
        # a future question (要消除多少…) prefers a close indicator with a planned value
        key = _key_term(ctx, a)
        alt = matched_indicators(ctx, a, doc_id, keep=lambda r: any(
            _planned(t) and _year_ok(t, a, period_end) for t in by_key.get(r.key, []))
            and any(_names(key, ctx._strip_places(lab)) for lab in r.labels))
        if alt and alt[0][1] >= matches[0][1] - PLANNED_MARGIN:
            matches = alt
    in_year = [t for m, _ in matches for t in by_key.get(m.key, []) if _year_ok(t, a, period_end)]
    planned = [t for t in in_year if attr(t, "value_kind", default="target") in ("target", "milestone")]
    achieved = [t for t in in_year if attr(t, "value_kind", default="target") not in ("target", "milestone")]
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
                said = "现状" if attr(other, "value_kind", default="target") in ("status", "baseline") else "文中"
                line += f";{said}表述为“{attr(other, 'name_as_written', default='')}{_value_of(other)}”"
        lines.append(line)
        cites += [_cite(ws, t) for t in group[:2]]
    text = ";".join(lines)
    if _asks_count(a) > len(lines) and cites:
        # 多少公里…投资多少: the sentence holding the first value answers the other asks too
        sent = _sentence_of(ws, cites[0])
        if sent and sent.quote != cites[0].quote:
            text += f"(原文:“{sent.quote}”)"
            cites.insert(1, sent)
    best_ref, best_score = matches[0]
    exact = bool(ctx.label_in(best_ref, a.topic))
    conf = CONF_TARGET_EXACT if exact and len(matches) == 1 else CONF_TARGET_FUZZY * min(1.0, best_score)
    return Position(doc_id, doc.city, True, text, kind="indicator", confidence=conf,
                    citations=_dedupe(cites), has_value=True)


def _asks_count(a: Analysis) -> int:
    return len(re.findall(r"多少|多大|多高|多长|(?<!哪)几(?:个|座|项|处|公里|年)", a.text))


def _sentence_of(ws: Any, c: Any):
    """The sentence (within its passage) around a citation, itself a citation."""
    from qa.text import sentence_spans
    p = ws.corpus.passage(c.passage_id)
    for s, e in sentence_spans(p.text, 0, len(p.text)):
        if p.start + s <= c.start and c.end <= p.start + e:
            return ws.corpus.citation(p, p.start + s, p.start + e)
    return None


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


RELATED_ACCEPT = 0.68   # indicator match for a comparison side's related targets
GENERIC_TERMS = ("建设", "管理", "发展", "工作", "城市", "推进", "提升", "情况", "方面")
MAX_RELATED = 3


def _key_term(ctx: QAContext, a: Analysis) -> str:
    """The question's most specific word (rarest in the plans)."""
    cands = [norm(t) for t in a.terms if len(t) >= 2 and t not in a.light_terms
             and t not in GENERIC_TERMS]
    return max(cands, key=ctx.weight, default="")


def _names(term: str, label: str) -> bool:
    """The label names the term (公厕 also as 公共厕所)."""
    lab = norm(label)
    return bool(term) and (term in lab or (len(term) <= 4 and bool(
        re.search(".{0,2}".join(map(re.escape, term)), lab))))


def with_related_targets(ws: Any, ctx: QAContext, gv: GraphView, a: Analysis,
                         pos: Position) -> Position:
    """A comparison side answered from passages also shows the plan's targets on the topic
    (indicators that match the question and name one of its specific words)."""
    if pos.kind not in ("passage", "none"):
        return pos
    doc = ctx.docs[pos.doc_id]
    period_end = doc.period[1] if doc.period else None
    key = _key_term(ctx, a)

    def shown(t: Any) -> bool:
        y = attr(t, "year")
        # a side shows the plan's period targets, not a by-year row, unless a year is asked
        before = bool(y) and not a.years and int(y) != period_end
        return attr(t, "value_kind", default="target") == "target" and \
            _year_ok(t, a, period_end) and not before

    lines, cites = [], []
    for ref, score in ctx.match_indicators(a.terms, doc_id=pos.doc_id)[:8]:
        if score < RELATED_ACCEPT or len(lines) >= MAX_RELATED:
            break
        if not any(_names(key, ctx._strip_places(lab)) for lab in ref.labels):
            continue
        ts = [t for t in gv.targets_by_indicator(pos.doc_id).get(ref.key, ()) if shown(t)]
        if not ts:
            continue
        t = ts[0]
        value = norm(_value_of(t))
        if value and value in norm(pos.text):
            continue
        lines.append(_fmt_target(t, a))
        cites.append(_cite(ws, t))
    if not lines:
        return pos
    extra = "指标:" + ";".join(lines)
    pos.text = f"{pos.text}。{extra}" if pos.found and pos.text else extra
    pos.citations = _dedupe(pos.citations + cites)
    pos.has_value = True
    if not pos.found:
        pos.found, pos.kind, pos.reason = True, "indicator", ""
        pos.confidence = CONF_TARGET_FUZZY * 0.8
    return pos
