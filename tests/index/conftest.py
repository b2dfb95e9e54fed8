"""Fixtures of the index tests: a small hand-made two-plan corpus (with a table whose rows
say nothing without their header), the FAKE hash embedder to isolate index logic, and a
real-model retriever over the real plans for the slow tests."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
CORPORA = ROOT / "corpora"

from core.types import Corpus, Document, Passage, Section, stable_id  # noqa: E402
from tests.fakes import CountingEmbedderFake, IndexGraphFake  # noqa: E402

# (kind, text, context) per passage, in document order; the raw text joins them with \n
PLANS = {
    "alpha": ("甲城", "甲城市城市管理“十四五”规划", [
        ("heading", "一、“十三五”成就", ""),
        ("paragraph", "城市供水管网漏损率下降到10%,生活垃圾分类覆盖率达到88%。",
         "一、“十三五”成就"),
        ("heading", "二、“十四五”目标", ""),
        ("paragraph", "到2025年,城市供水管网漏损率控制在8%以内,生活垃圾回收利用率达到65%,"
         "城市生活污水集中收集率达到68%。",
         "二、“十四五”目标"),
        ("table_row", "创五路 | 长海公路 | 科二路 | 0.8 |",
         "二、“十四五”目标; 表: 综合管廊建设表; 表头: 区域|道路|起点|终点|长度; 区域: 上虞区"),
        ("sentence-window", "推进智慧灯杆建设,推动多杆合一。", "二、“十四五”目标"),
        ("sentence-window", "推动多杆合一。新建公厕无障碍设施配置率达100%。", "二、“十四五”目标"),
        ("paragraph", "甲城市综合行政执法局", ""),
        ("paragraph", "2021年8月5日", ""),
    ]),
    "beta": ("乙州", "乙州市城市管理“十四五”规划", [
        ("paragraph", "乙州城区公共厕所数量达到4座/平方公里以上。", "主要任务"),
        ("paragraph", "每年新增和更新环卫车中新能源车比例不低于80%。", "主要任务"),
        ("paragraph", "推进智慧灯杆建设,编制多功能智慧灯杆建设标准规范。", "主要任务"),
        ("paragraph", "完成高架道路所有路灯零碳改造,完成其它道路40%路灯改造。", "主要任务"),
    ]),
}


def make_corpus(plans: dict = PLANS) -> Corpus:
    """Documents, one section per plan and passages whose text == raw[start:end]. The two
    sentence windows of alpha overlap (they share 推动多杆合一。)."""
    docs, sections, passages = {}, [], []
    for doc_id, (city, title, parts) in plans.items():
        raw, spans = "", []
        for kind, text, context in parts:
            if kind == "sentence-window" and spans and spans[-1][0] == "sentence-window":
                shared = "推动多杆合一。"
                start = raw.rindex(shared)
                raw = raw[:start] + text + "\n"
                spans.append((kind, start, start + len(text), context))
                continue
            spans.append((kind, len(raw), len(raw) + len(text), context))
            raw += text + "\n"
        docs[doc_id] = Document(id=doc_id, city=city, title=title, raw_text=raw,
                                sha256=stable_id(raw, n=64), meta={"period": "2021-2025"})
        sec = Section(id=stable_id(doc_id, "root"), doc_id=doc_id, number="", title=title,
                      level=1, start=0, end=len(raw), path=title)
        sections.append(sec)
        for kind, s, e, context in spans:
            meta = {"cells": raw[s:e].strip(" |").split(" | ")} if kind == "table_row" else {}
            passages.append(Passage(id=stable_id(doc_id, s, e), doc_id=doc_id,
                                    section_id=sec.id, kind=kind, text=raw[s:e], start=s,
                                    end=e, context=context, section_path=title, meta=meta))
    for p in passages:
        assert docs[p.doc_id].raw_text[p.start:p.end] == p.text
    return Corpus(documents=docs, sections=sections, passages=passages)


@pytest.fixture
def small_corpus() -> Corpus:
    return make_corpus()


@pytest.fixture
def fake_embedder():
    return CountingEmbedderFake()


@pytest.fixture
def index_cfg(tmp_path):
    from core.config import load_config
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLANGRAPH_")}
    return load_config({"corpora_dir": CORPORA, "data_dir": tmp_path / "data",
                        "model": "hash-fake"}, env=env)


@pytest.fixture
def built_small(small_corpus, index_cfg, fake_embedder, tmp_path):
    """(index dir, corpus, cfg, embedder) of the hand-made corpus, built with the fake."""
    import index
    out = tmp_path / "index"
    graph = IndexGraphFake(labels=["管网漏损率", "上虞区"],
                      indicators=[("城市供水管网漏损率", ["管网漏损率", "供水漏损率"])],
                      districts={"alpha": ["上虞区"]})
    index.build_index(small_corpus, index_cfg, out, fake_embedder, graph=graph,
                      progress=lambda m: None)
    return out, small_corpus, index_cfg, fake_embedder


@pytest.fixture
def small_retriever(built_small):
    import index
    out, corpus, cfg, emb = built_small
    return index.load_retriever(out, cfg, corpus, embedder_factory=lambda: emb)


@pytest.fixture(scope="session")
def real_index(tmp_path_factory, corpus):
    """(retriever, workspace-like object) over the real plans with the real model (slow)."""
    import index
    from core.config import load_config
    from index.encoders import load_embedder
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLANGRAPH_")}
    data = tmp_path_factory.mktemp("realindex") / "data"
    cfg = load_config({"corpora_dir": CORPORA, "data_dir": data}, env=env)
    emb = load_embedder(cfg)
    index.build_index(corpus, cfg, data / "index", emb, graph=None, progress=lambda m: None)
    retriever = index.load_retriever(data / "index", cfg, corpus, embedder_factory=lambda: emb)

    class _Workspace:          # the three attributes evaluation.retrieval reads
        pass
    ws = _Workspace()
    ws.cfg, ws.corpus, ws.embedder, ws.retriever = cfg, corpus, emb, retriever
    return retriever, ws
