"""One plan's answer to a question (a "position"): what the plan says, cited, and how sure we
are. Single-plan answers use one position; comparisons set several side by side."""
from __future__ import annotations

from dataclasses import dataclass, field

from core.types import Citation


@dataclass
class Position:
    doc_id: str
    city: str
    found: bool
    text: str                                  # the answer for this plan (no city prefix)
    kind: str = "passage"                      # indicator | list | passage | none
    confidence: float = 0.0                    # unused by the reader (it scores candidates)
    citations: list[Citation] = field(default_factory=list)
    related: list[Citation] = field(default_factory=list)
    reason: str = ""                           # why not found (for the abstention message)
    has_value: bool = False                    # the answer states a number

    def to_detail(self) -> dict:
        return {"doc": self.doc_id, "city": self.city, "found": self.found, "answer": self.text,
                "kind": self.kind, "confidence": round(self.confidence, 3),
                "citations": [c.to_dict() for c in self.citations],
                **({"reason": self.reason} if self.reason else {})}
