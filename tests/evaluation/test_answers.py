"""Answer-level metrics (evaluation/answers.py) on the invented plans of tests/qa."""
from __future__ import annotations

import pytest

from core.types import Citation
from evaluation.answers import citation_ok, evaluate, gold_spans, normalize, values_present
from tests.qa.conftest import mini_workspace


@pytest.fixture(scope="module")
def mini_ws(tmp_path_factory):
    """The invented plans of tests/data/qa (see tests/qa/conftest.py)."""
    return mini_workspace(tmp_path_factory.mktemp("mini-eval"))


def test_answers_normalize_width_space_and_comparators():
    assert normalize("≥ 20 %") == normalize(">=20％") == "≥20%"


def test_answers_values_present_needs_every_value():
    assert values_present("目标 65 %(基期39.3%)", ["65%", "39.3%"])
    assert not values_present("目标65%", ["65%", "39.3%"])


def test_answers_citation_ok_compares_with_the_raw_slice(mini_ws):
    p = mini_ws.corpus.passages[3]
    good = mini_ws.corpus.citation(p)
    bad = Citation(good.doc, good.city, good.section, good.passage_id, good.start, good.end,
                   good.quote + "x")
    assert citation_ok(mini_ws, good) and not citation_ok(mini_ws, bad)


def test_answers_gold_spans_find_every_occurrence(mini_ws):
    spans = gold_spans(mini_ws, [{"doc": "yunxi", "quote": "生活垃圾回收利用率"},
                                 {"doc": "nowhere", "quote": "x"}])
    raw = mini_ws.corpus.raw("yunxi")
    assert len(spans) == raw.count("生活垃圾回收利用率") and all(d == "yunxi" for d, _, _ in spans)


def test_answers_evaluate_reports_per_type_and_overall(mini_ws):
    row = next(p for p in mini_ws.corpus.passages if "生活垃圾回收利用率" in p.text
               and p.kind == "table_row")
    target = row.meta["cells"][4]
    qs = [{"id": "1", "type": "indicator", "question": "云溪生活垃圾回收利用率目标是多少?",
           "answer_values": [target], "evidence": [{"doc": "yunxi", "quote": row.text}]},
          {"id": "2", "type": "abstain", "question": "宁波市的管网漏损率目标是多少?",
           "answer_values": [], "evidence": []}]
    rep = evaluate(mini_ws, qs)
    overall = rep["system"]["overall"]
    assert overall["answer_accuracy"] == 1.0 and overall["abstain_accuracy"] == 1.0
    assert overall["citation_validity"] == 1.0 and overall["evidence_hit"] == 1.0
    assert set(rep["system"]["by_type"]) == {"indicator", "abstain"}
    assert rep["answer_failures"] == []
