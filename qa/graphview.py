"""The one place where question answering reads the knowledge graph (a core.protocols
GraphReader: kg.KnowledgeGraph): each accessor's list once per plan, targets grouped by
indicator, and the indicator references, places and words the QA context is built from.

The graph is required: a workspace whose graph cannot load raises its error here
(STYLE §7) instead of quietly answering from passages only.
"""
from __future__ import annotations

from typing import Callable, Optional

from core.protocols import GraphReader
from kg.model import District, Indicator, Organization, Project, Regulation, Target
from kg.vocabulary import IndicatorRef, Place, district_places, indicator_refs


class GraphView:
    def __init__(self, graph: GraphReader):
        self.graph = graph
        self._cache: dict[tuple, list] = {}
        self._by_indicator: dict[str, dict[str, list[Target]]] = {}

    def _per_plan(self, name: str, fn: Callable[[Optional[str]], list], doc_id: Optional[str]) -> list:
        key = (name, doc_id)
        if key not in self._cache:
            self._cache[key] = list(fn(doc_id))
        return self._cache[key]

    def targets(self, doc_id: Optional[str] = None) -> list[Target]:
        return self._per_plan("targets", self.graph.targets, doc_id)

    def regulations(self, doc_id: Optional[str] = None) -> list[Regulation]:
        return self._per_plan("regulations", self.graph.regulations, doc_id)

    def projects(self, doc_id: Optional[str] = None) -> list[Project]:
        return self._per_plan("projects", self.graph.projects, doc_id)

    def districts(self, doc_id: Optional[str] = None) -> list[District]:
        return self._per_plan("districts", self.graph.districts, doc_id)

    def organizations(self, doc_id: Optional[str] = None) -> list[Organization]:
        return self._per_plan("organizations", self.graph.organizations, doc_id)

    def indicators(self) -> list[Indicator]:
        return self._per_plan("indicators", lambda _d: self.graph.indicators(), None)

    # ---- derived ------------------------------------------------------------------------
    def targets_by_indicator(self, doc_id: str) -> dict[str, list[Target]]:
        """A plan's targets grouped by indicator IRI, in targets() order; built once per plan."""
        if doc_id not in self._by_indicator:
            out: dict[str, list[Target]] = {}
            for t in self.targets(doc_id):
                out.setdefault(t.indicator_iri, []).append(t)
            self._by_indicator[doc_id] = out
        return self._by_indicator[doc_id]

    def indicator_refs(self) -> list[IndicatorRef]:
        """Indicators with every label, and the plans that set a target for each."""
        return indicator_refs(self)

    def district_places(self) -> list[Place]:
        return district_places(self)

    def extra_words(self) -> list[str]:
        words = [p.name for p in self.projects()]
        words += [r.title.strip("《》") for r in self.regulations()]
        return [w for w in words if w]
