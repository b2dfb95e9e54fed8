"""The real build in a real SPARQL server reads and answers as the embedded graph does: the
typed views, every example query (kg/queries/*.rq, as multisets of rows) and the answers (text
and cited offsets) to the shared dev questions (validation use only). The remote graph's views
are read through SPARQL from the server, not from data/kg's views snapshot (which the embedded
graph loads), so the comparison is of the store against the build."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

import pipeline
import qa
from evaluation import read_questions
from kg import sparql
from kg.graphstore import StoreClient
from kg.publish import publish_folder
from kg.remote import RemoteGraph, open_graph
from tests.conftest import QA_DEV, SHARED
from tests.kg.stores import oxigraph_server, virtuoso_server

pytestmark = pytest.mark.slow

QUERIES = sorted((Path(__file__).resolve().parents[2] / "kg" / "queries").glob("*.rq"))
QA_OFFICIALS = SHARED / "eval" / "qa_dev_officials.jsonl"
SERVERS = {"oxigraph": lambda d: oxigraph_server(d, union=True),   # as the README sets it up
           "virtuoso": virtuoso_server}


@pytest.fixture(scope="module", params=sorted(SERVERS))
def remote(request, built, built_cfg, tmp_path_factory):
    """A Workspace over the same data/ whose graph is in a real server holding the build."""
    with SERVERS[request.param](tmp_path_factory.mktemp(request.param) / "db") as server:
        cfg = built_cfg.replace(graph_store=server.query, graph_store_update=server.update,
                                graph_store_auth=server.auth, graph_store_dataset=server.dataset)
        publish_folder(StoreClient.from_config(cfg), built_cfg.data_dir / "kg",
                       built.manifest["build_id"])
        ws = pipeline.Workspace(cfg)
        ws.__dict__["retriever"] = built.retriever       # only the graph differs
        ws.__dict__["embedder"] = built.embedder
        # Workspace.graph would hand the store's graph data/kg's views snapshot: views=None
        # makes it compute them with SELECTs to the server
        ws.__dict__["graph"] = graph = open_graph(cfg, built.manifest["build_id"], views=None)
        assert isinstance(graph, RemoteGraph) and graph.meta["build_id"] == built.manifest["build_id"]
        yield ws


def test_graphstore_remote_views_equal_embedded(built, remote):
    a, b = built.graph, remote.graph
    for view in ("targets", "indicators", "regulations", "projects", "districts",
                 "organizations", "section_facts", "topics", "labels"):
        assert getattr(a, view)() == getattr(b, view)(), view
    assert len(a) == len(b)
    for text in ("垃圾", "绍兴", "条例", "供水", "停车"):
        assert a.entity_search(text) == b.entity_search(text)
    for t in a.targets()[::40]:
        assert a.label_of(t.iri) == b.label_of(t.iri)
        assert a.passage_topics(t.passage_id) == b.passage_topics(t.passage_id)
        assert sorted(a.neighbourhood(t.iri)) == sorted(b.neighbourhood(t.iri))


def _rows(res) -> Counter:
    if res.form == "ASK":
        return Counter([res.boolean])
    if res.is_graph:
        return Counter(str(t) for t in res.triples())
    return Counter(tuple(sorted((k, str(v)) for k, v in row.items() if v is not None))
                   for row in res.rows())


@pytest.mark.parametrize("rq", QUERIES, ids=[q.stem for q in QUERIES])
def test_graphstore_example_queries_give_the_same_rows(built, remote, rq):
    text = rq.read_text(encoding="utf-8")
    mine = sparql.execute(built.graph, text, built.cfg)
    theirs = sparql.execute(remote.graph, text, remote.cfg)
    assert not mine.truncated and not theirs.truncated
    assert mine.count > 0
    assert _rows(mine) == _rows(theirs)


def _answer(ws, question: str) -> tuple:
    a = qa.answer(ws, question)
    return (a.found, a.kind, a.answer, [(c.doc, c.start, c.end) for c in a.citations])


@pytest.mark.parametrize("path", [QA_DEV, QA_OFFICIALS], ids=["qa_dev", "qa_dev_officials"])
def test_graphstore_answers_equal_embedded(built, remote, path):
    if not path.is_file():
        pytest.skip(f"{path} not found (shared/ is not beside the repository)")
    questions = [q["question"] for q in read_questions(path)]
    differ = [q for q in questions if _answer(built, q) != _answer(remote, q)]
    assert not differ, differ
