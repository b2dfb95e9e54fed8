"""Indicator alignment: every target gets a pg:Indicator (a skos:Concept); names that denote
the same indicator — within a plan or across plans — share one concept with skos:altLabels.

Targets are grouped into nodes by comparison key (kg.nlp.Synonyms.canonical: normalised,
scope prefixes such as 城市/全市 stripped, domain synonyms rewritten, e.g. 机扫率 ->
机械化作业率) and unit family (kg.measure.unit_family: % never joins 座 or 公里; a target
without a unit joins its key's usual family). Only *alignable* keys join across plans: a
measurable quantity (kg.measure.is_quantity: 率/比例/量/面积/能力/数 …, not a bare facility
noun such as 隧道) that is not a bare measure word (完成率, 处理能力). Then:
1. equal nodes are one indicator (within and across plans);
2. an alignable key of one plan that is the suffix of exactly one longer key of another plan
   ("管网漏损率" of "供水管网漏损率") joins it when the shorter key has an object of its own,
   the unit families agree, the extra prefix holds no change or subset word (新增, 改造,
   农村, 其他, 省级 …) nor a place name, and, with an embedder, the cosine similarity >=
   SUFFIX_THRESHOLD (within one plan a qualifier usually names a different quantity:
   其他道路机械化作业率, 人均公园绿地面积);
3. with an embedder, alignable keys of different plans with the same unit family, the same
   measure head and the same change/subset words join when their similarity >=
   CROSS_THRESHOLD.
4. with an embedder, such keys with a similarity >= TOPIC_THRESHOLD (0.91) join when their
   targets carry the same topics of the topic scheme (kg/data/topics.toml): the topic keeps
   near-identical names of different things apart (生活垃圾无害化处理率 / 资源化利用率, 0.935,
   differ in head; 建筑垃圾 vs 生活垃圾 资源化利用率 differ in topic).
Thresholds were calibrated with m3e-small on labelled pairs (tests/kg/test_align.py): true
suffix pairs scored 0.877-0.977, while different indicators with near-identical names reached
0.933 (主干道完好率/次干道完好率) and 0.966 (资源化利用率/资源化综合利用率), so pure embedding
merges need >= 0.97.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple, Optional

import numpy as np

from kg.context import iri
from kg.measure import dominant, is_quantity, needs_subject, qualifiers, split_measure, unit_family
from kg.model import Indicator, Target
from kg.repair import repairs

_SCOPE_WORDS = ("全市", "市本级", "市区", "全省", "全县", "全区", "我市")
SUFFIX_THRESHOLD = 0.85
CROSS_THRESHOLD = 0.97
TOPIC_THRESHOLD = 0.91


@dataclass
class AlignReport:
    indicators: int = 0
    aligned: list[Indicator] = field(default_factory=list)     # concepts used by >1 plan
    merged_pairs: list[tuple[str, str, str, float]] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)     # plan spellings kept as altLabels


class _Node(NamedTuple):
    key: str
    family: str
    scope: str          # "" for an alignable key, else the plan id (never joins another plan)


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


def alignable(key: str, res) -> bool:
    """True when a comparison key may join another plan's indicator."""
    return is_quantity(key, res.synonyms) and not needs_subject(key, res)


def _places(res) -> tuple[str, ...]:
    gz = res.gazetteer
    names = set(gz.all_divisions()) | set(gz.city_names())
    names |= {gz.short(n) for n in gz.all_divisions()}
    return tuple(sorted((n for n in names if len(n) >= 2), key=len, reverse=True))


def _nodes(targets: list[Target], res) -> dict[int, _Node]:
    syn = res.synonyms
    key_of = {id(t): syn.canonical(t.name_as_written) or t.name_as_written for t in targets}
    repaired, losers = repairs(targets, key_of, res)
    key_of.update(repaired)
    fam_of = {id(t): unit_family(t.unit, key_of[id(t)], syn) for t in targets}
    by_key: dict[str, list[Target]] = defaultdict(list)
    for t in targets:
        by_key[key_of[id(t)]].append(t)
    usual = {k: dominant(fam_of[id(t)] for t in ts) for k, ts in by_key.items()}
    ok = {k: alignable(k, res) for k in by_key}
    return {id(t): _Node(key_of[id(t)], fam_of[id(t)] or usual[key_of[id(t)]],
                         "" if ok[key_of[id(t)]] else t.doc_id) for t in targets}, losers


def align(targets: list[Target], res, embedder=None,
          suffix_threshold: float = SUFFIX_THRESHOLD,
          cross_threshold: float = CROSS_THRESHOLD,
          topic_threshold: float = TOPIC_THRESHOLD) -> tuple[list[Indicator], AlignReport]:
    node_of, losers = _nodes(targets, res)
    by_node: dict[_Node, list[Target]] = defaultdict(list)
    for t in targets:
        by_node[node_of[id(t)]].append(t)
    nodes = sorted(by_node)
    docs = {n: {t.doc_id for t in by_node[n]} for n in nodes}
    open_nodes = [n for n in nodes if not n.scope]
    uf = _UF(nodes)
    report = AlignReport()
    vec: dict[str, np.ndarray] = {}
    if embedder is not None and open_nodes:
        keys = sorted({n.key for n in open_nodes})
        arr = np.asarray(embedder.encode(keys), dtype=np.float32)
        vec = dict(zip(keys, arr))

    def sim(a: str, b: str) -> Optional[float]:
        return float(np.dot(vec[a], vec[b])) if vec else None

    places = _places(res)
    syn = res.synonyms
    for n in open_nodes:
        obj, _ = split_measure(n.key, res)
        if not obj.strip():
            continue
        longer = [N for N in open_nodes if N.key != n.key and N.key.endswith(n.key)
                  and N.family == n.family and not docs[N] & docs[n]]
        if len(longer) != 1:
            continue
        extra = longer[0].key[:-len(n.key)]
        if qualifiers(extra, syn) or any(p in extra for p in places):
            continue
        s = sim(n.key, longer[0].key)
        if s is None or s >= suffix_threshold:
            uf.union(n, longer[0])
            report.merged_pairs.append(("suffix", n.key, longer[0].key, round(s or 1.0, 3)))
    if vec:
        heads = {n: split_measure(n.key, res)[1] for n in open_nodes}
        topics = {n: frozenset(tp for t in by_node[n] for tp in t.topics) for n in open_nodes}
        quals = {n: qualifiers(n.key, syn) for n in open_nodes}
        for i, a in enumerate(open_nodes):
            for b in open_nodes[i + 1:]:
                if a.key == b.key or docs[a] & docs[b] or a.family != b.family \
                        or uf.find(a) == uf.find(b):
                    continue
                if heads[a] != heads[b] or quals[a] != quals[b]:
                    continue
                s = sim(a.key, b.key)
                if s is None:
                    continue
                if s >= cross_threshold:
                    uf.union(a, b)
                    report.merged_pairs.append(("embedding", a.key, b.key, round(s, 3)))
                elif s >= topic_threshold and topics[a] and topics[a] == topics[b]:
                    uf.union(a, b)
                    report.merged_pairs.append(("embedding+topic", a.key, b.key, round(s, 3)))
    report.repaired = sorted(losers)
    return _indicators(nodes, by_node, uf, report, losers)


def _seed(n: _Node, shared_key: bool) -> tuple:
    return (n.key,) if not shared_key else (n.key, n.family, n.scope)


def _indicators(nodes, by_node, uf: _UF, report: AlignReport, losers: frozenset = frozenset()):
    per_key = Counter(n.key for n in nodes)
    groups: dict[_Node, list[_Node]] = defaultdict(list)
    for n in nodes:
        groups[uf.find(n)].append(n)
    indicators = []
    for root, members in sorted(groups.items()):
        ts = [t for n in members for t in by_node[n]]
        names = Counter(t.name_as_written for t in ts)
        table_names = [t.name_as_written for t in ts if t.source == "table"
                       and t.name_as_written not in losers]
        scoped = lambda n: n.startswith(_SCOPE_WORDS)  # noqa: E731
        pref = Counter(table_names).most_common(1)[0][0] if table_names else \
            sorted(names, key=lambda n: (n in losers, scoped(n), -names[n], -len(n), n))[0]
        cats = Counter(t.category for t in ts if t.category)
        seed = min(_seed(n, per_key[n.key] > 1) for n in members)
        ind = Indicator(iri=iri("indicator", *seed), pref_label=pref,
                        alt_labels=sorted(n for n in names if n != pref),
                        category=cats.most_common(1)[0][0] if cats else "",
                        doc_ids=sorted({t.doc_id for t in ts}))
        for t in ts:
            t.indicator_iri, t.indicator_label = ind.iri, ind.pref_label
        indicators.append(ind)
    report.indicators = len(indicators)
    report.aligned = [i for i in indicators if len(i.doc_ids) > 1]
    return indicators, report
