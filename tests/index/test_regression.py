"""Regression floor on the dev questions with the real model over the real plans (slow).
Floors sit below the measured figures; they guard against regressions, not per-question ranks."""
from __future__ import annotations

import json

import pytest

from tests.conftest import QA_DEV

pytestmark = pytest.mark.slow

FLOORS = {"recall@1": 0.85, "recall@5": 0.95, "recall@10": 0.95, "mrr@10": 0.90}
BOTH_FLOOR = 0.83


@pytest.fixture(scope="module")
def dev_report(real_index):
    from evaluation.retrieval import evaluate
    _, ws = real_index
    questions = [json.loads(line) for line in QA_DEV.read_text(encoding="utf-8").splitlines()
                 if line.strip()]
    return evaluate(ws, questions)


def test_regression_dev_recall_floor(dev_report):
    overall = dev_report["system"]["overall"]
    for key, floor in FLOORS.items():
        assert overall[key] >= floor, f"{key}={overall[key]} fell below {floor}"
    assert dev_report["system"]["by_type"]["comparison"]["both_cities@5"] >= BOTH_FLOOR


def test_regression_hybrid_beats_both_baselines(dev_report):
    sys_ = dev_report["system"]["overall"]
    for name, base in dev_report["baselines"].items():
        for key in ("recall@1", "mrr@10"):
            assert sys_[key] > base["overall"][key], f"{key} not better than {name}"


def test_regression_city_question_stays_in_its_plan(real_index):
    retriever, ws = real_index
    city = next(iter(ws.corpus.documents.values())).city
    hits = retriever.search(f"{city}生活垃圾分类覆盖率", k=10)
    docs = {ws.corpus.passage(h.passage_id).doc_id for h in hits}
    assert docs == {next(iter(ws.corpus.documents))}
