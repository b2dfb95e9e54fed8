"""Targets from ingest's tables (header-aware): indicator tables (name, category, baseline,
target, bindingness, unit columns) and tables of values by year."""
from __future__ import annotations

import re
from typing import NamedTuple, Optional

from core.periods import previous_name
from core.types import Table, TableRow
from ingest.tables import header_name_unit
from kg import tables as tb
from kg.context import DocContext, iri
from kg.model import Target
from kg.values import find_times, parse_cell


def _table_target(ctx, p, row, name, cell, unit, category, kind, year, period, bind,
                  baseline=None) -> Optional[Target]:
    v = parse_cell(cell)
    if v is None:
        return None
    unit = v.unit or unit
    return Target(
        iri=iri("target", ctx.doc.id, row.start, row.end, name, cell), doc_id=ctx.doc.id,
        city=ctx.doc.city, indicator_iri="", indicator_label="", name_as_written=name,
        baseline=baseline if kind == "target" else cell.strip(),
        target=cell.strip() if kind == "target" else None, value=v.value, unit=unit,
        comparator=v.comparator, year=year, period=period, bindingness=bind, value_kind=kind,
        category=category or ctx.res.categories.of(name), passage_id=p.id if p else "",
        start=p.start if p else row.start, end=p.end if p else row.end,
        evidence_start=row.start, evidence_end=row.end, value_max=v.value_max,
        approximate=v.approx, source="table")


BASELINE_WORDS = ("现状", "基期", "基数", "基准", "现值", "完成值")
TARGET_WORDS = ("目标", "规划值", "预期值")


class PeriodWords(NamedTuple):
    """How a plan's tables name their baseline and target columns by its own period."""
    baseline: tuple[str, ...]       # the previous five-year plan, the year before the plan
    target: tuple[str, ...]         # the plan's own five-year plan, its last year
    previous: tuple[str, ...]       # the previous five-year plan (never a target column)


def period_words(ctx: DocContext) -> PeriodWords:
    """十三五/2020 and 十四五/2025 for a 十四五 plan, 十四五/2025 and 十五五/2030 for a 十五五
    plan; no words for a period the plan does not give."""
    name = previous_name(ctx.fyp) if ctx.fyp else None
    previous = (name,) if name else ()
    baseline = previous + ((str(ctx.start_year - 1),) if ctx.start_year else ())
    target = ((ctx.fyp,) if ctx.fyp else ()) + ((str(ctx.end_year),) if ctx.end_year else ())
    return PeriodWords(baseline=baseline, target=target, previous=previous)


def from_table(ctx: DocContext, t: Table, rows: list[TableRow]) -> list[Target]:
    """Targets of one table with its body `rows` (kg.tables.bodies)."""
    kind = tb.table_kind(t, rows)
    if kind == "projects":
        return []
    out: list[Target] = []
    title_cat = ctx.res.categories.of(t.caption)
    if kind == "by_year":
        for row in rows:
            ym = re.match(r"((?:19|20)\d\d)", row.full[0].strip())
            year = int(ym.group(1)) if ym else None
            p = ctx.passage_at(row.start, row.end)
            for ci in range(1, len(t.header)):
                name, unit = header_name_unit(t.header[ci])
                tg = _table_target(ctx, p, row, name, row.full[ci], unit, title_cat or None,
                                   "target", year, None, None)
                if tg:
                    out.append(tg)
        return out
    c_name = tb.col(t, "指标名称", "指标")
    c_cat = tb.col(t, "类别", "分类", "类型", "领域")
    words = period_words(ctx)
    c_base = tb.col(t, *words.baseline, *BASELINE_WORDS)
    c_target = tb.col(t, *TARGET_WORDS, *words.target, exclude=words.previous)
    c_attr = tb.col(t, "属性", "性质")
    c_unit = tb.col(t, "单位")
    target_period = None
    if c_target is not None:
        tm = find_times(t.header[c_target])
        target_period = (tm[0].period + "末" if tm and tm[0].period and not
                         tm[0].period.endswith("末") else (tm[0].period if tm else None))
        target_year = tm[0].year if tm else None
    for row in rows:
        name = re.sub(r"\s", "", row.full[c_name]) if c_name is not None else ""
        if not name:
            continue
        p = ctx.passage_at(row.start, row.end)
        unit = row.full[c_unit].strip() if c_unit is not None else header_name_unit(
            t.header[c_target] if c_target is not None else "")[1]
        cat = row.full[c_cat].strip() if c_cat is not None else title_cat
        bind = row.full[c_attr].strip() if c_attr is not None else None
        base = row.full[c_base].strip() if c_base is not None else None
        if base and parse_cell(base) is None:
            base = None
        if c_target is not None:
            tg = _table_target(ctx, p, row, name, row.full[c_target], unit, cat, "target",
                               target_year, target_period or ctx.fyp or None, bind or None, base)
            if tg:
                if not tg.unit and base:
                    tg.unit = (parse_cell(base).unit or "")
                out.append(tg)
    return out
