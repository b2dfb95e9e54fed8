"""Data behind the UI tabs, computed from a Workspace (no gradio import).

UIData wraps one Workspace and caches what does not change while it is loaded (targets,
indicators, plan columns). Everything is derived from ws.corpus.documents and the graph's
accessors: nothing here knows how many plans there are or which ones. Targets are shown and
cited as answers show and cite them (qa.values), and a typed topic is read by the decision
model that answers questions (qa.read_topic), so the 对比 tab and a comparison answer never
match different indicators for one text.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Optional

import qa
from core.periods import first_period_name, five_year_span, years_in
from core.protocols import Workspace
from core.types import Citation, Corpus
from kg.context import ACHIEVED_SECTION
from kg.model import Indicator, Target, Topic
from qa.values import cite_span, target_parts

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
    y = _s(t.year)
    if re.fullmatch(r"\d{4}", y):
        return y
    return period_end(_s(t.period)) or period_end(default)


def label_of(t: Any) -> str:
    return _s(t.indicator_label) or _s(t.name_as_written)


def value_text(t: Any) -> str:
    """A table cell: the target as written (qa.values); a current value reads "现状 <value>"."""
    p = target_parts(t)
    return f"现状 {p.value}" if p.achieved and p.value else p.value


def citation_of(corpus: Corpus, rec: Any) -> Optional[Citation]:
    """The citation of a graph record (a target's clause or row, else the record's span, else
    its passage), None when its passage is not in the corpus."""
    start, end = (rec.evidence_start, rec.evidence_end) if isinstance(rec, Target) \
        else (rec.start, rec.end)
    try:
        return cite_span(corpus, rec.passage_id, start, end)
    except KeyError:
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
    def targets(self) -> list[Target]:
        order = {p.doc_id: i for i, p in enumerate(self.plans)}
        ts = list(self.ws.graph.targets())
        ts.sort(key=lambda t: (order.get(t.doc_id, 999),
                               t.start))
        return ts

    @cached_property
    def indicators(self) -> list[Indicator]:
        inds = list(self.ws.graph.indicators())
        inds.sort(key=lambda i: (_s(i.category), _s(i.pref_label)))
        return inds

    @cached_property
    def categories(self) -> list[str]:
        cats = {_s(i.category) for i in self.indicators}
        cats |= {_s(t.category) for t in self.targets}
        return sorted(c for c in cats if c)

    @cached_property
    def bindingness_values(self) -> list[str]:
        vals = sorted({_s(t.bindingness) for t in self.targets} - {""})
        return vals + [UNMARKED]

    def indicator_choices(self, category: str = ALL) -> list[tuple[str, str]]:
        """(label, iri) pairs for a dropdown, optionally limited to one category."""
        out = []
        for i in self.indicators:
            if category and category != ALL and _s(i.category) != category:
                continue
            cat = _s(i.category)
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
            cat = _s(t.category)
            if category and category != ALL and cat != category:
                continue
            b = _s(t.bindingness) or UNMARKED
            if bindingness and bindingness != ALL and b != bindingness:
                continue
            parts = target_parts(t)
            vkind = KIND_ACHIEVED if parts.achieved else KIND_TARGET
            if kind and kind != ALL and vkind != kind:
                continue
            label, written = label_of(t), _s(t.name_as_written)
            if text and text not in label and text not in written and text not in cat:
                continue
            plan = self.plan(t.doc_id)
            cite = citation_of(self.corpus, t)
            row = [plan.column if plan else t.doc_id, cat, label, written, vkind,
                   _s(t.baseline), "" if parts.achieved else parts.value,
                   _s(t.unit), parts.when, parts.bindingness,
                   cite.section if cite else ""]
            shown.append(row)
            full.append(row + [t.doc_id, _s(t.indicator_iri),
                               _s(t.comparator),
                               _s(t.value_kind), _s(t.passage_id),
                               cite.start if cite else "", cite.end if cite else "",
                               cite.quote if cite else ""])
        return shown, full

    # ---- 对比 tab -------------------------------------------------------------------
    @cached_property
    def topics(self) -> list[Topic]:
        """Concepts of the graph's topic scheme (empty for a graph without one)."""
        return list(self.ws.graph.topics())

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
        iris = {_s(t.indicator_iri) for t in self.targets if topic_iri in t.topics}
        return [i for i in self.indicators
                if i.iri in iris or topic_iri in i.topics]

    def topic_measures(self, result: Comparison, topic_iri: str, k: int = 3) -> None:
        """Add, per plan, the first k passages of the plan's own sections tagged with the
        topic (measures, 举措), so plans sharing no indicator still meet on the topic."""
        if not topic_iri:
            return
        fn = self.ws.graph.passage_topics
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

    def compare(self, doc_ids: list[str], category: str = ALL, indicator_iri: str = "",
                topic: str = "", shared_only: bool = False, topic_iri: str = "") -> Comparison:
        """Rows = indicators chosen by indicator > scheme topic > free text > category (> all),
        one column per selected plan. A free text is read by qa.read_topic: its rows are the
        indicators the decision model accepts in some plan, and each plan's accepted sentences
        or table cells are added as 相关原文; a text for which nothing is accepted in any plan
        but that names a scheme topic shows that topic. shared_only (ignored for a text, a topic
        or one indicator) keeps indicators stated by at least two of the plans."""
        plans = [p for p in self.plans if p.doc_id in set(doc_ids)] if doc_ids else self.plans
        result = Comparison(plans=plans)
        wanted = {p.doc_id for p in plans}
        by_ind: dict[str, dict[str, list]] = {}
        for t in self.targets:
            if t.doc_id in wanted:
                by_ind.setdefault(_s(t.indicator_iri), {}).setdefault(t.doc_id, []).append(t)
        text, reading = _s(topic), None
        if not indicator_iri and not topic_iri and text and plans:
            reading = qa.read_topic(self.ws, text, [p.doc_id for p in plans])
            named = "" if reading.accepted_any else self.topic_of_text(text)
            if named:
                topic_iri, reading = named, None
        result.topic_iri = topic_iri if not indicator_iri else ""
        if indicator_iri:
            chosen = [i for i in self.indicators if i.iri == indicator_iri]
        elif topic_iri:
            chosen = self.topic_indicators(topic_iri)
            label = next((_s(t.pref_label) for t in self.topics if t.iri == topic_iri), "")
            result.note = f"主题“{label}”:各规划中属于该主题的指标与举措(不要求共有指标)。"
        elif reading is not None:
            by_iri = {i.iri: i for i in self.indicators}
            chosen = [by_iri[k] for k in reading.indicator_keys if k in by_iri]
        elif category and category != ALL:
            chosen = [i for i in self.indicators if _s(i.category) == category]
        else:
            chosen = [i for i in self.indicators if by_ind.get(i.iri)]
        if shared_only and len(plans) > 1 and not indicator_iri and reading is None and not topic_iri:
            shared = [i for i in chosen if len(by_ind.get(i.iri, {})) >= 2]
            if shared:
                chosen = shared
            elif chosen:
                result.note = "所选范围内没有两份以上规划共有的指标,下面列出全部指标。"
        if reading is None:         # a reading keeps the decision model's order (best first)
            chosen.sort(key=lambda i: (_s(i.category) or "~",
                                       -len(by_ind.get(i.iri, {})), _s(i.pref_label)))
        for ind in chosen:
            self._add_row(result, ind, by_ind)
        if reading is not None:
            self._add_reading(result, reading, text)
        return result

    def _add_row(self, result: Comparison, ind: Any, by_ind: dict[str, dict[str, list]]) -> None:
        cells: dict[str, list[dict]] = {}
        for p in result.plans:
            for t in by_ind.get(ind.iri, {}).get(p.doc_id, []):
                n = None
                cite = citation_of(self.corpus, t)
                if cite is not None:
                    result.citations.append(cite)
                    n = len(result.citations)
                parts = target_parts(t)
                cells.setdefault(p.doc_id, []).append({
                    "value": value_text(t), "baseline": "" if parts.achieved else parts.baseline,
                    "bindingness": parts.bindingness, "when": parts.when,
                    "written": parts.name, "n": n, "achieved": parts.achieved})
        for cs in cells.values():
            cs.sort(key=lambda c: c["achieved"])      # stated targets before current values
        result.rows.append({"indicator": _s(ind.pref_label),
                            "category": _s(ind.category), "cells": cells})

    def _add_reading(self, result: Comparison, reading: qa.TopicReading, text: str) -> None:
        """Each plan's accepted sentences / table cells as its 相关原文, and the note."""
        for side in reading.sides:
            for cite in side.passages:
                result.citations.append(cite)
                result.passages.setdefault(side.doc_id, []).append(len(result.citations))
        if not result.rows and result.passages:
            result.note = f"图谱中没有与“{text}”匹配的指标;下面给出各规划中回答该主题的原文。"
        elif not result.rows:
            result.note = f"所选规划均未提及“{text}”(文件未提及)。"

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
