"""The graph's vocabulary as a reader matches it: indicator references with every label,
the plans' district places, and the match form of a label (normalised, without the plans'
own place names). One definition, used by question answering (qa/context.py) and by the
index stage, which embeds these labels at build time (index/warm.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

from core.protocols import GraphReader
from core.zh import aliases_of, norm
from kg.model import Target


@dataclass(frozen=True)
class Place:
    name: str                    # as written in the plan, e.g. 诸暨市
    doc_id: str
    kind: str                    # city | district
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class IndicatorRef:
    key: str                     # graph IRI (or any stable key)
    labels: tuple[str, ...]      # preferred label first
    doc_ids: tuple[str, ...] = ()


def indicator_refs(graph: GraphReader) -> list[IndicatorRef]:
    """Indicators with every label, and the plans that set a target for each."""
    targets = graph.targets()
    docs_of: dict[str, list[str]] = {}
    for t in targets:
        plans = docs_of.setdefault(t.indicator_iri, [])
        if t.doc_id not in plans:
            plans.append(t.doc_id)
    out, seen = [], set()
    for ind in graph.indicators():
        labels = [lab for lab in dict.fromkeys([ind.pref_label, *ind.alt_labels]) if lab]
        if not labels:
            continue
        seen.add(ind.iri)
        out.append(IndicatorRef(ind.iri, tuple(labels), tuple(docs_of.get(ind.iri, ()))))
    # targets whose indicator is not listed still get a reference (by their label)
    for t in targets:
        if t.indicator_iri and t.indicator_iri not in seen:
            seen.add(t.indicator_iri)
            labels = [x for x in (t.indicator_label, t.name_as_written) if x]
            if labels:
                out.append(IndicatorRef(t.indicator_iri, tuple(dict.fromkeys(labels)),
                                        tuple(docs_of.get(t.indicator_iri, ()))))
    return out


def district_places(graph: GraphReader) -> list[Place]:
    return [Place(d.name, d.doc_id, "district", aliases_of(d.name))
            for d in graph.districts() if d.name and d.doc_id]


def place_aliases(places: Iterable[Place]) -> list[tuple[str, Place]]:
    """(alias, place) pairs for districts, longest alias first."""
    pairs = [(a, p) for p in places if p.kind != "city"
             for a in (p.aliases or aliases_of(p.name))]
    return sorted(pairs, key=lambda x: -len(x[0]))


def strip_names(names: Iterable[str]) -> list[str]:
    """Place names in the order strip_places removes them: normalised, longest first."""
    return [norm(n) for n in sorted(set(names), key=lambda n: (-len(n), n))]


def label_strip_names(cities: Iterable[str], places: Iterable[Place]) -> list[str]:
    """What a label's match form drops, in strip_names order: every way of writing the plans'
    cities (core.zh.city_names) and their districts' aliases. The reader (qa/context.py) and
    the warm vectors of the build (index/warm.py) both take it from here."""
    return strip_names(set(cities) | {a for a, _ in place_aliases(places)})


def strip_places(label: str, names: Sequence[str]) -> str:
    """A label's match form: normalised, without the plans' own place names (strip_names)
    (天然气在杭州市能源… -> 天然气在能源…)."""
    out = norm(label)
    for n in names:
        out = out.replace(n, "")
    return out


def match_labels(refs: Sequence[IndicatorRef], names: Sequence[str]) -> list[str]:
    """The distinct match forms of every label (names: label_strip_names)."""
    return distinct_forms(strip_places(lab, names) for ref in refs for lab in ref.labels if lab)


def distinct_forms(forms: Iterable[str]) -> list[str]:
    """Match forms scored once each, in order; under two characters never match."""
    return [m for m in dict.fromkeys(forms) if len(m) >= 2]


def target_names(targets: Iterable[Target]) -> list[str]:
    """The name each target is compared by (as written, else its indicator's label)."""
    names = ((t.name_as_written or t.indicator_label)[:200] for t in targets)
    return list(dict.fromkeys(n for n in names if n))
