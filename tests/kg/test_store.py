"""kg.store: save/load, accessors, read-only sharing with an oxigraph server."""
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

import kg
from core.errors import ArtifactError
from kg.model import Indicator, Regulation, Target


@pytest.fixture(scope="module")
def saved(real_graph, tmp_path_factory):
    d = tmp_path_factory.mktemp("kg")
    kg.save(real_graph, d)
    return d


def test_store_save_writes_exchange_files(saved):
    text = (saved / "graph.ttl").read_text(encoding="utf-8")
    assert text.startswith("@prefix") and "pg:Target" in text
    assert (saved / "store").is_dir() and (saved / "graph.trig").is_file()


def test_store_load_round_trip(saved, real_graph):
    g = kg.load(saved)
    assert kg.triple_count(g) == kg.triple_count(real_graph)
    assert {t.iri for t in g.targets()} == {t.iri for t in real_graph.targets()}
    t = g.targets("shaoxing")[0]
    assert isinstance(t, Target) and t.doc_id == "shaoxing" and t.city == "绍兴"
    assert isinstance(g.indicators()[0], Indicator)
    assert all(isinstance(r, Regulation) for r in g.regulations("hangzhou"))


def test_store_accessors_filter_by_plan(real_graph):
    assert {x.doc_id for x in real_graph.projects("hangzhou")} == {"hangzhou"}
    assert {x.doc_id for x in real_graph.districts()} == {"hangzhou", "shaoxing"}
    assert "柯桥区" in real_graph.labels()
    for name in ("targets", "regulations", "projects", "districts", "organizations"):
        every = getattr(real_graph, name)()
        plans = sorted({x.doc_id for x in every})
        assert len(plans) == 2, name
        for d in plans + ["no-such-plan"]:
            want = [x for x in every if x.doc_id == d]       # the plan's items, in order
            assert getattr(real_graph, name)(d) == want, name
            got = getattr(real_graph, name)(d)
            got.clear()                                      # callers get their own list
            assert getattr(real_graph, name)(d) == want, name


def test_store_entity_search_and_neighbourhood(real_graph):
    hits = real_graph.entity_search("柯桥区", limit=5)
    assert hits[0][1] == "柯桥区" and hits[0][2] == "District"
    edges = real_graph.neighbourhood(hits[0][0])
    assert any(e.p_label == "mentions" for e in edges)
    assert all(len(e) == 6 and e.s_label for e in edges)


def test_store_load_refuses_missing_folder(tmp_path):
    with pytest.raises(ArtifactError):
        kg.load(tmp_path)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_store_load_while_oxigraph_server_reads(saved, tmp_path):
    exe = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    if not Path(exe).exists():
        pytest.skip("oxigraph server binary not installed")
    port = _free_port()
    proc = subprocess.Popen([exe, "serve-read-only", "--location", str(saved / "store"),
                             "--bind", f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        import httpx
        for _ in range(50):
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/query",
                              params={"query": "ASK { ?s ?p ?o }"}, timeout=1)
                if r.status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        assert proc.poll() is None
        g = kg.load(saved)
        assert g.targets()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
