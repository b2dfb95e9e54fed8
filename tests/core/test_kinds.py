"""Passage and answer kinds are closed sets (core.types.PassageKind / AnswerKind): every kind
the real stages produce is one of them."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.types import ANSWER_KINDS, PASSAGE_KINDS

QUESTIONS = Path(__file__).resolve().parents[2] / "evaluation" / "questions"


def test_kind_sets_are_the_literal_types():
    assert "table_row" in PASSAGE_KINDS and "none" in ANSWER_KINDS
    assert len(set(PASSAGE_KINDS)) == len(PASSAGE_KINDS) and len(set(ANSWER_KINDS)) == len(ANSWER_KINDS)


def test_every_passage_kind_of_the_real_plans_is_declared(corpus):
    kinds = {p.kind for p in corpus.passages}
    assert kinds <= set(PASSAGE_KINDS), kinds - set(PASSAGE_KINDS)
    assert {"paragraph", "table_row"} <= kinds


@pytest.mark.slow
def test_every_answer_kind_is_declared(built):
    import qa
    by_intent: dict[str, str] = {}
    for f in ("shaoxing.jsonl", "hangzhou.jsonl", "extra.jsonl"):
        for line in (QUESTIONS / f).read_text(encoding="utf-8").splitlines():
            q = json.loads(line)
            by_intent.setdefault(q.get("intent", ""), q["question"])
    kinds = {qa.answer(built, question).kind for question in by_intent.values()}
    kinds.add(qa.answer(built, "火星城市管理规划的目标是多少?").kind)
    assert kinds <= set(ANSWER_KINDS), kinds - set(ANSWER_KINDS)
    assert len(kinds) >= 3
