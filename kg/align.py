"""Indicator alignment: every target gets a pg:Indicator (a skos:Concept); names that denote
the same indicator — within a plan or across plans — share one concept with skos:altLabels.

Steps over the distinct comparison keys (kg.nlp.Synonyms.canonical: normalised, scope prefixes
such as 城市/全市 stripped, domain synonyms rewritten, e.g. 机扫率 -> 机械化作业率):
1. equal keys are one indicator;
2. a key of one plan that is the suffix of exactly one longer key of another plan
   ("管网漏损率" of "供水管网漏损率") joins it when the units agree and, with an embedder, the
   cosine similarity >= SUFFIX_THRESHOLD (within one plan a qualifier usually names a
   different quantity: 其他道路机械化作业率, 人均公园绿地面积);
3. with an embedder, keys of different plans with the same unit class and the same last
   character join when their similarity >= CROSS_THRESHOLD.
Thresholds were calibrated with m3e-small on labelled pairs (tests/kg/test_align.py): true
suffix pairs scored 0.877-0.932, while different indicators with near-identical names reached
0.933 (主干道完好率/次干道完好率) and 0.966 (资源化利用率/资源化综合利用率), so pure embedding
merges need >= 0.97.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Optional

import numpy as np

from kg.context import iri
from kg.model import Indicator, Target
from kg.values import unit_class

_SCOPE_WORDS = ("全市", "市本级", "市区", "全省", "全县", "全区", "我市")
SUFFIX_THRESHOLD = 0.85
CROSS_THRESHOLD = 0.97


@dataclass
class AlignReport:
    indicators: int = 0
    aligned: list[Indicator] = field(default_factory=list)     # concepts used by >1 plan
    merged_pairs: list[tuple[str, str, str, float]] = field(default_factory=list)


class _UF:
    def __init__(self, items):
        self.p = {i: i for i in items}

    def find(self, x):
        while self.p[x] != x:
            self.p[x] = self.p[self.p[x]]
            x = self.p[x]
        return x

    def union(self, a, b):
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.p[max(ra, rb)] = min(ra, rb)


def align(targets: list[Target], res, embedder=None,
          suffix_threshold: float = SUFFIX_THRESHOLD,
          cross_threshold: float = CROSS_THRESHOLD) -> tuple[list[Indicator], AlignReport]:
    key_of = {id(t): res.synonyms.canonical(t.name_as_written) or t.name_as_written for t in targets}
    by_key: dict[str, list[Target]] = defaultdict(list)
    for t in targets:
        by_key[key_of[id(t)]].append(t)
    keys = sorted(by_key)
    units = {k: Counter(unit_class(t.unit) for t in by_key[k]).most_common(1)[0][0] for k in keys}
    docs = {k: {t.doc_id for t in by_key[k]} for k in keys}
    uf = _UF(keys)
    report = AlignReport()
    vec: dict[str, np.ndarray] = {}
    if embedder is not None and keys:
        arr = np.asarray(embedder.encode(keys), dtype=np.float32)
        vec = dict(zip(keys, arr))

    def sim(a: str, b: str) -> Optional[float]:
        return float(np.dot(vec[a], vec[b])) if vec else None

    for k in keys:
        if len(k) < 3:
            continue
        longer = [K for K in keys if K != k and K.endswith(k) and units[K] == units[k]
                  and not docs[K] & docs[k]]
        if len(longer) != 1:
            continue
        s = sim(k, longer[0])
        if s is None or s >= suffix_threshold:
            uf.union(k, longer[0])
            report.merged_pairs.append(("suffix", k, longer[0], round(s or 1.0, 3)))
    if vec:
        mat = np.stack([vec[k] for k in keys])
        sims = mat @ mat.T
        for i, a in enumerate(keys):
            for j in range(i + 1, len(keys)):
                b = keys[j]
                if sims[i, j] < cross_threshold or docs[a] & docs[b]:
                    continue
                if units[a] != units[b] or a[-1] != b[-1]:
                    continue
                uf.union(a, b)
                report.merged_pairs.append(("embedding", a, b, round(float(sims[i, j]), 3)))
    groups: dict[str, list[str]] = defaultdict(list)
    for k in keys:
        groups[uf.find(k)].append(k)
    indicators = []
    for root, members in sorted(groups.items()):
        ts = [t for k in members for t in by_key[k]]
        names = Counter(t.name_as_written for t in ts)
        table_names = [t.name_as_written for t in ts if t.source == "table"]
        scoped = lambda n: n.startswith(_SCOPE_WORDS)  # noqa: E731
        pref = Counter(table_names).most_common(1)[0][0] if table_names else \
            sorted(names, key=lambda n: (scoped(n), -names[n], -len(n), n))[0]
        cats = Counter(t.category for t in ts if t.category)
        ind = Indicator(iri=iri("indicator", min(members)), pref_label=pref,
                        alt_labels=sorted(n for n in names if n != pref),
                        category=cats.most_common(1)[0][0] if cats else "",
                        doc_ids=sorted({t.doc_id for t in ts}))
        for t in ts:
            t.indicator_iri, t.indicator_label = ind.iri, ind.pref_label
        indicators.append(ind)
    report.indicators = len(indicators)
    report.aligned = [i for i in indicators if len(i.doc_ids) > 1]
    return indicators, report
