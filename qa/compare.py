"""Putting several plans' positions side by side (comparisons, and questions that name no
city when more than one plan answers). Works for any number of plans; a plan with nothing on
the topic is said to have nothing ("X规划未提出该项具体目标"), never silently dropped."""
from __future__ import annotations

from core.types import Answer
from qa.analysis import Analysis
from qa.position import Position


def missing_text(p: Position, a: Analysis) -> str:
    what = "该项具体目标" if (a.wants_value or a.wants_target) else "该项内容"
    return f"{p.city}规划未提出{what}"


def side_text(p: Position, a: Analysis) -> str:
    if not p.found:
        return missing_text(p, a)
    text = p.text
    if (a.wants_value or a.wants_target) and not p.has_value and p.kind == "passage":
        text += "(未给出具体数值)"
    return f"{p.city}:{text}"


def compose(a: Analysis, positions: list[Position], qid=None) -> Answer:
    found = [p for p in positions if p.found]
    lines = [side_text(p, a) for p in positions]
    conf = 0.0
    if found:
        conf = sum(p.confidence if p.found else 0.6 for p in positions) / len(positions)
    citations = [c for p in found for c in p.citations]
    related = [c for p in positions if not p.found for c in p.related][:3]
    if not found:
        from qa.abstain import not_found_text
        return Answer(question=a.question, found=False,
                      answer=not_found_text([p.reason for p in positions], a.topic), kind="none",
                      confidence=min(0.2, max((p.confidence for p in positions), default=0.1)),
                      id=qid, related=related,
                      details={"positions": [p.to_detail() for p in positions]})
    return Answer(question=a.question, found=True, answer=";".join(lines), kind="comparison",
                  confidence=conf, citations=citations, id=qid, related=related,
                  details={"positions": [p.to_detail() for p in positions]})
