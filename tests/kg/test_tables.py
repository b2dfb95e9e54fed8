"""The graph reads ingest's tables (DocContext.tables) and nothing else: body rows up to a
total row, rows that fit the header, the caption's subject; rows broken over lines, markdown
rule rows, headings above a table and tables without a header are read as ingest reads them."""
from __future__ import annotations

import dataclasses

import pytest

from kg import projects, targets
from kg import tables as tb
from kg.context import DocContext
from kg.target_tables import period_words
from tests.kg.conftest import make_corpus, snippet

TUNNELS = "地下管廊建设概况表\n区域 | 管廊所在道路 | 管廊长度(公里) |\n"


def _table_projects(ctx):
    return {p.name: p for p in projects.extract(ctx) if p.source == "table"}


def test_graph_reads_the_tables_it_is_given_not_the_raw_text(ctx_of):
    ctx = ctx_of(snippet("table_projects.txt"))
    assert set(_table_projects(ctx)) == {"后墅路地下管廊", "松陵路地下管廊", "稽山路地下管廊"}
    # the same text without ingest's tables: no table rows are read
    bare = DocContext(ctx.doc, ctx.passages, [], ctx.res)
    assert not _table_projects(bare)
    # a cell changed in the table (not in the text) is what the graph reads
    t = ctx.tables[0]
    row = dataclasses.replace(t.rows[0], full=["越城区", "新建路", *t.rows[0].full[2:]])
    edited = dataclasses.replace(t, rows=[row, *t.rows[1:]])
    assert "新建路地下管廊" in _table_projects(DocContext(ctx.doc, ctx.passages, [edited], ctx.res))


def test_body_ends_at_a_total_row_and_keeps_rows_that_fit_the_header(ctx_of):
    (t,) = ctx_of(snippet("table_projects.txt")).tables
    assert [r.cells[0] for r in t.rows][-1] == "合计"             # ingest keeps the total row
    assert [r.full[1] for r in tb.body(t)] == ["后墅路", "松陵路", "稽山路"]
    (t,) = ctx_of(TUNNELS + "越城区 | 后墅路 | 2.5 | 备注 | 无 |\n柯桥区 | 稽山路 | 3.6 |\n").tables
    assert [r.full[1] for r in tb.body(t)] == ["稽山路"]          # more cells than the header


def test_body_span_ends_at_the_last_body_row(ctx_of):
    ctx = ctx_of("前文。\n" + snippet("table_projects.txt") + "后文。\n")
    (t,) = ctx.tables
    ((read_t, rows),) = tb.bodies(ctx.tables)
    assert read_t is t and rows == tb.body(t) and tb.table_kind(t, rows) == tb.table_kind(t)
    assert tb.body_spans(tb.bodies(ctx.tables)) == [(t.start, rows[-1].end)]
    assert rows[-1].end < t.rows[-1].end                          # the total row is left out
    assert tb.body_spans([(t, [])]) == []


def test_body_leaves_out_rows_with_too_few_cells_of_their_own(ctx_of):
    head = "序号 | 类别 | 指标名称 | 基期 | 目标 | 属性 | 备注 |\n"
    (t,) = ctx_of("主要指标表\n" + head + "1 | 环境 | 垃圾分类覆盖率 | 88% | 100% | 约束性 | 无 |\n"
                  "回收利用率 | 39% | 65% |\n2 | 环境 | 无害化处理率 | 99% | 100% | 约束性 | 无 |\n"
                  ).tables
    assert len(t.rows[1].filled) == 4                              # ingest fills four cells
    assert [r.full[2] for r in tb.body(t)] == ["垃圾分类覆盖率", "无害化处理率"]


def test_a_row_broken_over_two_lines_is_one_row(ctx_of):
    got = _table_projects(ctx_of(TUNNELS + "越城区 | 后墅路 | 2.5 |\n柯桥区 | 稽山路\n| 3.6 |\n"))
    assert got["稽山路地下管廊"].district == "柯桥区"
    assert got["稽山路地下管廊"].attributes["length"] == "3.6公里"
    assert "柯桥区地下管廊" not in got


def test_markdown_rule_row_is_not_a_project(ctx_of):
    text = ("地下管廊建设概况表\n| 区域 | 管廊所在道路 | 管廊长度(公里) |\n|---|---|---|\n"
            "| 越城区 | 后墅路 | 2.5 |\n")
    assert set(_table_projects(ctx_of(text))) == {"后墅路地下管廊"}


def test_a_heading_above_a_table_is_not_its_title(ctx_of):
    got = _table_projects(ctx_of("（三）重点项目\n区域 | 管廊所在道路 | 管廊长度(公里) |\n"
                                 "越城区 | 后墅路 | 2.5 |\n"))
    assert set(got) == {"后墅路"}


def test_a_title_a_blank_line_above_the_table_names_its_rows(ctx_of):
    got = _table_projects(ctx_of("“十四五”期间推进地下管廊建设概况表\n\n"
                                 "区域 | 管廊所在道路 | 管廊长度(公里) |\n越城区 | 后墅路 | 2.5 |\n"))
    assert set(got) == {"后墅路地下管廊"}


def test_a_table_without_header_gives_no_rows_to_the_graph(ctx_of):
    ctx = ctx_of("地下管廊建设概况表\n越城区 | 后墅路 | 2.5 |\n柯桥区 | 稽山路 | 3.6 |\n")
    assert ctx.tables and not ctx.tables[0].header and not tb.with_header(ctx.tables)
    assert not _table_projects(ctx)


def test_bare_year_columns_are_a_header(ctx_of):
    ctx = ctx_of("主要指标表\n指标 | 单位 | 2020 | 2025 | 属性 |\n"
                 "城市污水处理率 | % | 96 | 98 | 约束性 |\n")
    (t,) = ctx.tables
    assert t.header == ["指标", "单位", "2020", "2025", "属性"] and tb.table_kind(t) == "indicators"
    (tg,) = [x for x in targets.extract(ctx) if x.source == "table"]
    assert (tg.name_as_written, tg.baseline, tg.target, tg.unit) == ("城市污水处理率", "96", "98", "%")


def _plan_ctx(res, text, title, period):
    c = make_corpus({"p": ("宁波", text)}, title=title, period=period)
    return DocContext(c.documents["p"], c.passages, c.tables, res)


@pytest.mark.parametrize("head", ["2025年 | 2030年", "“十四五”完成值 | “十五五”目标值",
                                  "2025 | 十五五"])
def test_a_later_plan_reads_its_own_baseline_and_target_columns(res, head):
    text = (f"主要指标表\n序号 | 指标名称 | 单位 | {head} | 属性 |\n"
            "1 | 城市污水处理率 | % | 97 | 98 | 约束性 |\n")
    ctx = _plan_ctx(res, text, "某市城市管理“十五五”规划", "2026-2030")
    assert period_words(ctx) == (("十四五", "2025"), ("十五五", "2030"), ("十四五",))
    (tg,) = [x for x in targets.extract(ctx) if x.source == "table"]
    assert (tg.name_as_written, tg.baseline, tg.target, tg.unit) == ("城市污水处理率", "97", "98", "%")


def test_period_words_follow_the_plan_and_are_none_for_an_unknown_period(res, ctx_of):
    assert period_words(ctx_of("")) == (("十三五", "2020"), ("十四五", "2025"), ("十三五",))
    assert period_words(_plan_ctx(res, "", "某市城市管理规划", "")) == ((), (), ())
    assert period_words(_plan_ctx(res, "", "某市城市管理规划", "2021-2035")) == (
        ("2020",), ("2035",), ())


def test_table_kind_col_and_subject(ctx_of):
    kinds = {name: tb.table_kind(ctx_of(snippet(name)).tables[0])
             for name in ("table_key.txt", "table_year.txt", "table_projects.txt")}
    assert kinds == {"table_key.txt": "indicators", "table_year.txt": "by_year",
                     "table_projects.txt": "projects"}
    (t,) = ctx_of(snippet("table_projects.txt")).tables
    assert tb.col(t, "道路", exclude=("起点",)) == 1 and tb.col(t, "起点") == 2
    assert tb.col(t, "管廊", exclude=("道路",)) == 2 and tb.col(t, "年份") is None
    assert tb.subject_of_title(t.caption) == "地下管廊"
    assert tb.subject_of_title("附表1：城镇老旧燃气设施改造计划表") == "城镇老旧燃气设施"
