"""Rendering answers, and batch files."""
from __future__ import annotations

import json

import pytest

from core.errors import QuestionError
from core.types import Answer, Citation
from qa import read_batch, render_text


def _cite(doc: str) -> Citation:
    return Citation(doc=doc, city="甲", section="一、总则", passage_id="p1", start=3, end=8,
                    quote="示例引文")


def test_render_text_lists_numbered_citations():
    ans = Answer(question="q", found=True, answer="65%", kind="indicator", confidence=0.93,
                 citations=[_cite("a"), _cite("b")])
    out = render_text(ans)
    assert out.splitlines()[0] == "答案:65%" and "0.93" in out
    assert "[1]" in out and "[2]" in out and "“示例引文”" in out and "[3, 8)" in out


def test_render_text_shows_related_when_not_found():
    ans = Answer(question="q", found=False, answer="文件未提及:X", kind="none", confidence=0.1,
                 related=[_cite("a")])
    out = render_text(ans)
    assert out.startswith("未找到") and "相关段落" in out


def test_read_batch_reads_ids_and_questions(tmp_path):
    p = tmp_path / "q.jsonl"
    p.write_text('{"id": "a", "question": "问1"}\n\n{"id": 2, "question": "问2"}\n', encoding="utf-8")
    assert [(r["id"], r["question"]) for r in read_batch(p)] == [("a", "问1"), ("2", "问2")]


@pytest.mark.parametrize("body, msg", [
    ('{"id": "a"}\n', "question"),
    ('{"question": "问"}\n', "id"),
    ('not json\n', "JSON"),
    ('[1, 2]\n', "object"),
    ('{"id": "a", "question": "问"}\n{"id": "a", "question": "问"}\n', "duplicate"),
    ('\n\n', "no questions"),
])
def test_read_batch_rejects_bad_lines_with_clear_message(tmp_path, body, msg):
    p = tmp_path / "q.jsonl"
    p.write_text(body, encoding="utf-8")
    with pytest.raises(QuestionError, match=msg):
        read_batch(p)


def test_read_batch_missing_file_is_a_question_error(tmp_path):
    with pytest.raises(QuestionError, match="cannot read"):
        read_batch(tmp_path / "missing.jsonl")


def test_answer_to_dict_is_json_serialisable():
    ans = Answer(question="q", found=True, answer="a", kind="list", confidence=0.5,
                 citations=[_cite("a")], id="x")
    d = json.loads(json.dumps(ans.to_dict(), ensure_ascii=False))
    assert d["citations"][0]["quote"] == "示例引文" and d["id"] == "x"
