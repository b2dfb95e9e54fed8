"""Retrieval stage (DESIGN §1): embeddings (cached) -> FAISS, BM25 over jieba tokens with a
domain user dictionary -> hybrid retriever with filters and query handling.

    build_index(corpus, cfg, out_dir, embedder, graph=None, progress=print)
    retriever = load_retriever(out_dir, cfg, corpus, embedder_factory=lambda: embedder)
    retriever.search("绍兴生活垃圾回收利用率目标", k=10) -> list[Hit]
    retriever.search_per_doc("两市公厕建设目标", k=5) -> {doc_id: list[Hit]}

load_retriever does not load the embedding model: embedder_factory (a zero-argument
callable) is called on the first query that needs dense scores.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Callable, Optional

from core.artifacts import REBUILD, read_json, write_json
from core.config import Config
from core.errors import ArtifactError
from core.types import Corpus
from index import warm
from index.cache import EmbeddingCache, encode_cached, open_cache
from index.dense import DenseIndex
from index.encoders import model_id
from index.hybrid import FusionParams, HybridRetriever
from index.lexical import ChineseTokenizer, LexicalIndex
from index.milvus import is_milvus, store_label, write_vectors
from index.milvus_dense import MilvusDense
from index.periods import PeriodPrior, document_periods
from index.query import QueryAnalyzer
from index.store import check_manifest, read_manifest, write_manifest
from index.texts import (
    corpus_hash,
    corpus_terms,
    fit_window,
    graph_synonyms,
    graph_terms,
    index_texts,
)
from kg.vocabulary import district_places

__all__ = ["build_index", "load_retriever", "HybridRetriever", "FusionParams"]

Progress = Callable[[str], None]
SUBWORDS = "dict"
# period names are vocabulary of every plan (十三五 must not be cut into 十三 + 五)
PERIOD_WORDS = tuple(f"十{c}五" for c in "一二三四五六七八九")


def _periods(corpus: Corpus) -> dict[str, set[str]]:
    return {d: document_periods(doc.title, str(doc.meta.get("period", "") or ""))
            for d, doc in corpus.documents.items()}


def build_index(corpus: Corpus, cfg: Config, out_dir: Path, embedder, graph: Any = None,
                progress: Progress = print, params: FusionParams = FusionParams(),
                cache: Optional[EmbeddingCache] = None) -> dict:
    """Build the lexical and dense indexes of every passage into out_dir; returns a summary.
    Without a graph the user dictionary holds only what the corpus shows (table cells,
    《titles》) and no synonyms or district names are known. cache: the embedding cache,
    when the caller has it open already (else the one in cfg.cache_dir is read, once)."""
    if not corpus.passages:
        raise ArtifactError("build_index: the corpus has no passages to index")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    passages = list(corpus.passages)
    texts = index_texts(passages)
    words = corpus_terms(corpus) | set(PERIOD_WORDS)
    if graph is not None:
        words |= graph_terms(graph)
    tokenizer = ChineseTokenizer(words, subwords=SUBWORDS)
    lexical = LexicalIndex.build(texts, tokenizer)
    t_lex = time.perf_counter() - t0
    progress(f"index: BM25 over {len(passages)} passages, {len(tokenizer.user_words)} "
             f"user-dictionary words ({t_lex:.1f}s)")

    t1 = time.perf_counter()
    dense_texts = fit_window(texts, passages, getattr(embedder, "count_tokens", None),
                             cfg.model_max_tokens)
    if cache is None:
        cache = open_cache(cfg.cache_dir, embedder)
    vectors = encode_cached(embedder, dense_texts, cache, progress)
    stored: dict = {}
    if is_milvus(cfg.vector_store):
        stored = write_vectors(cfg.vector_store, model_id(cfg), passages, dense_texts, vectors,
                               progress)
        write_json(out_dir / "milvus.json",
                   {k: stored[k] for k in ("store", "collection", "revisions", "keys")})
        kind, dim = "milvus", int(vectors.shape[1])
    else:
        dense = DenseIndex.build(vectors, cfg.hnsw_threshold)
        dense.save(out_dir / "dense.faiss")
        kind, dim = dense.kind, dense.dim
    t_dense = time.perf_counter() - t1
    if not stored:
        progress(f"index: {kind} FAISS index of {len(passages)} x {dim} ({t_dense:.1f}s)")

    t2 = time.perf_counter()
    warm_entry = warm.build(corpus, graph, embedder, out_dir, cache, progress)
    t_warm = time.perf_counter() - t2
    progress(f"index: {warm_entry['texts']} sentence and label vectors ({t_warm:.1f}s)")

    districts = district_places(graph) if graph is not None else []
    query_data = {"districts": [[p.name, p.doc_id, list(p.aliases)] for p in districts],
                  "synonyms": graph_synonyms(graph) if graph is not None else {}}
    lexical.save(out_dir / "lexical")
    write_json(out_dir / "passages.json", [p.id for p in passages])
    write_json(out_dir / "query.json", query_data)
    summary = {"model": model_id(cfg), "embedder": getattr(embedder, "name", ""),
               "dim": dim, "corpus": corpus_hash(passages, texts),
               "passages": len(passages), "dense": kind,
               "vector_store": store_label(cfg.vector_store),
               "vectors": {k: stored[k] for k in ("upserted", "present") if k in stored},
               "tokenizer": {**tokenizer.params(), "graph": graph is not None},
               "fusion": params.to_dict(), "warm": warm_entry,
               "timings": {"lexical_s": round(t_lex, 3), "dense_s": round(t_dense, 3),
                           "warm_s": round(t_warm, 3)}}
    write_manifest(out_dir, summary)
    return summary


def load_retriever(index_dir: Path, cfg: Config, corpus: Corpus,
                   embedder_factory: Callable[[], Any]) -> HybridRetriever:
    """Load a built index for this corpus; refuses one built with another model, dimension
    or corpus. The embedding model is created by embedder_factory on first dense use."""
    index_dir = Path(index_dir)
    m = read_manifest(index_dir)
    ids = read_json(index_dir / "passages.json")
    try:
        passages = [corpus.passage(pid) for pid in ids]
    except KeyError as e:
        raise ArtifactError(f"index in {index_dir} names passage {e.args[0]!r} that the corpus "
                            f"does not hold; {REBUILD}") from None
    check_manifest(m, index_dir, model=model_id(cfg),
                   corpus=corpus_hash(passages, index_texts(passages)))
    tok = m.get("tokenizer", {})
    lexical = LexicalIndex.load(index_dir / "lexical", len(passages),
                                hmm=bool(tok.get("hmm", True)),
                                subwords=str(tok.get("subwords", SUBWORDS)))
    dense = _load_dense(index_dir, cfg, m, passages)
    if dense.dim != m.get("dim") or dense.size != len(passages):
        raise ArtifactError(f"dense index in {index_dir} holds {dense.size} x {dense.dim}, "
                            f"manifest says {len(passages)} x {m.get('dim')}; {REBUILD}")
    q = read_json(index_dir / "query.json")
    analyzer = QueryAnalyzer({d: doc.city for d, doc in corpus.documents.items()},
                             districts=[tuple(x) for x in q.get("districts", [])],
                             synonyms=q.get("synonyms", {}))
    params = FusionParams(**m.get("fusion", {}))
    periods = PeriodPrior([p.context for p in passages], [p.doc_id for p in passages],
                          _periods(corpus), params.explicit_period_penalty,
                          params.implicit_period_penalty)
    return HybridRetriever(corpus, passages, lexical, dense, embedder_factory, analyzer,
                           periods, params, model=m.get("model", ""))


def _load_dense(index_dir: Path, cfg: Config, m: dict, passages: list):
    """The FAISS index of the folder, or the reader of its Milvus collection; refuses an
    index whose vectors live elsewhere than the config says."""
    built_in = m.get("vector_store", "faiss")
    if built_in != store_label(cfg.vector_store):
        raise ArtifactError(f"index in {index_dir} keeps its vectors in {built_in!r}, the config "
                            f"asks for {store_label(cfg.vector_store)!r}; {REBUILD}")
    if m.get("dense") != "milvus":
        return DenseIndex.load(index_dir / "dense.faiss")
    info = read_json(index_dir / "milvus.json")
    return MilvusDense(cfg.vector_store, info["collection"], m.get("model", ""),
                       int(m.get("dim", 0)), info["keys"], [p.doc_id for p in passages],
                       info["revisions"], in_memory_max=cfg.hnsw_threshold)


def warm_vectors(index_dir: Path) -> Optional[tuple[list[str], Any]]:
    """The sentence and label vectors of a built index (texts, float32 rows), or None when
    the index was built without them."""
    entry = read_manifest(Path(index_dir)).get("warm")
    return warm.load(Path(index_dir), entry) if entry else None


def describe(index_dir: Path) -> Optional[dict]:
    """The manifest of a built index, or None when there is none."""
    try:
        return read_manifest(Path(index_dir))
    except ArtifactError:
        return None
