"""The real parts satisfy the stage protocols of core/protocols.py: every method a protocol
names exists on the implementation and accepts the protocol's parameters (checked on the
classes, so nothing is loaded), and a loaded Workspace has every attribute of its protocol."""
from __future__ import annotations

import inspect

import pytest

from core import protocols
from index.encoders import CachingEmbedder, SentenceTransformerEmbedder
from index.encoders.onnx import OnnxEncoder
from index.hybrid import HybridRetriever
from kg.store import KnowledgeGraph


def _methods(proto: type) -> dict[str, inspect.Signature]:
    return {n: inspect.signature(f) for n, f in vars(proto).items()
            if inspect.isfunction(f) and not n.startswith("_")}


def _accepts(impl: type, name: str, want: inspect.Signature) -> str:
    fn = getattr(impl, name, None)
    if not callable(fn):
        return f"{impl.__name__}.{name} is missing"
    have = inspect.signature(fn).parameters
    if any(p.kind == p.VAR_KEYWORD for p in have.values()):
        return ""
    missing = [p for p in want.parameters if p != "self" and p not in have]
    return f"{impl.__name__}.{name} lacks parameters {missing}" if missing else ""


@pytest.mark.parametrize("proto, impl", [
    (protocols.GraphReader, KnowledgeGraph),
    (protocols.Retriever, HybridRetriever),
    (protocols.Embedder, SentenceTransformerEmbedder),
    (protocols.Embedder, OnnxEncoder),
    (protocols.Embedder, CachingEmbedder),
])
def test_real_parts_satisfy_the_protocols(proto, impl):
    methods = _methods(proto)
    assert methods, f"{proto.__name__} names no methods"
    problems = [p for n, sig in methods.items() if (p := _accepts(impl, n, sig))]
    assert not problems, problems


def test_the_checker_catches_a_missing_method_and_parameter():
    class NoSearch:
        pass

    class NarrowSearch:
        def search(self, query):
            return []

    sig = _methods(protocols.Retriever)["search"]
    assert "missing" in _accepts(NoSearch, "search", sig)
    assert "lacks parameters ['k', 'doc_ids']" in _accepts(NarrowSearch, "search", sig)


@pytest.mark.slow
def test_a_loaded_workspace_has_the_protocols_attributes(built):
    names = [n for n, v in vars(protocols.Workspace).items() if isinstance(v, property)]
    assert set(names) == {"cfg", "corpus", "graph", "retriever", "embedder", "manifest",
                          "derived"}
    for n in names:
        assert getattr(built, n) is not None, n
    assert built.loaded("graph") is built.graph and built.loaded("corpus") is None
    assert isinstance(built.graph, KnowledgeGraph) and isinstance(built.retriever, HybridRetriever)
