"""A topic read against several plans, side by side, by the same decision model that answers
questions (the 对比 tab calls this; a comparison answer reads the same sides):

    reading = read_topic(ws, "垃圾回收利用率", ["shaoxing", "hangzhou"])
    reading.indicator_keys    # indicators some plan's side accepts, best first
    reading.sides[0].passages # that plan's accepted non-graph evidence (sentences, table cells)

The text is parsed as a question (qa.intent.parse), each plan's side is decided by
Reader.side, and a candidate is accepted when its probability clears the fitted side
threshold of the question's intent: the threshold a comparison answer applies to each plan.
So the indicator a comparison answer shows for a plan is always among the indicators read
here, and the tab never matches indicators by a rule of its own.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Sequence

from core.protocols import Workspace
from core.types import Citation
from kg.model import Target
from qa.candidates import Candidate
from qa.intent import parse
from qa.router import state_for, validate


@dataclass
class TopicSide:
    """One plan's reading of the topic."""
    doc_id: str
    confidence: float                  # calibrated probability that the best candidate answers
    best: Optional[Candidate]          # what a comparison answer would show (when accepted)
    accepted: bool                     # best clears the side threshold
    targets: list[Target] = field(default_factory=list)        # accepted graph targets
    passages: list[Citation] = field(default_factory=list)     # accepted sentences / cells


@dataclass
class TopicReading:
    text: str
    sides: list[TopicSide] = field(default_factory=list)

    @property
    def accepted_any(self) -> bool:
        return any(s.targets or s.passages for s in self.sides)

    @property
    def indicator_keys(self) -> list[str]:
        """Indicators of the accepted targets over every side, best first (no repeats)."""
        ranked: dict[str, float] = {}
        for s in self.sides:
            for rank, t in enumerate(s.targets):
                key = t.indicator_iri
                ranked[key] = min(ranked.get(key, rank), rank)
        return sorted(ranked, key=lambda k: ranked[k])


def read_topic(ws: Workspace, text: str, doc_ids: Sequence[str],
               passages_per_plan: int = 2) -> TopicReading:
    """Each plan's side of `text` (a topic or a question), decided as a comparison answer
    decides it; raises QuestionError for an empty or over-long text."""
    st = state_for(ws)
    q = parse(st.ctx, st.env.lex, validate(text, ws.cfg.max_question_chars))
    thr = st.reader.side_threshold(q)           # as the comparison answer's sides are judged
    reading = TopicReading(text=q.text)
    for d in doc_ids:
        side = st.reader.side(q, d)
        accepted = st.reader.accepts(side, thr)
        ts = TopicSide(d, side.confidence, side.best, accepted)
        for c in side.candidates:
            chosen = accepted and c is side.best
            if not (chosen or c.p >= thr):
                continue
            if c.target is not None:
                if all(t is not c.target for t in ts.targets):
                    ts.targets.append(c.target)
            elif c.source in ("sentence", "cell") and len(ts.passages) < passages_per_plan:
                ts.passages += [x for x in c.citations if x not in ts.passages]
        reading.sides.append(ts)
    return reading
