"""The 对比 tab reads a typed text with the decision model that answers questions
(qa.read_topic): for every comparison question of our own question sets, the indicator and the
citation a comparison answer gives for a plan are among what the tab shows for that plan; a
text no plan answers is marked as not mentioned. Real build, real model."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

import qa
from web.ui.data import UIData

QUESTIONS = Path(__file__).resolve().parents[2] / "evaluation" / "questions"


def _comparison_questions() -> list[str]:
    out = []
    for f in sorted(QUESTIONS.glob("*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            if line.strip():
                q = json.loads(line)
                if q.get("intent") == "compare" and q.get("split") == "train":
                    out.append(q["question"])
    return out


@pytest.fixture(scope="module")
def data(built):
    return UIData(built)


def test_there_are_comparison_questions_to_check():
    assert len(_comparison_questions()) >= 10


def test_each_side_of_a_comparison_answer_is_in_the_compare_tab(data, built):
    checked = 0
    for question in _comparison_questions():
        ans = qa.answer(built, question)
        positions = ans.details.get("positions") or []
        if not positions:
            continue
        docs = [p["doc"] for p in positions]
        reading = qa.read_topic(built, question, docs)
        table = data.compare(docs, topic=question)
        shown = {(c.doc, c.start, c.end) for c in table.citations}
        for pos, side in zip(positions, reading.sides):
            assert side.doc_id == pos["doc"]
            assert side.accepted == pos["found"], question
            if not pos["found"]:
                continue
            assert side.best.text == pos["answer"]
            if side.best.target is not None:
                assert side.best.target.indicator_iri in reading.indicator_keys
            for c in pos["citations"]:
                assert (c["doc"], c["start"], c["end"]) in shown, (question, pos["doc"], c)
            checked += 1
    assert checked >= 10


def test_a_text_no_plan_answers_is_marked_not_mentioned(data):
    table = data.compare([], topic="月球基地的氦三开采配额")
    assert not table.rows and not table.passages and "未提及" in table.note


def test_cells_write_a_target_as_the_answer_does(data):
    """A value the plan writes with its comparator word keeps it as written (no extra ≥), a
    bare table number gets its column's unit, and a current value is marked: in the 对比 cell
    exactly as in the answer text."""
    from qa.values import format_target
    from web.ui.data import value_text
    t = next(t for t in data.targets if t.value_kind == "target")
    written = dataclasses.replace(t, target="达100%", comparator="≥", unit="%")
    bare = dataclasses.replace(t, target="65", comparator="", unit="%")
    status = dataclasses.replace(t, target=None, baseline="39.3", unit="%", value_kind="status")
    assert value_text(written) == "达100%" and "目标达100%" in format_target(written)
    assert value_text(bare) == "65%" and "目标65%" in format_target(bare)
    assert value_text(status) == "现状 39.3%" and "39.3%" in format_target(status)


def test_a_text_nothing_accepts_falls_back_to_the_scheme_topic_it_names(data, monkeypatch):
    """FAKE reading (nothing accepted in any plan) isolates the fallback rule."""
    def read_nothing(ws, text, doc_ids, passages_per_plan=2):
        return qa.TopicReading(text=text,
                               sides=[qa.topic.TopicSide(d, 0.0, None, False) for d in doc_ids])
    monkeypatch.setattr(qa, "read_topic", read_nothing)
    topic, cue = next((t, c) for t in data.topics for c in t.cues
                      if c and data.topic_of_text(c) == t.iri)
    table = data.compare([], topic=cue)
    assert table.topic_iri == topic.iri and "主题" in table.note
