"""One plan's answer to a question (a "position"): what the plan says, cited, and how sure we
are. Single-plan answers use one position; comparisons set several side by side."""
from __future__ import annotations

from dataclasses import dataclass, field

from core.types import Citation

# confidence by evidence type (graph target with an exact indicator match is the strongest)
CONF_TARGET_EXACT = 0.93
CONF_TARGET_FUZZY = 0.8
CONF_TABLE_CELL = 0.85
CONF_LIST_GRAPH = 0.8
CONF_EXTRACT_MAX = 0.75
CONF_ABSTAIN = 0.15


@dataclass
class Position:
    doc_id: str
    city: str
    found: bool
    text: str                                  # the answer for this plan (no city prefix)
    kind: str = "passage"                      # indicator | list | passage | none
    confidence: float = 0.0
    citations: list[Citation] = field(default_factory=list)
    related: list[Citation] = field(default_factory=list)
    reason: str = ""                           # why not found (for the abstention message)
    has_value: bool = False                    # the answer states a number

    def to_detail(self) -> dict:
        return {"doc": self.doc_id, "city": self.city, "found": self.found, "answer": self.text,
                "kind": self.kind, "confidence": round(self.confidence, 3),
                "citations": [c.to_dict() for c in self.citations],
                **({"reason": self.reason} if self.reason else {})}
