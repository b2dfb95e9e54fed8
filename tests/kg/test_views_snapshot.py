"""kg/views.pickle: the typed views saved with the graph load to exactly what SPARQL over the
store computes; a snapshot from code whose view classes differ, or a damaged one, is not
trusted (the views are computed)."""
from __future__ import annotations

import pickle

import pytest

import kg
from kg import store as kg_store

pytestmark = pytest.mark.slow


def _computed(graph: kg.KnowledgeGraph) -> dict:
    fresh = kg.KnowledgeGraph(graph.store, dict(graph.meta))      # no snapshot: SPARQL
    return fresh.views_state()


def test_snapshot_equals_the_views_computed_from_the_store(built_cfg):
    graph = kg.load(built_cfg.data_dir / "kg")
    assert graph.meta["views"] == "snapshot"
    snap, computed = graph.views_state(), _computed(graph)
    assert set(snap) == set(kg_store.VIEW_ATTRS)
    for name in kg_store.VIEW_ATTRS:
        assert snap[name] == computed[name], name
    assert graph.targets() and graph.indicators() and graph.labels()


def test_snapshot_of_other_code_or_damaged_is_recomputed(built_cfg, tmp_path, monkeypatch):
    import shutil
    folder = tmp_path / "kg"
    shutil.copytree(built_cfg.data_dir / "kg", folder)
    monkeypatch.setattr(kg_store, "views_fingerprint", lambda: "another-version")
    assert kg.load(folder).meta["views"] == "computed"
    monkeypatch.undo()
    (folder / kg_store.VIEWS_FILE).write_bytes(b"\x80\x05 not a pickle")
    graph = kg.load(folder)
    assert graph.meta["views"] == "computed" and graph.targets()
    with open(folder / kg_store.VIEWS_FILE, "wb") as f:
        pickle.dump({"fingerprint": kg_store.views_fingerprint(), "views": {}}, f)
    assert kg.load(folder).meta["views"] == "computed"     # a snapshot must be whole
