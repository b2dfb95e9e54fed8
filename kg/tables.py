"""Tables in the raw text (rows of cells separated by | or ｜), parsed header-aware.

The tables are read from the raw text itself (so the offsets of every cell are known and the
ingest stage's table layout is not assumed): a table is a block of consecutive lines holding a
separator; its first line is the header, the short line above it the title. Rows with fewer
cells than the header have their leading (merged) cells filled from the row above; a 合计/总计
row ends the table body.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from core.periods import PERIOD_RE

SEP = "|｜"
_TOTAL = re.compile(r"^(合计|总计|小计|共计)$")
_PAREN_UNIT = re.compile(r"[(（]\s*([^()（）]{1,8}?)\s*[)）]\s*$")
_YEAR_CELL = re.compile(r"^(?:19|20)\d\d\s*年?$")


@dataclass
class Row:
    index: int
    start: int                                   # line span in the raw text
    end: int
    cells: list[str]                             # aligned to the header (filled cells included)
    spans: list[Optional[tuple[int, int]]]       # raw offsets of each cell, None when filled


@dataclass
class Table:
    title: str
    header: list[str]
    header_start: int
    header_end: int
    rows: list[Row] = field(default_factory=list)

    def col(self, *keywords: str, exclude: tuple[str, ...] = ()) -> Optional[int]:
        for i, h in enumerate(self.header):
            hn = re.sub(r"\s", "", h)
            if any(k in hn for k in keywords) and not any(x in hn for x in exclude):
                return i
        return None


def header_name_unit(header: str) -> tuple[str, str]:
    """"老旧管网改造数 (公里)" -> ("老旧管网改造数", "公里"); "管道天然气普及率(%)" -> (…, "%")."""
    h = re.sub(r"\s+", "", header)
    m = _PAREN_UNIT.search(h)
    if m:
        return h[:m.start()], m.group(1)
    return h, ""


def _cells(raw: str, start: int, end: int) -> list[tuple[str, int, int]]:
    out, s = [], start
    for i in range(start, end + 1):
        if i == end or raw[i] in SEP:
            a, b = s, i
            while a < b and raw[a] in " \t\u3000":
                a += 1
            while b > a and raw[b - 1] in " \t\u3000\r":
                b -= 1
            out.append((raw[a:b], a, b))
            s = i + 1
    while out and not out[-1][0]:
        out.pop()
    while out and not out[0][0]:
        out.pop(0)
    return out


def _lines(raw: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    for line in raw.split("\n"):
        out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


def tables_in(raw: str) -> list[Table]:
    """Every table of a document, in order."""
    lines = _lines(raw)
    tables: list[Table] = []
    i = 0
    while i < len(lines):
        s, e = lines[i]
        if not any(c in raw[s:e] for c in SEP):
            i += 1
            continue
        j = i
        while j < len(lines) and any(c in raw[lines[j][0]:lines[j][1]] for c in SEP):
            j += 1
        tables.append(_parse_block(raw, lines, i, j))
        i = j
    return [t for t in tables if len(t.header) >= 2]


def _parse_block(raw: str, lines: list[tuple[int, int]], i: int, j: int) -> Table:
    hs, he = lines[i]
    header = [c for c, _, _ in _cells(raw, hs, he)]
    title = ""
    k = i - 1
    while k >= 0 and not raw[lines[k][0]:lines[k][1]].strip():
        k -= 1
    if k >= 0:
        cand = raw[lines[k][0]:lines[k][1]].strip()
        if len(cand) <= 60 and not cand.endswith(("。", "；", ";", ":", "：")):
            title = cand
    table = Table(title=title, header=header, header_start=hs, header_end=he)
    prev: Optional[list[str]] = None
    n = len(header)
    for idx in range(i + 1, j):
        s, e = lines[idx]
        cells = _cells(raw, s, e)
        if not cells:
            continue
        if _TOTAL.match(re.sub(r"\s", "", cells[0][0])):
            break
        if len(cells) > n or (len(cells) < n and (prev is None or len(cells) < max(2, n - 3))):
            continue
        missing = n - len(cells)
        full = (prev[:missing] if missing else []) + [c for c, _, _ in cells]
        spans = [None] * missing + [(a, b) for _, a, b in cells]
        row = Row(index=len(table.rows), start=cells[0][1], end=cells[-1][2], cells=full,
                  spans=spans)
        ls, le = s, e
        while ls < le and raw[ls] in " \t\u3000":
            ls += 1
        while le > ls and raw[le - 1] in " \t\u3000\r":
            le -= 1
        row.start, row.end = ls, le
        table.rows.append(row)
        prev = full
    return table


def is_year_cell(cell: str) -> bool:
    return bool(_YEAR_CELL.match(cell.strip()))


def table_kind(t: Table) -> str:
    """indicators (a 指标 column), by_year (rows keyed by year), or projects."""
    if t.col("指标") is not None:
        return "indicators"
    first = re.sub(r"\s", "", t.header[0]) if t.header else ""
    if first in ("年份", "年度", "时间", "年") or (t.rows and all(is_year_cell(r.cells[0])
                                                              for r in t.rows)):
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
