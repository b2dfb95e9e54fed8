"""Tables written as bar-separated lines (`a | b | c |`, also full-width ｜): the one table
parser. kg/ reads the tables it makes (core.types.Table, saved with the corpus); qa/ reads
their rows from the table_row passages (ingest/passages.py).

A table is a run of consecutive lines with at least one bar. The first row is the header when
none of its cells is a number (years such as 2025 or 2025年 are labels); rows with fewer
cells than the header omit merged leading cells (e.g. a category written once for several
rows) and get them filled from the row above; a row broken over several lines (continuation
lines start with a bar) is joined; markdown rule rows (|---|) are skipped. Every header and
row cell keeps its [start, end) offsets into the unchanged text (None for a cell filled from
the row above). The short line just before a table (a blank line between them allowed) is
its caption. Units come from a unit column (单位) or from the header cells' parentheses,
e.g. 管廊长度(公里) (header_name_unit).
"""
from __future__ import annotations

import re
from typing import Optional

from core.types import Span, Table, TableRow, stable_id
from core.zh import nfkc
from ingest.headings import match_heading
from ingest.text import Line

BAR = re.compile(r"[|｜]")
NUMERIC = re.compile(r"^[\s≤≥<>=＜＞约~～+\-−/]*[\d.,，]+\s*(%|％|万|亿|个|公里|km|座|项|年)?[\s/]*$")
YEAR_LABEL = re.compile(r"^(19|20)\d{2}\s*(年|$)")
UNIT_IN_HEADER = re.compile(r"[(（]([^()（）]{1,8})[)）]$")
UNIT_HEADERS = ("单位", "计量单位")
MAX_CAPTION = 60
CAPTION_GAP = 1         # blank lines allowed between a caption and its table

Cell = tuple[str, int, int]         # a cell's text and its [start, end) in the row's text


def header_name_unit(header: str) -> tuple[str, str]:
    """A header cell's name and unit, whitespace removed: "老旧管网改造数 (公里)" ->
    ("老旧管网改造数", "公里"); "管道天然气普及率(%)" -> ("管道天然气普及率", "%")."""
    h = re.sub(r"\s+", "", header)
    m = UNIT_IN_HEADER.search(h)
    return (h[:m.start()], m.group(1)) if m else (h, "")


def cell_spans(text: str) -> list[Cell]:
    """Cells of one row, stripped, with their offsets in `text`; a trailing bar ends the row.
    An empty cell has an empty span where it stands."""
    lead = len(text) - len(text.lstrip())
    t = text.strip()
    cuts = [-1] + [m.start() for m in BAR.finditer(t)] + [len(t)]
    parts = list(zip([c + 1 for c in cuts[:-1]], cuts[1:]))
    if parts and t[parts[-1][0]:].strip() == "" and BAR.search(t[-1:] or ""):
        parts = parts[:-1]
    out = []
    for a, b in parts:
        seg = t[a:b]
        cell = seg.strip()
        a += len(seg) - len(seg.lstrip()) if cell else 0
        out.append((cell, lead + a, lead + a + len(cell)))
    return out


def split_cells(text: str) -> list[str]:
    """Cells of one row; a trailing bar ends the row."""
    return [c for c, _, _ in cell_spans(text)]


def _is_separator(text: str) -> bool:
    """Markdown rule rows such as |---|:--:|."""
    return bool(re.fullmatch(r"[\s|｜:：\-—=+]+", text)) and bool(re.search(r"[-—=]", text))


def _is_value(cell: str) -> bool:
    """A data value (88.2%, ≤8%, 17.7, 4290) rather than a label; year labels such as
    2025年 / 2025年目标 / 2025 are labels."""
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
    if lines[first_pos].index - ln.index > 1 + CAPTION_GAP or len(ln.text) > MAX_CAPTION:
        return None
    if re.search(r"[。；;！？!?：:]$", ln.text) or "。" in ln.text:
        return None
    if match_heading(ln.text, ln.start) is not None:     # a heading is not a caption
        return None
    return ln


def _row_cells(group: list[Line], markdown: bool) -> list[Cell]:
    """Cells of a row written on the lines of `group` (continuations joined), with offsets
    into the document text."""
    text = "".join(ln.text for ln in group)
    offsets = [o for ln in group for o in range(ln.start, ln.end)] + [group[-1].end]
    skip = 1 if markdown and BAR.match(text) else 0
    return [(c, offsets[a + skip], offsets[b + skip - 1] + 1 if b > a else offsets[a + skip])
            for c, a, b in cell_spans(text[skip:])]


def parse_table(doc_id: str, lines: list[Line], block: list[int], taken: set[int]) -> Table:
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
    rows_raw = [(g[0].start, g[-1].end, _row_cells(g, markdown)) for g in groups]
    header: list[str] = []
    header_spans: list[Span] = []
    header_span = None
    if rows_raw and _is_header([c for c, _, _ in rows_raw[0][2]]):
        header = [c for c, _, _ in rows_raw[0][2]]
        header_spans = [(a, b) for _, a, b in rows_raw[0][2]]
        header_span = (rows_raw[0][0], rows_raw[0][1])
        rows_raw = rows_raw[1:]
    width = len(header) or max((len(c) for _, _, c in rows_raw), default=0)
    names = header or [f"列{i + 1}" for i in range(width)]
    start, end = blines[0].start, blines[-1].end
    table = Table(id=stable_id(doc_id, "table", start, end), doc_id=doc_id,
                  first_line=blines[0].index, last_line=blines[-1].index, start=start, end=end,
                  header=header, header_spans=header_spans, header_span=header_span)
    cap = _caption(lines, block[0], taken)
    if cap is not None:
        table.caption, table.caption_span = cap.text, (cap.start, cap.end)
    for i, name in enumerate(names):
        if name in UNIT_HEADERS:
            table.unit_column = i
        unit = header_name_unit(name)[1]
        if unit:
            table.units[name] = unit
    prev_full: list[str] = []
    for idx, (s, e, written) in enumerate(rows_raw):
        cells = [c for c, _, _ in written]
        spans: list[Optional[Span]] = [(a, b) for _, a, b in written]
        missing = width - len(cells)
        filled: dict[str, str] = {}
        full = list(cells)
        if 0 < missing <= len(prev_full) and cells:
            lead = prev_full[:missing]
            filled = {names[k]: lead[k] for k in range(missing)}
            full, spans = lead + cells, [None] * missing + spans
        unit = ""
        if table.unit_column is not None and table.unit_column < len(full):
            unit = full[table.unit_column]
        table.rows.append(TableRow(start=s, end=e, cells=cells, full=full, spans=spans,
                                   filled=filled, index=idx, unit=unit))
        prev_full = full
    return table


def find_tables(doc_id: str, lines: list[Line]) -> list[Table]:
    """The tables of a document, from its lines (ingest.text.split_lines); offsets are the
    lines' offsets, i.e. into the unchanged text."""
    tables: list[Table] = []
    taken: set[int] = set()
    for block in table_blocks(lines):
        tables.append(parse_table(doc_id, lines, block, taken))
        taken.update(block)
    return tables
