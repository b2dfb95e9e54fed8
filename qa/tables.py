"""Answers read from table rows (ingest keeps each row's cells, header and filled cells in the
table_row passages; a header's name and unit are read by ingest.tables.header_name_unit):
a by-year row (2023年 | 16 | 2100 | 41%) answers "2023年…多少"; rows whose cells name a
district (上虞区 | 创五路 | …) answer "上虞区…哪几段". The row is the citation."""
from __future__ import annotations

import re
from typing import Any, Optional

from core.protocols import Workspace
from core.types import Passage
from core.zh import norm
from ingest.tables import header_name_unit
from qa.analysis import Analysis
from qa.context import QAContext
from qa.position import Position
from qa.text import bigram_cover, lcs_cover

MIN_TABLE_RELEVANCE = 0.3
MIN_COLUMN_MATCH = 0.7


def _tables(corpus: Any, doc_id: str) -> dict[str, list[Passage]]:
    out: dict[str, list[Passage]] = {}
    for p in corpus.passages:
        if p.doc_id == doc_id and p.kind == "table_row" and p.meta.get("table_id"):
            out.setdefault(p.meta["table_id"], []).append(p)
    for rows in out.values():
        rows.sort(key=lambda p: p.start)
    return out


def _cells(p: Passage) -> list[str]:
    return [str(c) for c in (p.meta.get("cells") or [])]


def _header(p: Passage) -> list[str]:
    return [str(h) for h in (p.meta.get("header") or [])]


def _relevance(a: Analysis, rows: list[Passage]) -> float:
    p = rows[0]
    desc = " ".join([str(p.meta.get("caption") or ""), " ".join(_header(p)), p.section_path])
    return max(bigram_cover(a.topic, desc), bigram_cover(a.topic, desc + " ".join(
        " ".join(_cells(r)) for r in rows)) * 0.8)


def _unit(p: Passage, col: str) -> str:
    u = header_name_unit(col)[1] or (p.meta.get("unit") or "")
    return "" if u in ("%", "％") else u


def _column_match(col: str, question: str) -> float:
    """How well a column name is asked for: in-order characters, bigrams, or (for reordered
    wording such as 改造…老旧表箱 vs 老旧表箱改造数) characters present in the question."""
    c, q = norm(col), norm(question)
    chars = sum(ch in q for ch in c) / len(c) if c else 0.0
    return max(lcs_cover(c, q), bigram_cover(c, q), 0.9 * chars)


def _col_name(col: str) -> str:
    return header_name_unit(col)[0]


def year_cell(ws: Workspace, ctx: QAContext, a: Analysis, doc_id: str,
              core: str = "") -> Optional[Position]:
    """The cell of a by-year row for the asked year, in the column that best matches (and
    that names `core`, the indicator the question writes out, when there is one)."""
    if not a.explicit_years:
        return None
    years = a.explicit_years
    city = ctx.docs[doc_id].city
    best: Optional[tuple[float, Passage, int]] = None
    for rows in _tables(ws.corpus, doc_id).values():
        if _relevance(a, rows) < MIN_TABLE_RELEVANCE:
            continue
        header = _header(rows[0])
        for p in rows:
            cells = _cells(p)
            ycol = next((i for i, c in enumerate(cells)
                         if any(re.fullmatch(rf"{y}\s*年?(度|末)?", norm(c)) for y in years)), None)
            if ycol is None:
                continue
            for i, col in enumerate(header):
                if i == ycol or i >= len(cells) or not cells[i].strip():
                    continue
                if core and core not in norm(col):
                    continue
                s = _column_match(_col_name(col), a.text)
                if s >= MIN_COLUMN_MATCH and (best is None or s > best[0]):
                    best = (s, p, i)
    if best is None:
        return None
    s, p, i = best
    col = _header(p)[i]
    value = _cells(p)[i]
    year = _cells(p)[next(k for k, c in enumerate(_cells(p))
                          if any(str(y) in c for y in years))]
    unit = _unit(p, col)
    text = f"{year}{_col_name(col)}:{value}{unit if unit and not value.endswith(unit) else ''}"
    cap = p.meta.get("caption")
    if cap:
        text += f"(据《{cap}》)" if not cap.startswith("《") else f"(据{cap})"
    return Position(doc_id, city, True, text, kind="indicator",
                    citations=[ws.corpus.citation(p)], has_value=True)


def district_rows(ws: Workspace, ctx: QAContext, a: Analysis, doc_id: str) -> Optional[Position]:
    """Every row of the most relevant table whose cells (or filled cells) name the district."""
    names = a.district_names(doc_id)
    if not names:
        return None
    city = ctx.docs[doc_id].city
    best: Optional[tuple[float, list[Passage]]] = None
    for rows in _tables(ws.corpus, doc_id).values():
        rel = _relevance(a, rows)
        if rel < MIN_TABLE_RELEVANCE:
            continue
        hit = [p for p in rows if any(n in c for c in _cells(p) for n in names)]
        if hit and (best is None or rel > best[0]):
            best = (rel, hit)
    if best is None:
        return None
    rel, hit = best
    header = _header(hit[0])
    items = []
    for p in hit:
        cells = _cells(p)
        parts = [f"{_col_name(h)}{c}{_unit(p, h)}" if re.fullmatch(r"[\d.]+", c) else c
                 for h, c in zip(header, cells) if c and not any(n in c for n in names)] \
            if header else [c for c in cells if c]
        items.append(",".join(parts))
    text = ";".join(items)
    return Position(doc_id, city, True, text, kind="list",
                    citations=[ws.corpus.citation(p) for p in hit], has_value=True)
