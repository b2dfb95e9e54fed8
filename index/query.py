"""Query handling for retrieval: which plans a question names, whether it compares plans,
and which synonyms expand it.

The plans a question names are read by core.question (the reader reads them the same way):
catalog cities in every spelling, the plans' districts (from the graph, kept in the index's
query.json), and every-plan words (两市, 三市, 各地 …).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping, Optional, Sequence

from core.question import PlaceNames
from index.lexical import normalize


@dataclass
class QueryPlan:
    doc_ids: Optional[list[str]]      # None = every plan
    per_doc: bool                     # retrieve per plan and interleave
    places: list[str] = field(default_factory=list)   # city / every-plan words (stripped from BM25)


class QueryAnalyzer:
    def __init__(self, doc_cities: Mapping[str, str],
                 districts: Iterable[tuple[str, str, Sequence[str]]] = (),
                 synonyms: Optional[Mapping[str, list[str]]] = None):
        """doc_cities: doc_id -> city; districts: (name, doc_id, aliases) from the graph;
        synonyms: term -> other labels of the same concept."""
        if not doc_cities:
            raise ValueError("QueryAnalyzer: doc_cities is empty")
        self.doc_ids = list(doc_cities)
        self.places = PlaceNames(doc_cities, districts)
        self.synonyms = {normalize(k): [normalize(a) for a in v]
                         for k, v in (synonyms or {}).items() if k}

    def analyze(self, query: str) -> QueryPlan:
        named = self.places.find(normalize(query))
        if named.city_docs or named.districts:
            docs = named.plans(self.doc_ids)
            return QueryPlan(docs, len(docs) > 1, named.spellings)
        if named.every:
            return QueryPlan(list(self.doc_ids), len(self.doc_ids) > 1, [named.every])
        return QueryPlan(None, False, [])

    def strip_places(self, query: str, plan: QueryPlan) -> str:
        """The query without the city names used as filters (within a plan they only add
        noise); district names stay, they narrow the search inside the plan."""
        q = normalize(query)
        for n in sorted(set(plan.places), key=len, reverse=True):
            q = q.replace(n, " ")
        return q

    def expansions(self, query: str) -> list[str]:
        """Other labels of every concept whose label occurs in the query."""
        q = normalize(query)
        out: list[str] = []
        for term, alts in self.synonyms.items():
            if term in q:
                out.extend(a for a in alts if a not in q and a not in out)
        return out
