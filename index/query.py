"""Query analysis for retrieval: which plans a question names, whether it compares plans,
and which synonyms expand it.

Cities come from the corpus documents' `.city` (绍兴 -> 绍兴, 绍兴市); districts and other
place names come from the graph when one is given (a name that belongs to one plan only
points at that plan). Words such as 两市/两地/各市 name every plan.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Optional

from index.lexical import normalize

# words that mean "every plan" (two cities, both places, each city ...)
ALL_PLACES = ("两市", "两地", "两个城市", "两座城市", "两城", "二市", "两个市", "各市", "各城市",
              "各个城市", "各地", "两份规划", "两个规划", "两部规划")
_SUFFIXES = ("市", "区", "县", "州", "盟")


def city_names(city: str) -> set[str]:
    """Spellings of a city: 绍兴 -> {绍兴, 绍兴市}; 杭州市 -> {杭州市, 杭州}."""
    c = normalize(city.strip())
    if not c:
        return set()
    names = {c}
    if len(c) > 2 and c.endswith(_SUFFIXES):
        names.add(c[:-1])
    else:
        names.add(c + "市")
    return names


@dataclass
class QueryPlan:
    doc_ids: Optional[list[str]]      # None = every plan
    per_doc: bool                     # retrieve per plan and interleave
    places: list[str] = field(default_factory=list)   # city / every-plan words (stripped from BM25)


class QueryAnalyzer:
    def __init__(self, doc_cities: Mapping[str, str],
                 places: Optional[Mapping[str, Iterable[str]]] = None,
                 synonyms: Optional[Mapping[str, list[str]]] = None):
        """doc_cities: doc_id -> city; places: extra place name -> doc ids (from the graph);
        synonyms: term -> other labels of the same concept."""
        if not doc_cities:
            raise ValueError("QueryAnalyzer: doc_cities is empty")
        self.doc_ids = list(doc_cities)
        self.names: dict[str, set[str]] = {}
        for doc_id, city in doc_cities.items():
            for n in city_names(city):
                self.names.setdefault(n, set()).add(doc_id)
        self._cities = frozenset(self.names)
        for name, docs in (places or {}).items():
            n = normalize(name)
            docs = set(docs) & set(self.doc_ids)
            if len(n) >= 2 and len(docs) == 1 and n not in self.names:
                self.names[n] = docs
        # longest names first so 绍兴市 wins over 绍兴 and 上虞区 over 上虞
        self._pattern = (re.compile("|".join(re.escape(n) for n in
                                             sorted(self.names, key=len, reverse=True)))
                         if self.names else None)
        self.synonyms = {normalize(k): [normalize(a) for a in v]
                         for k, v in (synonyms or {}).items() if k}

    def analyze(self, query: str) -> QueryPlan:
        q = normalize(query)
        found = self._pattern.findall(q) if self._pattern else []
        docs: list[str] = []
        for n in found:
            for d in sorted(self.names[n]):
                if d not in docs:
                    docs.append(d)
        cities = [n for n in found if n in self._cities]
        if docs:
            return QueryPlan(docs, len(docs) > 1, cities)
        every = [w for w in ALL_PLACES if w in q]
        if every:
            return QueryPlan(list(self.doc_ids), len(self.doc_ids) > 1, cities + every)
        return QueryPlan(None, False, cities)

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
