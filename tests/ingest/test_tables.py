"""Tables: header rows, merged leading cells filled from above, captions, units."""
from __future__ import annotations

import re


def _tables(corpus, doc_id):
    out: dict[str, list] = {}
    for p in corpus.passages:
        if p.doc_id == doc_id and p.kind == "table_row":
            out.setdefault(p.meta["table_id"], []).append(p)
    return list(out.values())


def _table_with(corpus, doc_id, header_word):
    for rows in _tables(corpus, doc_id):
        if any(header_word in h for h in rows[0].meta["header"]):
            return rows
    raise AssertionError(f"no table with a header containing {header_word}")


def test_tables_found_with_headers_and_captions(real_corpus, headed_doc_id):
    tables = _tables(real_corpus, headed_doc_id)
    assert len(tables) >= 3
    for rows in tables:
        m = rows[0].meta
        assert m["header"] and all(m["header"])
        assert m["caption"]
        assert [r.meta["row"] for r in rows] == list(range(len(rows)))


def test_tables_indicator_rows_have_header_and_category(real_corpus, headed_doc_id):
    rows = _table_with(real_corpus, headed_doc_id, "指标名称")
    header = rows[0].meta["header"]
    assert len(rows) >= 10
    for r in rows:
        cells = r.meta["cells"]
        assert len(cells) == len(header)
        assert cells[0] and not re.fullmatch(r"[\d.%]+", cells[0])
        assert "表头: " + "|".join(header) in r.context
        assert r.meta["record"][header[0]] == cells[0]
    filled = [r for r in rows if r.meta["filled"]]
    assert filled
    for r in filled:
        cat = r.meta["filled"][header[0]]
        assert f"{header[0]}: {cat}" in r.context
        assert cat not in r.text


def test_tables_filled_category_comes_from_row_above(real_corpus, headed_doc_id):
    rows = _table_with(real_corpus, headed_doc_id, "区域")
    header = rows[0].meta["header"]
    short = [i for i, r in enumerate(rows) if len(r.meta["cells_raw"]) < len(header)]
    assert short
    for i in short:
        above = rows[i - 1].meta["cells"]
        assert rows[i].meta["cells"][0] == above[0]
        assert rows[i].meta["cells"][1:] == rows[i].meta["cells_raw"]
        assert rows[i].meta["filled"] == {header[0]: above[0]}


def test_tables_row_broken_over_lines_is_joined(real_corpus, headed_doc_id):
    rows = _table_with(real_corpus, headed_doc_id, "区域")
    broken = [r for r in rows if "\n" in r.text]
    assert len(broken) == 1
    cells = broken[0].meta["cells"]
    assert len(cells) == len(rows[0].meta["header"])
    assert cells[0] and re.fullmatch(r"[\d.]+", cells[-1])
    assert not broken[0].meta["filled"]
    total = sum(float(r.meta["cells"][-1]) for r in rows if r is not broken[0])
    assert abs(total - float(cells[-1])) < 0.05


def test_tables_units_from_header_parentheses(real_corpus, headed_doc_id):
    rows = _table_with(real_corpus, headed_doc_id, "区域")
    units = rows[0].meta["units"]
    assert any(u == "公里" for u in units.values())
    assert all(name in rows[0].meta["header"] for name in units)


def test_tables_full_width_bars_and_unit_column(ingest_text, ingest_data):
    c = ingest_text((ingest_data / "chapter_plan.txt").read_text(encoding="utf-8"))
    rows = [p for p in c.passages if p.kind == "table_row"]
    assert len(rows) == 3
    for r in rows:
        assert r.meta["header"][r.meta["unit_column"]] == "单位"
        assert r.meta["unit"] == r.meta["cells"][r.meta["unit_column"]]
        assert f"单位: {r.meta['unit']}" in r.context
        assert r.meta["caption"] == "主要指标表"
        assert "｜" in r.text
    assert {r.meta["unit"] for r in rows} == {"%", "座"}


def test_tables_caption_is_a_heading_passage(real_corpus, headed_doc_id):
    captions = [p for p in real_corpus.passages
                if p.doc_id == headed_doc_id and p.meta.get("caption") is True]
    tids = {p.meta["table_id"] for p in real_corpus.passages
            if p.doc_id == headed_doc_id and p.kind == "table_row"}
    assert {p.meta["table_id"] for p in captions} == tids
    assert all(p.kind == "heading" for p in captions)


def test_tables_full_width_year_header_is_a_header():
    """A header of full-width year labels (２０２５年) is a header, and its unit column is read."""
    from ingest.tables import _is_header, split_cells
    assert _is_header(split_cells("序号｜指标｜单位｜２０２０年｜２０２５年｜属性"))
    assert not _is_header(split_cells("１｜生活垃圾分类覆盖率｜％｜８６．５｜１００｜约束性"))


def test_tables_bare_year_header_is_a_header():
    """Year columns written without 年 (2020 | 2025) are labels; a by-year data row is not a
    header."""
    from ingest.tables import _is_header, split_cells
    assert _is_header(split_cells("指标 | 单位 | 2020 | 2025 | 属性 |"))
    assert not _is_header(split_cells("2021 | 18 | 2000 | 35% |"))
    assert not _is_header(split_cells("城市污水处理率 | 2020 | 96 |"))


def test_tables_caption_one_blank_line_above(ingest_text):
    table = "区域 | 道路名称 | 长度(公里) |\n东城区 | 滨江路 | 2.5 |\n西城区 | 长江路 | 3.0 |\n"
    for gap, caption in (("\n", "重点道路建设表"), ("\n\n", "重点道路建设表"), ("\n\n\n", "")):
        c = ingest_text("一、总体要求\n推进城市管理现代化。\n重点道路建设表" + gap + table)
        assert [t.caption for t in c.tables] == [caption]
        rows = [p for p in c.passages if p.kind == "table_row"]
        assert {p.meta["caption"] for p in rows} == {caption}
