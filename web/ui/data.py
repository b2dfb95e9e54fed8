"""Data behind the UI tabs, computed from a Workspace (no gradio import).

UIData wraps one Workspace and caches what does not change while it is loaded (targets,
indicators, plan columns). Everything is derived from ws.corpus.documents and the graph's
accessors: nothing here knows how many plans there are or which ones.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Optional

from core.periods import first_period_name, five_year_span, years_in
from core.protocols import Workspace
from core.types import Citation, Corpus
from kg.context import ACHIEVED_SECTION

ALL = "全部"
UNMARKED = "未标注"
GAP = "未提出"

TARGET_COLUMNS = ["规划", "类别", "指标", "原文名称", "值类型", "基数/现状", "目标", "单位",
                  "年份/期间", "属性", "章节"]
KIND_TARGET, KIND_ACHIEVED = "目标值", "现状值"
TARGET_CSV_COLUMNS = TARGET_COLUMNS + ["doc_id", "indicator_iri", "comparator", "value_kind",
                                       "passage_id", "start", "end", "quote"]


def _s(value: Any) -> str:
    return "" if value is None else str(value).strip()


def when(t: Any) -> str:
    """The year or period of a target, as text ("2025", "2021-2025")."""
    return _s(getattr(t, "year", None)) or _s(getattr(t, "period", None))


def period_end(text: str) -> str:
    """The last year named by a period: "2021-2025" -> 2025; "十四五" -> 2025."""
    years = years_in(text or "")
    if years:
        return str(years[-1])
    name = first_period_name(text or "")
    span = five_year_span(name) if name else None
    return str(span[1]) if span else ""


def year_of(t: Any, default: str = "") -> str:
    """A four-digit year for example questions: the target's year or its period's end."""
    y = _s(getattr(t, "year", None))
    if re.fullmatch(r"\d{4}", y):
        return y
    return period_end(_s(getattr(t, "period", None))) or period_end(default)


def label_of(t: Any) -> str:
    return _s(getattr(t, "indicator_label", None)) or _s(getattr(t, "name_as_written", None))


def is_achieved(t: Any) -> bool:
    """True for a stated current value (value_kind status or baseline) rather than a target."""
    return _s(getattr(t, "value_kind", None)) in ("status", "baseline") and \
        not _s(getattr(t, "target", None))


def value_text(t: Any) -> str:
    """The target as written (see target_text); for an achieved value without a target,
    "现状 <baseline>"."""
    if is_achieved(t):
        b = _s(getattr(t, "baseline", None))
        return f"现状 {b}" if b else ""
    return target_text(t)


def target_text(t: Any) -> str:
    """The target as written, with its comparator when the string does not carry one."""
    v = _s(getattr(t, "target", None))
    comp = _s(getattr(t, "comparator", None))
    if v and comp and comp not in ("=",) and not v.startswith(("≤", "≥", "<", ">", "=")):
        v = comp + v
    unit = _s(getattr(t, "unit", None))
    if v and unit and not v.endswith(unit) and not re.search(r"[^\d.\s]", v.lstrip("≤≥<>=")):
        v += unit
    return v


def citation_of(corpus: Corpus, t: Any) -> Optional[Citation]:
    """The citation of a target's evidence span (falls back to its passage)."""
    doc_id = _s(getattr(t, "doc_id", None))
    if doc_id not in corpus.documents:
        return None
    start, end = getattr(t, "evidence_start", None), getattr(t, "evidence_end", None)
    if not (isinstance(start, int) and isinstance(end, int) and start < end):
        start, end = getattr(t, "start", None), getattr(t, "end", None)
    pid = _s(getattr(t, "passage_id", None))
    try:
        passage = corpus.passage(pid)
    except KeyError:
        passage = None
    if passage is not None:
        ok = isinstance(start, int) and isinstance(end, int) and start < end
        return corpus.citation(passage, start if ok else None, end if ok else None)
    if isinstance(start, int) and isinstance(end, int) and start < end:
        doc = corpus.documents[doc_id]
        return Citation(doc=doc_id, city=doc.city, section="", passage_id=pid, start=start,
                        end=end, quote=doc.raw_text[start:end])
    return None


def to_csv(headers: list[str], rows: list[list[Any]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(headers)
    for r in rows:
        w.writerow(["" if v is None else v for v in r])
    return buf.getvalue()


@dataclass
class Plan:
    doc_id: str
    city: str
    title: str
    column: str          # column header: the city, or city·title when cities repeat


@dataclass
class Comparison:
    plans: list[Plan]
    rows: list[dict] = field(default_factory=list)    # {indicator, category, cells: {doc: [..]}}
    citations: list[Citation] = field(default_factory=list)
    passages: dict[str, list[int]] = field(default_factory=dict)   # doc -> citation numbers
    note: str = ""
    topic_iri: str = ""          # the scheme topic compared, when one was


class UIData:
    """Cached views of one Workspace for the UI."""

    def __init__(self, ws: Workspace):
        if ws is None or not hasattr(ws, "corpus"):
            raise TypeError(f"UIData: expected a pipeline.Workspace, got {type(ws).__name__}")
        self.ws = ws

    @property
    def corpus(self) -> Corpus:
        return self.ws.corpus

    @cached_property
    def plans(self) -> list[Plan]:
        docs = list(self.corpus.documents.values())
        cities = [d.city for d in docs]
        return [Plan(d.id, d.city, d.title,
                     d.city if cities.count(d.city) == 1 else f"{d.city}·{d.title}")
                for d in docs]

    def plan(self, doc_id: str) -> Optional[Plan]:
        return next((p for p in self.plans if p.doc_id == doc_id), None)

    @cached_property
    def targets(self) -> list:
        order = {p.doc_id: i for i, p in enumerate(self.plans)}
        ts = list(self.ws.graph.targets())
        ts.sort(key=lambda t: (order.get(getattr(t, "doc_id", ""), 999),
                               getattr(t, "start", 0) or 0))
        return ts

    @cached_property
    def indicators(self) -> list:
        inds = list(self.ws.graph.indicators())
        inds.sort(key=lambda i: (_s(getattr(i, "category", "")), _s(i.pref_label)))
        return inds

    @cached_property
    def categories(self) -> list[str]:
        cats = {_s(getattr(i, "category", None)) for i in self.indicators}
        cats |= {_s(getattr(t, "category", None)) for t in self.targets}
        return sorted(c for c in cats if c)

    @cached_property
    def bindingness_values(self) -> list[str]:
        vals = sorted({_s(getattr(t, "bindingness", None)) for t in self.targets} - {""})
        return vals + [UNMARKED]

    def indicator_choices(self, category: str = ALL) -> list[tuple[str, str]]:
        """(label, iri) pairs for a dropdown, optionally limited to one category."""
        out = []
        for i in self.indicators:
            if category and category != ALL and _s(getattr(i, "category", None)) != category:
                continue
            cat = _s(getattr(i, "category", None))
            out.append((f"{i.pref_label}({cat})" if cat else i.pref_label, i.iri))
        return out

    # ---- 指标 tab -------------------------------------------------------------------
    def target_rows(self, doc_id: str = ALL, category: str = ALL, bindingness: str = ALL,
                    text: str = "", kind: str = ALL) -> tuple[list[list[str]], list[list[Any]]]:
        """(display rows, csv rows) of the targets that pass the filters (kind: 目标值 for
        stated targets, 现状值 for current values)."""
        text = _s(text)
        shown, full = [], []
        for t in self.targets:
            if doc_id and doc_id != ALL and t.doc_id != doc_id:
                continue
            cat = _s(getattr(t, "category", None))
            if category and category != ALL and cat != category:
                continue
            b = _s(getattr(t, "bindingness", None)) or UNMARKED
            if bindingness and bindingness != ALL and b != bindingness:
                continue
            vkind = KIND_ACHIEVED if is_achieved(t) else KIND_TARGET
            if kind and kind != ALL and vkind != kind:
                continue
            label, written = label_of(t), _s(getattr(t, "name_as_written", None))
            if text and text not in label and text not in written and text not in cat:
                continue
            plan = self.plan(t.doc_id)
            cite = citation_of(self.corpus, t)
            row = [plan.column if plan else t.doc_id, cat, label, written, vkind,
                   _s(getattr(t, "baseline", None)), target_text(t), _s(getattr(t, "unit", None)),
                   when(t), _s(getattr(t, "bindingness", None)), cite.section if cite else ""]
            shown.append(row)
            full.append(row + [t.doc_id, _s(getattr(t, "indicator_iri", None)),
                               _s(getattr(t, "comparator", None)),
                               _s(getattr(t, "value_kind", None)), _s(getattr(t, "passage_id", None)),
                               cite.start if cite else "", cite.end if cite else "",
                               cite.quote if cite else ""])
        return shown, full

    # ---- 对比 tab -------------------------------------------------------------------
    @cached_property
    def topics(self) -> list:
        """Concepts of the graph's topic scheme (empty for a graph without one)."""
        fn = getattr(self.ws.graph, "topics", None)
        return list(fn()) if callable(fn) else []

    def topic_choices(self) -> list[tuple[str, str]]:
        """(label, iri) of the topics some selected plan has a target or measure of."""
        return [(_s(t.pref_label), t.iri) for t in self.topics]

    def topic_of_text(self, text: str) -> str:
        """The topic a free text names (a label, an alternative label or a cue), else ""."""
        text = _s(text)
        if not text:
            return ""
        for t in self.topics:
            if text in [_s(t.pref_label)] + [_s(a) for a in t.alt_labels]:
                return t.iri
        hits = [t for t in self.topics if any(c and c in text for c in t.cues)]
        return hits[0].iri if len(hits) == 1 else ""

    def topic_indicators(self, topic_iri: str) -> list:
        """Indicators tagged with the topic, through their own tags or their targets'."""
        iris = {_s(t.indicator_iri) for t in self.targets if topic_iri in (getattr(t, "topics", None) or [])}
        return [i for i in self.indicators
                if i.iri in iris or topic_iri in (getattr(i, "topics", None) or [])]

    def topic_measures(self, result: Comparison, topic_iri: str, k: int = 3) -> None:
        """Add, per plan, the first k passages of the plan's own sections tagged with the
        topic (measures, 举措), so plans sharing no indicator still meet on the topic."""
        fn = getattr(self.ws.graph, "passage_topics", None)
        if not callable(fn) or not topic_iri:
            return
        for p in result.plans:
            found = 0
            for passage in self.corpus.passages:
                if found >= k or passage.doc_id != p.doc_id or passage.kind == "heading":
                    continue
                if ACHIEVED_SECTION.search(passage.section_path or "") or \
                        topic_iri not in fn(passage.id):
                    continue
                result.citations.append(self.corpus.citation(passage))
                result.passages.setdefault(p.doc_id, []).append(len(result.citations))
                found += 1

    def match_indicators(self, topic: str) -> list:
        """Indicators whose labels, synonyms or category mention the topic (or vice versa)."""
        topic = _s(topic)
        if not topic:
            return []
        out = []
        for i in self.indicators:
            names = [_s(i.pref_label)] + [_s(a) for a in (getattr(i, "alt_labels", None) or [])]
            cat = _s(getattr(i, "category", None))
            if (any(topic in n or (len(n) >= 2 and n in topic) for n in names if n)
                    or topic == cat):
                out.append(i)
        return out

    def compare(self, doc_ids: list[str], category: str = ALL, indicator_iri: str = "",
                topic: str = "", shared_only: bool = False, topic_iri: str = "") -> Comparison:
        """Rows = indicators chosen by indicator > scheme topic > free-text topic > category
        (> all), one column per selected plan. A free text naming no indicator falls back to
        the scheme topic it names. shared_only (ignored for a topic or one indicator) keeps
        indicators stated by at least two of those plans."""
        plans = [p for p in self.plans if p.doc_id in set(doc_ids)] if doc_ids else self.plans
        result = Comparison(plans=plans)
        wanted = {p.doc_id for p in plans}
        by_ind: dict[str, dict[str, list]] = {}
        for t in self.targets:
            if t.doc_id in wanted:
                by_ind.setdefault(_s(t.indicator_iri), {}).setdefault(t.doc_id, []).append(t)
        if not indicator_iri and not topic_iri and _s(topic) and not self.match_indicators(topic):
            topic_iri = self.topic_of_text(topic)
        result.topic_iri = topic_iri if not indicator_iri else ""
        if indicator_iri:
            chosen = [i for i in self.indicators if i.iri == indicator_iri]
        elif topic_iri:
            chosen = self.topic_indicators(topic_iri)
            label = next((_s(t.pref_label) for t in self.topics if t.iri == topic_iri), "")
            result.note = f"主题“{label}”:各规划中属于该主题的指标与举措(不要求共有指标)。"
        elif _s(topic):
            chosen = self.match_indicators(topic)
            if not chosen:
                result.note = f"图谱中没有与“{_s(topic)}”匹配的指标;下面给出各规划中最相关的原文。"
        elif category and category != ALL:
            chosen = [i for i in self.indicators if _s(getattr(i, "category", None)) == category]
        else:
            chosen = [i for i in self.indicators if by_ind.get(i.iri)]
        if shared_only and len(plans) > 1 and not indicator_iri and not _s(topic) and not topic_iri:
            shared = [i for i in chosen if len(by_ind.get(i.iri, {})) >= 2]
            if shared:
                chosen = shared
            elif chosen:
                result.note = "所选范围内没有两份以上规划共有的指标,下面列出全部指标。"
        chosen.sort(key=lambda i: (_s(getattr(i, "category", None)) or "~",
                                   -len(by_ind.get(i.iri, {})), _s(i.pref_label)))
        for ind in chosen:
            cells: dict[str, list[dict]] = {}
            for p in plans:
                for t in by_ind.get(ind.iri, {}).get(p.doc_id, []):
                    n = None
                    cite = citation_of(self.corpus, t)
                    if cite is not None:
                        result.citations.append(cite)
                        n = len(result.citations)
                    cells.setdefault(p.doc_id, []).append({
                        "value": value_text(t),
                        "baseline": "" if is_achieved(t) else _s(getattr(t, "baseline", None)),
                        "bindingness": _s(getattr(t, "bindingness", None)), "when": when(t),
                        "written": _s(getattr(t, "name_as_written", None)), "n": n,
                        "achieved": is_achieved(t)})
            for cs in cells.values():
                cs.sort(key=lambda c: c["achieved"])      # stated targets before current values
            result.rows.append({"indicator": _s(ind.pref_label),
                                "category": _s(getattr(ind, "category", None)), "cells": cells})
        return result

    def topic_passages(self, result: Comparison, topic: str, k: int = 2) -> None:
        """Add, per plan, the top retrieved passages for a free-text topic (as citations)."""
        topic = _s(topic)
        if not topic:
            return
        for p in result.plans:
            hits = self.ws.retriever.search(topic, k=k, doc_ids=[p.doc_id])
            for h in hits[:k]:
                try:
                    passage = self.corpus.passage(h.passage_id)
                except KeyError:
                    continue
                result.citations.append(self.corpus.citation(passage))
                result.passages.setdefault(p.doc_id, []).append(len(result.citations))

    def comparison_csv(self, result: Comparison) -> str:
        headers = ["指标", "类别"]
        for p in result.plans:
            headers += [f"{p.column}目标", f"{p.column}基数", f"{p.column}属性",
                        f"{p.column}年份/期间", f"{p.column}引文"]
        rows = []
        for r in result.rows:
            row = [r["indicator"], r["category"]]
            for p in result.plans:
                cs = r["cells"].get(p.doc_id, [])
                if not cs:
                    row += [GAP, "", "", "", ""]
                    continue
                quotes = [result.citations[c["n"] - 1].quote for c in cs if c["n"]]
                row += ["; ".join(c["value"] for c in cs), "; ".join(c["baseline"] for c in cs),
                        "; ".join(c["bindingness"] for c in cs), "; ".join(c["when"] for c in cs),
                        " / ".join(quotes)]
            rows.append(row)
        return to_csv(headers, rows)
