"""One plan's side of a decision: its ranked candidates and the calibrated probability that
the best one answers; and how sides are named when they are set side by side."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from qa.candidates import Candidate, Env


@dataclass
class Side:
    """One plan's decision: its best candidate and the probability that it answers."""
    doc_id: str
    city: str
    candidates: list[Candidate] = field(default_factory=list)
    confidence: float = 0.0          # calibrated probability that `best` is right
    label: str = ""                  # how the side is named (city, or plan title for twins)

    @property
    def best(self) -> Optional[Candidate]:
        return self.candidates[0] if self.candidates else None


def label_sides(env: Env, sides: list[Side]) -> None:
    """A side is named by its city; two plans of one city are named by title and period."""
    cities = [s.city for s in sides]
    for s in sides:
        if cities.count(s.city) > 1:
            d = env.ctx.docs[s.doc_id]
            per = f"{d.period[0]}-{d.period[1]}" if d.period else ""
            s.label = f"《{d.title}》" + (f"({per})" if per else "")
        else:
            s.label = s.city
