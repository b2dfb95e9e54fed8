"""Typed records of the knowledge graph, as the extractors produce them and as the
KnowledgeGraph accessors return them. Offsets are [start, end) into the plan's raw text."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

NS = "https://w3id.org/plangraph/"
ID = NS + "id/"
GRAPH = NS + "graph/"


@dataclass
class Target:
    iri: str
    doc_id: str
    city: str
    indicator_iri: str
    indicator_label: str
    name_as_written: str
    baseline: Optional[str]          # as written, e.g. "10%" (the value before the plan, or a
                                     # status/baseline value's own text)
    target: Optional[str]            # as written, e.g. "≤8%" (targets and milestones only)
    value: Optional[float]           # the number of the stated value as written (万/亿 in unit)
    unit: str
    comparator: str                  # ≥ ≤ > < =
    year: Optional[int]
    period: Optional[str]            # "十四五", "十四五末", "十三五" ...
    bindingness: Optional[str]       # 约束性 / 预期性
    value_kind: str                  # baseline | status | target | milestone (VALUE_KINDS)
    category: str
    passage_id: str
    start: int                       # passage span
    end: int
    evidence_start: int              # the matched clause or table row
    evidence_end: int
    value_max: Optional[float] = None
    approximate: bool = False
    source: str = "text"             # text | table
    scope: str = ""                  # 全市 / 市区 / 市本级 / 中心城区 / a county … ("" unknown)
    unit_code: str = ""              # UCUM code of target_value/baseline_value (kg/data/units.toml)
    target_value: Optional[float] = None     # the target in unit_code (万/亿 applied)
    baseline_value: Optional[float] = None   # the baseline or status value in unit_code
    baseline_comparator: str = ""    # comparator of the baseline as written ("" when none)
    topics: list[str] = field(default_factory=list)   # topic IRIs (kg/data/topics.toml)


VALUE_KINDS = ("baseline", "status", "target", "milestone")
FORWARD_KINDS = ("target", "milestone")


@dataclass
class Topic:
    iri: str
    pref_label: str                  # Chinese
    alt_labels: list[str] = field(default_factory=list)
    cues: list[str] = field(default_factory=list)
    en_label: str = ""


@dataclass
class Indicator:
    iri: str
    pref_label: str
    alt_labels: list[str] = field(default_factory=list)
    category: str = ""
    doc_ids: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)


@dataclass
class Regulation:
    iri: str
    doc_id: str
    title: str                       # with 《》
    kind: str                        # 条例 办法 规划 标准 … other
    status: str                      # to_issue | to_revise | existing | mentioned
    passage_id: str
    start: int                       # span of the title (with 《》) in the raw text
    end: int
    topics: list[str] = field(default_factory=list)


@dataclass
class Project:
    iri: str
    doc_id: str
    name: str
    district: Optional[str]
    attributes: dict = field(default_factory=dict)
    passage_id: str = ""
    start: int = 0
    end: int = 0
    source: str = "text"             # text | table
    status: str = ""                 # planned | completed | ongoing | ""
    investment_yi: Optional[float] = None    # 亿元
    length_km: Optional[float] = None
    topics: list[str] = field(default_factory=list)


@dataclass
class District:
    iri: str
    doc_id: str
    name: str
    level: str                       # 区 / 县 / 市 / 镇 / 街道
    role: str                        # key_area | in_scope | guided | mentioned
    passage_id: str
    start: int
    end: int
    city: str = ""


@dataclass
class Organization:
    iri: str
    doc_id: str
    name: str
    role: str                        # issuer | mentioned
    passage_id: str
    start: int
    end: int


@dataclass
class Extraction:
    """Everything extracted from one plan (before alignment)."""
    doc_id: str
    targets: list[Target] = field(default_factory=list)
    regulations: list[Regulation] = field(default_factory=list)
    projects: list[Project] = field(default_factory=list)
    districts: list[District] = field(default_factory=list)
    organizations: list[Organization] = field(default_factory=list)
    mentions: list[tuple[str, str]] = field(default_factory=list)   # (passage_id, iri)
    facts: list["SectionFact"] = field(default_factory=list)
    passage_topics: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class SectionFact:
    """A total stated for a section or table (项数, 总投资): a fact of its own, not a project."""
    iri: str
    doc_id: str
    label: str                       # e.g. "重大项目 总投资"
    measure: str                     # count | investment
    value: float                     # count, or 亿元
    unit_code: str
    text: str                        # as written
    passage_id: str
    start: int
    end: int
