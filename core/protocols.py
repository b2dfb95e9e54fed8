"""What stages give each other, as structural types (typing.Protocol): a graph reader, a
retriever, an embedder and the workspace that holds them. Consumers (qa/, web/, evaluation/)
annotate with these; the real parts (kg.store.KnowledgeGraph, index.HybridRetriever,
index.encoders, pipeline.Workspace) satisfy them without inheriting from them, and so do the
fakes in tests/fakes.py.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional, Protocol, Sequence

import numpy as np

from core.config import Config
from core.types import Corpus, Hit

if TYPE_CHECKING:                   # types only: core never imports the kg stage at run time
    from kg.model import District, Indicator, Organization, Project, Regulation, Target, Topic


class GraphReader(Protocol):
    """The typed views of the knowledge graph that answers and the UI read."""

    def targets(self, doc_id: Optional[str] = None) -> list[Target]: ...

    def indicators(self) -> list[Indicator]: ...

    def regulations(self, doc_id: Optional[str] = None) -> list[Regulation]: ...

    def projects(self, doc_id: Optional[str] = None) -> list[Project]: ...

    def districts(self, doc_id: Optional[str] = None) -> list[District]: ...

    def organizations(self, doc_id: Optional[str] = None) -> list[Organization]: ...

    def topics(self) -> list[Topic]: ...

    def passage_topics(self, passage_id: str) -> list[str]: ...


class Retriever(Protocol):
    """Top-k passages for a query, optionally restricted to some plans."""

    def search(self, query: str, k: int = 10,
               doc_ids: Optional[list[str]] = None) -> list[Hit]: ...


class Embedder(Protocol):
    """An encoder: L2-normalised float32 vectors of `dim` columns, one row per text."""
    name: str
    dim: int

    def encode(self, texts: Sequence[str], progress: bool = False) -> np.ndarray: ...


class Workspace(Protocol):
    """Loaded artifacts of one build (pipeline.Workspace): heavy parts may load on first use."""

    @property
    def cfg(self) -> Config: ...

    @property
    def corpus(self) -> Corpus: ...

    @property
    def graph(self) -> GraphReader: ...

    @property
    def retriever(self) -> Retriever: ...

    @property
    def embedder(self) -> Embedder: ...

    @property
    def manifest(self) -> dict[str, Any]: ...

    @property
    def derived(self) -> dict[str, Any]:
        """What consumers derive from this build and keep while it is loaded (the QA state),
        keyed by consumer; dropped with the workspace."""
        ...

    def loaded(self, part: str) -> Any:
        """A heavy part ("graph", "retriever", "embedder") if it is loaded already, else None;
        never loads it (health checks)."""
        ...
