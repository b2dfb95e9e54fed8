"""The one place where question answering reads the knowledge graph's Python accessors
(kg.KnowledgeGraph: targets(), indicators(), regulations(), projects(), districts()).

Accessors are read defensively (getattr with defaults), so an older or partial graph gives
fewer graph answers instead of errors; QA then falls back to passages.
"""
from __future__ import annotations

import logging
from typing import Any, Optional

from qa.context import IndicatorRef, Place, aliases_of

log = logging.getLogger(__name__)


def attr(obj: Any, *names: str, default: Any = None) -> Any:
    for n in names:
        v = getattr(obj, n, None)
        if v not in (None, ""):
            return v
    return default


class GraphView:
    def __init__(self, ws: Any):
        self.ws = ws
        try:
            self.graph = ws.graph
        except Exception as e:  # noqa: BLE001 - a missing/broken graph degrades to passages
            log.warning("knowledge graph unavailable, answering from passages only: %s", e)
            self.graph = None
        self._cache: dict[tuple, list] = {}

    def _call(self, name: str, doc_id: Optional[str] = None) -> list:
        key = (name, doc_id)
        if key not in self._cache:
            fn = getattr(self.graph, name, None) if self.graph is not None else None
            out: list = []
            if fn is not None:
                try:
                    out = list(fn(doc_id) if doc_id is not None else fn())
                except TypeError:
                    out = [x for x in fn() if doc_id is None or attr(x, "doc_id") == doc_id]
            self._cache[key] = out
        return self._cache[key]

    def targets(self, doc_id: Optional[str] = None) -> list:
        return self._call("targets", doc_id)

    def regulations(self, doc_id: Optional[str] = None) -> list:
        return self._call("regulations", doc_id)

    def projects(self, doc_id: Optional[str] = None) -> list:
        return self._call("projects", doc_id)

    def districts(self, doc_id: Optional[str] = None) -> list:
        return self._call("districts", doc_id)

    def organizations(self, doc_id: Optional[str] = None) -> list:
        return self._call("organizations", doc_id)

    def indicators(self) -> list:
        return self._call("indicators")

    # ---- derived ------------------------------------------------------------------------
    def targets_by_indicator(self, doc_id: str) -> dict[str, list]:
        """A plan's targets grouped by indicator key (str of indicator_iri/indicator), in
        targets() order; built once per plan."""
        key = ("targets_by_indicator", doc_id)
        if key not in self._cache:
            out: dict[str, list] = {}
            for t in self.targets(doc_id):
                out.setdefault(str(attr(t, "indicator_iri", "indicator")), []).append(t)
            self._cache[key] = out      # type: ignore[assignment]
        return self._cache[key]         # type: ignore[return-value]

    def indicator_refs(self) -> list[IndicatorRef]:
        """Indicators with every label, and the plans that set a target for each."""
        docs_of: dict[str, list[str]] = {}
        for t in self.targets():
            iri = attr(t, "indicator_iri", "indicator")
            d = attr(t, "doc_id")
            if iri and d:
                docs_of.setdefault(str(iri), [])
                if d not in docs_of[str(iri)]:
                    docs_of[str(iri)].append(d)
        out = []
        seen = set()
        for ind in self.indicators():
            iri = str(attr(ind, "iri"))
            labels = [attr(ind, "pref_label", "label", default="")] + list(attr(ind, "alt_labels",
                                                                                 default=[]) or [])
            labels = [lab for lab in dict.fromkeys(labels) if lab]
            if not labels:
                continue
            seen.add(iri)
            out.append(IndicatorRef(iri, tuple(labels), tuple(docs_of.get(iri, ()))))
        # targets whose indicator is not listed still get a reference (by their label)
        for t in self.targets():
            iri = str(attr(t, "indicator_iri", "indicator", default=""))
            if iri and iri not in seen:
                seen.add(iri)
                labels = [x for x in (attr(t, "indicator_label"), attr(t, "name_as_written")) if x]
                if labels:
                    out.append(IndicatorRef(iri, tuple(dict.fromkeys(labels)),
                                            tuple(docs_of.get(iri, ()))))
        return out

    def district_places(self) -> list[Place]:
        out = []
        for d in self.districts():
            name, doc = attr(d, "name"), attr(d, "doc_id")
            if name and doc:
                out.append(Place(name, doc, "district", aliases_of(name)))
        return out

    def extra_words(self) -> list[str]:
        words = [attr(p, "name", default="") for p in self.projects()]
        words += [str(attr(r, "title", default="")).strip("《》") for r in self.regulations()]
        return [w for w in words if w]
