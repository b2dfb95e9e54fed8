"""Fixtures of the ingest tests: the real plans from corpora/, ingested once per session."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
CORPORA = ROOT / "corpora"
DATA = ROOT / "tests" / "data" / "ingest"


def _env() -> dict:
    return {k: v for k, v in os.environ.items() if not k.startswith("PLANGRAPH_")}


@pytest.fixture(scope="session")
def corpora_dir() -> Path:
    return CORPORA


@pytest.fixture(scope="session")
def ingest_data() -> Path:
    """tests/data/ingest (snippets)."""
    return DATA


@pytest.fixture(scope="session")
def ingest_cfg():
    from core.config import load_config
    return load_config({"corpora_dir": CORPORA}, env=_env())


@pytest.fixture(scope="session")
def real_corpus(ingest_cfg):
    import ingest
    from core.catalog import Catalog
    return ingest.ingest_corpus(Catalog.load(CORPORA).documents(), ingest_cfg,
                                progress=lambda m: None)


@pytest.fixture(scope="session")
def headed_doc_id(real_corpus) -> str:
    """The real plan whose headings survived (most non-inferred sections)."""
    return max(real_corpus.documents, key=lambda d: sum(
        1 for s in real_corpus.sections if s.doc_id == d and not s.inferred))


@pytest.fixture(scope="session")
def headless_doc_id(real_corpus) -> str:
    """The real plan that lost its headings (only inferred sections)."""
    ids = [d for d in real_corpus.documents
           if all(s.inferred for s in real_corpus.sections if s.doc_id == d)]
    assert ids, "expected one plan without headings in corpora/"
    return ids[0]


def make_doc(raw: str, doc_id: str = "snippet", encoding: str = "utf-8"):
    from core.types import Document
    return Document(id=doc_id, city="某市", title="测试规划", raw_text=raw, sha256="0" * 64,
                    encoding=encoding)


@pytest.fixture
def ingest_text(ingest_cfg):
    """Ingest one text as a one-document corpus."""
    import ingest

    def run(raw: str, doc_id: str = "snippet", encoding: str = "utf-8"):
        return ingest.ingest_corpus([make_doc(raw, doc_id, encoding)], ingest_cfg,
                                    progress=lambda m: None)
    return run
