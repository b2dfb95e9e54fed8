"""Table cells keep [start, end) offsets into the unchanged text: header and row cells, with
half- and full-width bars, markdown rule rows, rows broken over lines, cells filled from the
row above (no span), CRLF line ends and GB18030 files."""
from __future__ import annotations

from core.catalog import decode_bytes
from ingest.tables import cell_spans, header_name_unit

PLAN = """一、总体要求
推进城市管理现代化，建设重点道路。
重点道路建设表
区域 | 道路名称 | 长度(公里) | 投资 (亿元) |
东城区　| 滨江路 | 2.5 | 3 |
环湖路 | 1.2 | 1 |
西城区 | 长江路 | 3.0
| 4 |
合计 |
|
| 6.7 | 8 |
二、保障措施
加强组织领导。
"""

MARKDOWN = """一、主要指标
指标体系如下。
| 指标 | 单位 | 2025年 |
|---|:--:|---|
| 污水处理率 | % | 98 |
| 绿地率 | % | 40 |
二、保障措施
加强组织领导。
"""


def _check_offsets(raw, table):
    assert len(table.header_spans) == len(table.header)
    for cell, (s, e) in zip(table.header, table.header_spans):
        assert raw[s:e] == cell
    for row in table.rows:
        assert len(row.spans) == len(row.full)
        for k, (cell, span) in enumerate(zip(row.full, row.spans)):
            if span is None:
                assert k < len(row.filled)          # only merged leading cells have no span
            else:
                assert raw[span[0]:span[1]] == cell and row.start <= span[0] <= span[1] <= row.end
        assert row.spans[:len(row.filled)] == [None] * len(row.filled)


def _only_table(corpus):
    assert len(corpus.tables) == 1
    return corpus.tables[0]


def test_half_width_bars_filled_and_joined_rows_have_cell_offsets(ingest_text):
    c = ingest_text(PLAN)
    t = _only_table(c)
    _check_offsets(PLAN, t)
    assert t.header == ["区域", "道路名称", "长度(公里)", "投资 (亿元)"]
    assert t.caption == "重点道路建设表"
    by_name = {r.full[1]: r for r in t.rows}
    assert by_name["滨江路"].full[0] == "东城区"                 # ideographic space trimmed
    filled = by_name["环湖路"]
    assert filled.full == ["东城区", "环湖路", "1.2", "1"] and filled.spans[0] is None
    joined = by_name["长江路"]                                   # broken over two lines
    assert joined.full == ["西城区", "长江路", "3.0", "4"] and None not in joined.spans
    assert PLAN[joined.start:joined.end].count("\n") == 1
    total = t.rows[-1]                                   # 合计 |, |, | 6.7 | 8 | on three lines
    assert total.full == ["合计", "", "", "6.7", "8"] and not total.filled
    assert [e - s for s, e in total.spans[1:3]] == [0, 0]        # empty cells: empty spans


def test_full_width_bars_have_cell_offsets(ingest_text, ingest_data):
    raw = (ingest_data / "chapter_plan.txt").read_text(encoding="utf-8")
    t = _only_table(ingest_text(raw))
    assert "｜" in raw[t.start:t.end]
    _check_offsets(raw, t)
    assert t.unit_column is not None and all(r.unit for r in t.rows)


def test_markdown_rule_rows_are_skipped_and_cells_keep_offsets(ingest_text):
    t = _only_table(ingest_text(MARKDOWN))
    _check_offsets(MARKDOWN, t)
    assert t.header == ["指标", "单位", "2025年"]
    assert [r.full for r in t.rows] == [["污水处理率", "%", "98"], ["绿地率", "%", "40"]]


def test_crlf_text_keeps_cell_offsets(ingest_text):
    raw = PLAN.replace("\n", "\r\n")
    t = _only_table(ingest_text(raw))
    _check_offsets(raw, t)
    assert not any("\r" in c for r in t.rows for c in r.full)
    assert [r.full for r in t.rows] == [r.full for r in _only_table(ingest_text(PLAN)).rows]


def test_gb18030_document_keeps_cell_offsets(ingest_text):
    raw, enc = decode_bytes(PLAN.encode("gb18030"), "snippet")
    assert enc == "gb18030"
    t = _only_table(ingest_text(raw, encoding=enc))
    _check_offsets(raw, t)
    assert len(t.rows) == 4


def test_real_plans_table_cells_point_into_the_raw_file(real_corpus):
    assert real_corpus.tables
    for t in real_corpus.tables:
        _check_offsets(real_corpus.raw(t.doc_id), t)


def test_cell_spans_of_one_row():
    row = " a ｜ b  || c |"
    assert [(c, row[s:e]) for c, s, e in cell_spans(row)] == \
        [("a", "a"), ("b", "b"), ("", ""), ("c", "c")]


def test_header_name_unit():
    assert header_name_unit("老旧管网改造数 (公里)") == ("老旧管网改造数", "公里")
    assert header_name_unit("管道天然气普及率(%)") == ("管道天然气普及率", "%")
    assert header_name_unit("投资（ 亿 元 ）") == ("投资", "亿元")
    assert header_name_unit("区域") == ("区域", "")
