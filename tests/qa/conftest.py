"""Fixtures of the QA tests.

- `small_ctx`: a QAContext from plain records (invented cities 温州/湖州 as catalog, no graph,
  no model) for question analysis.
- `mini_ws`: two invented plans (tests/data/qa) through the real ingest, the real graph
  builder and the real question encoder (the fitted reader reads m3e similarities), with one
  named fake that isolates QA from the index: LexicalRetrieverFake (tests/fakes.py). Built once per
  session; a few seconds.
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Optional

import pytest

from core.types import Document
from core.zh import aliases_of
from kg.vocabulary import IndicatorRef, Place
from qa.context import DocInfo, QAContext
from tests.fakes import LexicalRetrieverFake

DATA = Path(__file__).resolve().parent.parent / "data" / "qa"
MINI_PLANS = (("yunxi", "云溪", "yunxi.txt"), ("shihu", "石湖", "shihu.txt"))


def make_ctx(embed=None, idf_source=()) -> QAContext:
    docs = {"wz": DocInfo("wz", "温州", "温州市城市管理“十四五”规划", (2021, 2025)),
            "hz": DocInfo("hz", "湖州", "湖州市城市管理“十四五”规划", (2021, 2025))}
    places = [Place(n, "wz", "district", aliases_of(n)) for n in ("鹿城区", "瑞安市", "永嘉县")]
    places += [Place(n, "hz", "district", aliases_of(n)) for n in ("吴兴区", "德清县")]
    indicators = [IndicatorRef("i1", ("城市供水管网漏损率", "管网漏损率"), ("wz", "hz")),
                  IndicatorRef("i2", ("建成区绿地率",), ("wz",)),
                  IndicatorRef("i3", ("建成区绿化覆盖率",), ("wz",)),
                  IndicatorRef("i4", ("生活垃圾回收利用率",), ("wz",))]
    return QAContext(docs=docs, places=places, indicators=indicators, embed=embed,
                     idf_source=list(idf_source))


@pytest.fixture(scope="session")
def small_ctx() -> QAContext:
    return make_ctx()


class MiniWorkspace:
    """The attributes of pipeline.Workspace that QA uses, over the invented plans."""

    def __init__(self, cfg, texts: dict[str, str]):
        import ingest
        import kg
        from index.encoders import CachingEmbedder, load_query_embedder
        docs = []
        for doc_id, city, name in MINI_PLANS:
            raw = texts.get(doc_id) or (DATA / name).read_text(encoding="utf-8")
            docs.append(Document(id=doc_id, city=city, title=f"{city}市城市管理“十四五”规划",
                                 raw_text=raw, sha256=hashlib.sha256(raw.encode()).hexdigest(),
                                 meta={"period": "2021-2025", "issuer": ""}))
        self.cfg = cfg
        self.corpus = ingest.ingest_corpus(docs, cfg, progress=lambda m: None)
        self.graph = kg.build_graph(self.corpus, cfg, embedder=None)
        self.embedder = CachingEmbedder(load_query_embedder(cfg))
        self.retriever = LexicalRetrieverFake(self.corpus)
        self.derived: dict = {}


def mini_workspace(tmp_path, texts: Optional[dict[str, str]] = None) -> MiniWorkspace:
    from core.config import load_config
    cfg = load_config({"data_dir": tmp_path / "data"}, env={})
    return MiniWorkspace(cfg, texts or {})


@pytest.fixture(scope="session")
def mini_ws(tmp_path_factory) -> MiniWorkspace:
    return mini_workspace(tmp_path_factory.mktemp("mini"))


def mini_text(doc_id: str) -> str:
    name = dict((d, n) for d, _, n in MINI_PLANS)[doc_id]
    return (DATA / name).read_text(encoding="utf-8")
