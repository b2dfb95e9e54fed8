"""Fixtures of the kg tests: language resources, and plans built from the Chinese snippets in
tests/data/kg (one passage per line; lines with | or ｜ are table rows; the tables are
ingest's, read by its table parser)."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from core.types import Corpus, Document, Passage, stable_id
from ingest.tables import find_tables
from ingest.text import split_lines
from tests.web.sparql_fixtures import Listener

DATA = Path(__file__).resolve().parent.parent / "data" / "kg"


def snippet(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def make_corpus(texts: dict[str, tuple[str, str]], section: str = "",
                title: str = "某市城市管理“十四五”规划", period: str = "2021-2025") -> Corpus:
    """texts: doc_id -> (city, raw text)."""
    docs, passages, tables = {}, [], []
    for doc_id, (city, raw) in texts.items():
        docs[doc_id] = Document(id=doc_id, city=city, title=title.replace("某市", city + "市"),
                                raw_text=raw, sha256=hashlib.sha256(raw.encode()).hexdigest(),
                                meta={"period": period, "issuer": ""})
        tables += find_tables(doc_id, split_lines(raw))
        pos = 0
        for line in raw.split("\n"):
            s, e = pos, pos + len(line)
            pos = e + 1
            m = re.search(r"\S(.*\S)?", line)
            if not m:
                continue
            s, e = s + m.start(), s + m.end()
            kind = "table_row" if re.search(r"[|｜]", line) else "paragraph"
            passages.append(Passage(id=stable_id(doc_id, s, e), doc_id=doc_id, section_id=None,
                                    kind=kind, text=raw[s:e], start=s, end=e,
                                    section_path=section))
    return Corpus(documents=docs, passages=passages, tables=tables)


@pytest.fixture(scope="session")
def res():
    from kg.nlp import load_resources
    return load_resources()


@pytest.fixture
def ctx_of(res):
    """ctx_of(text, city='绍兴', section='') -> DocContext of a one-plan corpus."""
    from kg.context import DocContext

    def make(text: str, city: str = "绍兴", section: str = "", doc_id: str = "snip"):
        c = make_corpus({doc_id: (city, text)}, section=section)
        return DocContext(c.documents[doc_id], c.passages, c.tables, res)
    return make


@pytest.fixture(scope="module")
def real_graph(corpus):
    """Graph of the real plans, built once per module without an embedder."""
    import kg
    return kg.build_graph(corpus)


@pytest.fixture(scope="module")
def inv_graph():
    """Graph of the invented plan (tests/data/kg/invented_plan.txt) through the real ingest."""
    import ingest
    import kg
    from core.config import load_config
    raw = (DATA / "invented_plan.txt").read_text(encoding="utf-8")
    doc = Document(id="nb", city="宁波", title="宁波市城市管理“十四五”规划", raw_text=raw,
                   sha256=hashlib.sha256(raw.encode()).hexdigest(),
                   meta={"period": "2021-2025", "issuer": ""})
    corpus = ingest.ingest_corpus([doc], load_config({}, env={}), progress=lambda m: None)
    return kg.build_graph(corpus)


@pytest.fixture(scope="module")
def listener():
    """A loopback listener nothing may connect to (a query that reaches it got out)."""
    lst = Listener()
    yield lst
    lst.close()
    assert lst.received == [], lst.received
