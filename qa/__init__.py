"""Question answering (DESIGN §1, §5): question analysis -> routing to graph targets, graph
lists, table cells or passages -> a cited Answer, or found:false when the plans do not say.

    ans = answer(ws, "绍兴到2025年生活垃圾回收利用率要达到多少?")
    print(render_text(ans))
    rows = read_batch(Path("questions.jsonl"))   # [{"id": ..., "question": ...}, ...]
    reading = read_topic(ws, "再生水利用率", doc_ids)  # each plan's side, as a comparison reads it
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

from core.errors import QuestionError
from core.protocols import Workspace
from core.types import Answer
from qa.render import render_text
from qa.router import answer as _answer
from qa.router import state_for
from qa.topic import TopicReading, read_topic

__all__ = ["answer", "prepare", "render_text", "read_batch", "read_topic", "TopicReading"]


def prepare(ws: Workspace) -> None:
    """Load everything the first question would (retriever, embedder, per-plan lookups), so
    that an entry point can settle the heap afterwards (core/runtime.py)."""
    state_for(ws)


def answer(ws: Workspace, question: str, qid: Optional[str] = None) -> Answer:
    """Answer one question over the workspace's plans (raises QuestionError when the question
    is empty or longer than cfg.max_question_chars)."""
    return _answer(ws, question, qid)


def read_batch(path: Path) -> list[dict]:
    """Lines of {"id", "question"} from a JSONL file, validated (QuestionError names the line)."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise QuestionError(f"batch file {path}: cannot read ({e})") from None
    rows: list[dict] = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
        except json.JSONDecodeError as e:
            raise QuestionError(f"{path}:{n}: not valid JSON ({e.msg})") from None
        if not isinstance(d, dict):
            raise QuestionError(f"{path}:{n}: expected an object with id and question")
        if "question" not in d or not isinstance(d["question"], str) or not d["question"].strip():
            raise QuestionError(f"{path}:{n}: missing or empty 'question'")
        if "id" not in d or not isinstance(d["id"], (str, int)) or str(d["id"]).strip() == "":
            raise QuestionError(f"{path}:{n}: missing 'id' (a string or number)")
        rows.append({**d, "id": str(d["id"])})
    if not rows:
        raise QuestionError(f"batch file {path} holds no questions")
    ids = [r["id"] for r in rows]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise QuestionError(f"batch file {path}: duplicate ids {', '.join(dup[:5])}")
    return rows
