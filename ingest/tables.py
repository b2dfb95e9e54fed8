"""Tables written as bar-separated lines (`a | b | c |`, also full-width ｜).

A table is a run of consecutive lines with at least one bar. The first row is the header when
none of its cells is a number; rows with fewer cells than the header omit merged leading
cells (e.g. a category written once for several rows) and get them filled from the row above;
a row broken over several lines (continuation lines start with a bar) is joined. The short
line just before a table is its caption. Units come from a unit column (单位) or from the
header cells' parentheses, e.g. 管廊长度(公里).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from core.zh import nfkc
from ingest.headings import match_heading
from ingest.text import Line

BAR = re.compile(r"[|｜]")
NUMERIC = re.compile(r"^[\s≤≥<>=＜＞约~～+\-−/]*[\d.,，]+\s*(%|％|万|亿|个|公里|km|座|项|年)?[\s/]*$")
YEAR_LABEL = re.compile(r"^(19|20)\d{2}\s*年")
UNIT_IN_HEADER = re.compile(r"[(（]([^()（）]{1,8})[)）]\s*$")
UNIT_HEADERS = ("单位", "计量单位")
MAX_CAPTION = 60


@dataclass
class TableRow:
    start: int                      # offsets of the row's raw line(s)
    end: int
    cells: list[str]                # as written
    full: list[str]                 # left-filled to the header width
    filled: dict[str, str]          # header name -> value taken from the row above
    index: int                      # 0-based data-row index
    unit: str = ""


@dataclass
class Table:
    first_line: int                 # Line.index of the first table line
    last_line: int
    start: int
    end: int
    header: list[str]
    rows: list[TableRow] = field(default_factory=list)
    header_span: Optional[tuple[int, int]] = None
    caption: str = ""
    caption_span: Optional[tuple[int, int]] = None
    units: dict[str, str] = field(default_factory=dict)   # column -> unit
    unit_column: Optional[int] = None


def split_cells(text: str) -> list[str]:
    """Cells of one row; a trailing bar ends the row and a leading bar opens it."""
    t = text.strip()
    parts = BAR.split(t)
    if parts and parts[-1].strip() == "" and BAR.search(t[-1:] or ""):
        parts = parts[:-1]
    return [p.strip() for p in parts]


def _is_separator(text: str) -> bool:
    """Markdown rule rows such as |---|:--:|."""
    return bool(re.fullmatch(r"[\s|｜:：\-—=+]+", text)) and bool(re.search(r"[-—=]", text))


def _is_value(cell: str) -> bool:
    """A data value (88.2%, ≤8%, 17.7, 4290) rather than a label; year labels such as
    2025年 / 2025年目标 are labels."""
    c = nfkc(cell)       # full-width digits (２０２５年) read alike
    return bool(NUMERIC.match(c)) and not YEAR_LABEL.match(c)


def _is_header(cells: list[str]) -> bool:
    nonempty = [c for c in cells if c]
    return len(nonempty) >= 2 and not any(_is_value(c) for c in nonempty)


def table_blocks(lines: list[Line]) -> list[list[int]]:
    """Positions (into `lines`) of runs of consecutive bar lines (>= 2 lines, >= 2 cells once)."""
    blocks, cur = [], []
    for pos, ln in enumerate(lines):
        is_bar = bool(BAR.search(ln.text))
        contiguous = cur and lines[cur[-1]].index + 1 == ln.index
        if is_bar and (not cur or contiguous):
            cur.append(pos)
            continue
        if len(cur) >= 2:
            blocks.append(cur)
        cur = [pos] if is_bar else []
    if len(cur) >= 2:
        blocks.append(cur)
    return [b for b in blocks if max(len(split_cells(lines[p].text)) for p in b) >= 2]


def _caption(lines: list[Line], first_pos: int, taken: set[int]) -> Optional[Line]:
    if first_pos == 0 or first_pos - 1 in taken:
        return None
    ln = lines[first_pos - 1]
    if ln.index + 1 != lines[first_pos].index or len(ln.text) > MAX_CAPTION:
        return None
    if re.search(r"[。；;！？!?：:]$", ln.text) or "。" in ln.text:
        return None
    if match_heading(ln.text, ln.start) is not None:     # a heading is not a caption
        return None
    return ln


def parse_table(raw: str, lines: list[Line], block: list[int], taken: set[int]) -> Table:
    blines = [lines[p] for p in block if not _is_separator(lines[p].text)]
    # join continuation lines (starting with a bar) to the row before, unless every row does
    leading = [bool(BAR.match(ln.text)) for ln in blines]
    markdown = sum(leading) > len(leading) / 2
    groups: list[list[Line]] = []
    for ln, lead in zip(blines, leading):
        if groups and lead and not markdown:
            groups[-1].append(ln)
        else:
            groups.append([ln])
    rows_raw = []
    for g in groups:
        text = "".join(ln.text for ln in g)
        cells = split_cells(text[1:] if markdown and BAR.match(text) else text)
        rows_raw.append((g[0].start, g[-1].end, cells))
    header: list[str] = []
    header_span = None
    if rows_raw and _is_header(rows_raw[0][2]):
        header = rows_raw[0][2]
        header_span = (rows_raw[0][0], rows_raw[0][1])
        rows_raw = rows_raw[1:]
    width = len(header) or max((len(c) for _, _, c in rows_raw), default=0)
    names = header or [f"列{i + 1}" for i in range(width)]
    table = Table(first_line=blines[0].index, last_line=blines[-1].index, start=blines[0].start,
                  end=blines[-1].end, header=header, header_span=header_span)
    cap = _caption(lines, block[0], taken)
    if cap is not None:
        table.caption, table.caption_span = cap.text, (cap.start, cap.end)
    for i, name in enumerate(names):
        if name in UNIT_HEADERS:
            table.unit_column = i
        m = UNIT_IN_HEADER.search(name)
        if m:
            table.units[name] = m.group(1).strip()
    prev_full: list[str] = []
    for idx, (s, e, cells) in enumerate(rows_raw):
        missing = width - len(cells)
        filled: dict[str, str] = {}
        if 0 < missing <= len(prev_full) and cells:
            lead = prev_full[:missing]
            filled = {names[k]: lead[k] for k in range(missing)}
            full = lead + cells
        else:
            full = list(cells)
        unit = ""
        if table.unit_column is not None and table.unit_column < len(full):
            unit = full[table.unit_column]
        table.rows.append(TableRow(s, e, cells, full, filled, idx, unit))
        prev_full = full
    return table


def find_tables(raw: str, lines: list[Line]) -> list[Table]:
    tables: list[Table] = []
    taken: set[int] = set()
    for block in table_blocks(lines):
        t = parse_table(raw, lines, block, taken)
        taken.update(block)
        tables.append(t)
    return tables
