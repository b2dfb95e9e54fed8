"""The graph's reading of a plan's tables. The tables themselves are ingest's (core.types.Table,
parsed once by ingest/tables.py with every cell's offsets); here: which rows are the body (a
合计/总计 row ends it; rows that do not fit the header are left out), which column holds
what, what kind of table it is, and what its caption says the rows are.
"""
from __future__ import annotations

import re
from typing import Optional

from core.periods import PERIOD_RE
from core.types import Table, TableRow

_TOTAL = re.compile(r"^(合计|总计|小计|共计)$")
_YEAR_CELL = re.compile(r"^(?:19|20)\d\d\s*年?$")
MAX_MERGED = 3          # a row omits at most this many merged leading cells (and keeps two)


def body(t: Table) -> list[TableRow]:
    """The rows the graph reads: those before the first total row (合计/总计/小计/共计 as its
    first written cell), with a cell for every header column, of which at most MAX_MERGED
    (and never all but one) were filled from the row above."""
    n = len(t.header)
    out = []
    for r in t.rows:
        if r.cells and _TOTAL.match(re.sub(r"\s", "", r.cells[0])):
            break
        if len(r.full) == n and (len(r.cells) == n or len(r.cells) >= max(2, n - MAX_MERGED)):
            out.append(r)
    return out


def col(t: Table, *keywords: str, exclude: tuple[str, ...] = ()) -> Optional[int]:
    """The first header column naming one of `keywords` and none of `exclude`."""
    for i, h in enumerate(t.header):
        hn = re.sub(r"\s", "", h)
        if any(k in hn for k in keywords) and not any(x in hn for x in exclude):
            return i
    return None


def is_year_cell(cell: str) -> bool:
    return bool(_YEAR_CELL.match(cell.strip()))


def table_kind(t: Table, rows: Optional[list[TableRow]] = None) -> str:
    """indicators (a 指标 column), by_year (rows keyed by year), or projects; `rows` is the
    table's body when the caller has it (else body(t))."""
    if col(t, "指标") is not None:
        return "indicators"
    first = re.sub(r"\s", "", t.header[0]) if t.header else ""
    rows = body(t) if rows is None else rows
    if first in ("年份", "年度", "时间", "年") or (rows and all(is_year_cell(r.full[0])
                                                            for r in rows)):
        return "by_year"
    return "projects"


def subject_of_title(title: str) -> str:
    """What a table lists, from its title: "“十四五”期间推进地下管廊建设概况表" -> "地下管廊"."""
    t = re.sub(r"[“”\"]?" + PERIOD_RE.pattern + r"[”\"]?(期间|时期)?", "", title)
    t = re.sub(r"^(附表[一二三四五六七八九十\d]*[:：、]?\s*)", "", t)
    t = re.sub(r"^(推进|实施|开展|加快|新建|规划)+", "", t)
    t = re.sub(r"(建设)?(概况|情况|计划|汇总|一览|明细|统计)?表$", "", t)
    t = re.sub(r"(建设|改造|实施)$", "", t)
    return t.strip()


def with_header(tables: list[Table]) -> list[Table]:
    """The tables the graph reads: those with a header (column names)."""
    return [t for t in tables if t.header]


def bodies(tables: list[Table]) -> list[tuple[Table, list[TableRow]]]:
    """The tables the graph reads (with_header), each with its body, read once."""
    return [(t, body(t)) for t in with_header(tables)]


def body_spans(read: list[tuple[Table, list[TableRow]]]) -> list[tuple[int, int]]:
    """Where each table's body lies in the text (its start to its last body row's end):
    the passages there are the table's, not running text."""
    return [(t.start, rows[-1].end) for t, rows in read if rows]
