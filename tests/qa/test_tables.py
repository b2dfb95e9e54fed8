"""Table-row answers (qa/tables.py) on the invented plans' tables."""
from __future__ import annotations

from qa import tables
from qa.analysis import analyze
from qa.router import state_for


def test_tables_year_cell_picks_row_and_column(mini_ws):
    st = state_for(mini_ws)
    a = analyze(st.ctx, "云溪2023年管道天然气普及率是多少?")
    pos = tables.year_cell(mini_ws, st.ctx, a, "yunxi")
    row = next(p for p in mini_ws.corpus.passages if p.kind == "table_row" and "2023年" in p.text)
    assert pos is not None and pos.found and row.meta["cells"][2] in pos.text
    assert pos.citations[0].quote == row.text


def test_tables_year_cell_ignores_unasked_columns(mini_ws):
    st = state_for(mini_ws)
    a = analyze(st.ctx, "云溪2023年绿化覆盖率是多少?")
    assert tables.year_cell(mini_ws, st.ctx, a, "yunxi") is None


def test_tables_year_cell_needs_an_explicit_year(mini_ws):
    st = state_for(mini_ws)
    a = analyze(st.ctx, "云溪十四五末管道天然气普及率是多少?")
    assert tables.year_cell(mini_ws, st.ctx, a, "yunxi") is None
