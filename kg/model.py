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
    baseline: Optional[str]          # as written, e.g. "10%" (achieved value before the plan)
    target: Optional[str]            # as written, e.g. "≤8%"
    value: Optional[float]           # the number of the stated value (target, else achieved)
    unit: str
    comparator: str                  # ≥ ≤ > < =
    year: Optional[int]
    period: Optional[str]            # "十四五", "十四五末", "十三五" ...
    bindingness: Optional[str]       # 约束性 / 预期性
    value_kind: str                  # achieved | target
    category: str
    passage_id: str
    start: int                       # passage span
    end: int
    evidence_start: int              # the matched clause or table row
    evidence_end: int
    value_max: Optional[float] = None
    approximate: bool = False
    source: str = "text"             # text | table


@dataclass
class Indicator:
    iri: str
    pref_label: str
    alt_labels: list[str] = field(default_factory=list)
    category: str = ""
    doc_ids: list[str] = field(default_factory=list)


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
