"""UI data views over a FAKE graph (tests/web/fakes.py) and the real ingested corpus: columns
come from the catalog's documents, gaps are marked, filters and examples follow the graph."""
from __future__ import annotations

import csv
import dataclasses
import io

import pytest

from core.types import Corpus
from tests.fakes import ui_workspace_fake
from web.ui.compare import comparison_html
from web.ui.data import ALL, GAP, TARGET_COLUMNS, TARGET_CSV_COLUMNS, UIData
from web.ui.examples import example_questions


@pytest.fixture(scope="module")
def data(corpus, tmp_path_factory):
    from core.config import load_config
    cfg = load_config({"data_dir": tmp_path_factory.mktemp("d")}, env={})
    return UIData(ui_workspace_fake(corpus, cfg))


@pytest.fixture(scope="module")
def three_plans(corpus, tmp_path_factory):
    """The corpus plus a renamed copy of its first plan (a third city, no targets of its own
    in the fake graph because the fake graph is built before the copy is added)."""
    from core.config import load_config
    cfg = load_config({"data_dir": tmp_path_factory.mktemp("d3")}, env={})
    ws = ui_workspace_fake(corpus, cfg)
    first = next(iter(corpus.documents.values()))
    copy = dataclasses.replace(first, id="copy_plan", city="宁波", title="宁波市某规划")
    ws.corpus = Corpus(documents={**corpus.documents, "copy_plan": copy},
                       sections=corpus.sections, passages=corpus.passages)
    return UIData(ws)


def test_ui_data_compare_has_one_column_per_catalog_document(three_plans):
    result = three_plans.compare([])
    assert [p.doc_id for p in result.plans] == list(three_plans.corpus.documents)
    html = comparison_html(three_plans, result)
    for doc in three_plans.corpus.documents.values():
        assert f"<th>{doc.city}</th>" in html
    assert GAP in html          # the copy has no targets: every row shows 未提出 there


def test_ui_data_compare_cells_cite_their_target_span(data):
    result = data.compare([], category=ALL)
    assert result.rows and result.citations
    raw = {d: data.corpus.raw(d) for d in data.corpus.documents}
    for c in result.citations:
        assert raw[c.doc][c.start:c.end] == c.quote


def test_ui_data_compare_csv_has_plan_columns_and_gaps(three_plans):
    text = three_plans.comparison_csv(three_plans.compare([]))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "指标"
    assert any(h.startswith("宁波") for h in rows[0])
    assert all(GAP in r for r in rows[1:])


def test_ui_data_target_filters_narrow_rows(data):
    everything, _ = data.target_rows()
    doc = data.targets[0].doc_id
    one_plan, full = data.target_rows(doc_id=doc)
    assert 0 < len(one_plan) <= len(everything)
    assert all(r[TARGET_CSV_COLUMNS.index("doc_id")] == doc for r in full)
    b = data.targets[0].bindingness
    only_b, _ = data.target_rows(bindingness=b)
    assert only_b and all(r[TARGET_COLUMNS.index("属性")] == b for r in only_b)


def test_ui_data_examples_name_real_cities_and_indicators(data):
    qs = example_questions(data)
    assert qs
    cities = {d.city for d in data.corpus.documents.values()}
    labels = {t.indicator_label for t in data.targets}
    assert all(any(c in q for c in cities) for q in qs)
    assert any(any(lab in q for lab in labels) for q in qs)
