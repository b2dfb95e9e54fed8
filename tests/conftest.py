"""Shared fixtures. `corpus` ingests the real plans once; `built` runs the real pipeline
(real model, real FAISS, real graph) once per session into a temporary data folder."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

SHARED = ROOT.parent / "shared"
CORPORA = ROOT / "corpora"
QA_DEV = SHARED / "eval" / "qa_dev.jsonl"
KG_GOLD = SHARED / "eval" / "kg_dev_shaoxing.json"
ARTIFACTS = ROOT / "test-artifacts"


def _clean_env() -> dict:
    return {k: v for k, v in os.environ.items() if not k.startswith("PLANGRAPH_")}


@pytest.fixture
def cfg(tmp_path):
    from core.config import load_config
    return load_config({"corpora_dir": CORPORA, "data_dir": tmp_path / "data"}, env=_clean_env())


@pytest.fixture(scope="session")
def corpus():
    import ingest
    from core.catalog import Catalog
    from core.config import load_config
    c = load_config({"corpora_dir": CORPORA}, env=_clean_env())
    return ingest.ingest_corpus(Catalog.load(CORPORA).documents(), c, progress=lambda m: None)


@pytest.fixture(scope="session")
def built_cfg(tmp_path_factory):
    """Config of a full real build of the shipped corpus (built once per session)."""
    import pipeline
    from core.config import load_config
    data = tmp_path_factory.mktemp("built") / "data"
    c = load_config({"corpora_dir": CORPORA, "data_dir": data}, env=_clean_env())
    pipeline.build(c, force=True, progress=lambda m: None)
    return c


@pytest.fixture(scope="session")
def built(built_cfg):
    import pipeline
    return pipeline.Workspace(built_cfg)


@pytest.fixture(scope="session")
def artifacts_dir():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def virtuoso_session(tmp_path_factory):
    """One Virtuoso 7 server for the session (it takes seconds to start); see graph_server."""
    from tests.kg.stores import virtuoso_server
    with virtuoso_server(tmp_path_factory.mktemp("virtuoso")) as server:
        yield server


@pytest.fixture(params=["oxigraph", "virtuoso"])
def graph_server(request, tmp_path):
    """A real SPARQL server on loopback holding no PlanGraph graphs: a fresh Oxigraph server
    (`oxigraph serve`), or the session's Virtuoso with the tests' graphs deleted."""
    if request.param == "virtuoso":
        server = request.getfixturevalue("virtuoso_session")
        server.clear()
        yield server
        return
    from tests.kg.stores import oxigraph_server
    with oxigraph_server(tmp_path / "oxigraph") as server:
        yield server
