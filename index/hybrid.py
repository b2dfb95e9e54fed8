"""Hybrid retriever: BM25 + dense scores fused, with filters, de-duplication and query
handling (city restriction, per-plan retrieval for comparisons, synonym expansion).

Fusion, chosen on the dev questions (weighted RRF and BM25 alone were both worse): min-max
normalise the BM25 and the cosine scores over the allowed passages, mix them as
lexical_weight * bm25 + (1 - lexical_weight) * dense (0.5-0.8 all gave the same dev figures;
0.6 sits in the middle), then multiply by the period prior (index/periods.py). Overlapping
passages (sentence windows) are de-duplicated, the better one kept. Headings are left out
unless asked for: their words are already in the context of the passages below them.
"""
from __future__ import annotations

import itertools
import threading
from collections import OrderedDict
from dataclasses import asdict, dataclass
from typing import Callable, Iterable, Optional, Sequence

import numpy as np

from core.errors import ArtifactError, QuestionError
from core.types import Corpus, Hit, Passage
from index.dense import DenseIndex
from index.lexical import LexicalIndex
from index.periods import PeriodPrior
from index.query import QueryAnalyzer, QueryPlan

MODES = ("hybrid", "lexical", "dense")
DEFAULT_EXCLUDED_KINDS = frozenset({"heading"})   # headings live on in their children's context
SCORE_CACHE_SIZE = 8              # whole-corpus score vectors of the most recent queries


@dataclass(frozen=True)
class FusionParams:
    lexical_weight: float = 0.6
    explicit_period_penalty: float = 0.2
    implicit_period_penalty: float = 0.1
    dense_depth: int = 256            # candidates read from an HNSW index (flat reads all)

    def __post_init__(self) -> None:
        if not 0.0 <= self.lexical_weight <= 1.0:
            raise ValueError(f"FusionParams: lexical_weight={self.lexical_weight!r} not in [0, 1]")
        if self.dense_depth <= 0:
            raise ValueError(f"FusionParams: dense_depth={self.dense_depth!r} must be positive")

    def to_dict(self) -> dict:
        return asdict(self)


def _minmax(x: np.ndarray) -> np.ndarray:
    if x.size == 0:
        return x
    lo, hi = float(x.min()), float(x.max())
    return (x - lo) / (hi - lo) if hi > lo else np.zeros_like(x)


class HybridRetriever:
    def __init__(self, corpus: Corpus, passages: Sequence[Passage], lexical: LexicalIndex,
                 dense: DenseIndex, embedder_factory: Callable[[], object],
                 analyzer: QueryAnalyzer, periods: PeriodPrior,
                 params: FusionParams = FusionParams(), model: str = "",
                 query_cache_size: int = 256):
        n = len(passages)
        if not (lexical.n == dense.size == n):
            raise ArtifactError(f"index parts disagree: {n} passages, lexical {lexical.n}, "
                                f"dense {dense.size}; run `python app.py build --force`")
        self.corpus, self.passages = corpus, list(passages)
        self.lexical, self.dense, self.analyzer, self.periods = lexical, dense, analyzer, periods
        self.params, self.model = params, model
        if query_cache_size < 0:
            raise ValueError(f"HybridRetriever: query_cache_size={query_cache_size!r} must be >= 0")
        self._factory, self._embedder = embedder_factory, None
        self._lock = threading.Lock()             # one lazy model load; one query encode at a time
        self._qcache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._qcache_size = query_cache_size
        self._scache: OrderedDict[tuple, np.ndarray] = OrderedDict()
        self._docs = np.array([p.doc_id for p in self.passages])
        self._kinds = np.array([p.kind for p in self.passages])
        self._starts = np.array([p.start for p in self.passages], dtype=np.int64)
        self._ends = np.array([p.end for p in self.passages], dtype=np.int64)
        self._sections: Optional[list[set[str]]] = None
        # built on first use (see mask, _rows, _spans_lists)
        self._default_kinds: Optional[np.ndarray] = None
        self._doc_rows: Optional[dict[str, np.ndarray]] = None
        self._plan_rows: dict[str, np.ndarray] = {}
        self._span_lists: Optional[tuple[list, list, list]] = None

    # ---- lazily loaded model ---------------------------------------------------------------
    @property
    def embedder(self):
        if self._embedder is None:
            with self._lock:
                if self._embedder is None:
                    self._embedder = self._checked(self._factory())
        return self._embedder

    def _checked(self, emb):
        if int(emb.dim) != self.dense.dim:
            raise ArtifactError(f"the index was built with {self.dense.dim}-dimensional "
                                f"vectors but model {getattr(emb, 'name', '?')!r} gives "
                                f"{emb.dim}; run `python app.py build --force`")
        return emb

    @property
    def model_loaded(self) -> bool:
        return self._embedder is not None

    def close(self) -> None:
        """Release the vector store's connection (a milvus-lite file becomes free for other
        processes; the next dense query connects again)."""
        self.dense.close()

    # ---- filters -----------------------------------------------------------------------------
    def _section_sets(self) -> list[set[str]]:
        if self._sections is None:
            parent = {s.id: s.parent for s in self.corpus.sections}
            out = []
            for p in self.passages:
                chain, sid = set(), p.section_id
                while sid and sid not in chain:
                    chain.add(sid)
                    sid = parent.get(sid)
                out.append(chain)
            self._sections = out
        return self._sections

    def mask(self, doc_ids: Optional[Iterable[str]] = None, kinds: Optional[Iterable[str]] = None,
             section: Optional[str] = None) -> np.ndarray:
        """Allowed passages: plans (doc ids), passage kinds (default: all but headings), and
        a section (its id, matching the section and everything under it, or a piece of
        the section path)."""
        if kinds is not None:
            m = np.isin(self._kinds, list(kinds))
        else:
            if self._default_kinds is None:
                self._default_kinds = ~np.isin(self._kinds, list(DEFAULT_EXCLUDED_KINDS))
            m = self._default_kinds.copy()
        if doc_ids is not None:
            # rows of each plan, found once: answering searches plan after plan, and a test
            # over every passage per search grew as plans x passages
            if self._doc_rows is None:
                order = np.argsort(self._docs, kind="stable")
                keys, first = np.unique(self._docs[order], return_index=True)
                self._doc_rows = dict(zip(keys.tolist(), np.split(order, first[1:])))
            keep = np.zeros(len(self.passages), dtype=bool)
            for d in doc_ids:
                rows = self._doc_rows.get(d)
                if rows is not None:
                    keep[rows] = True
            m &= keep
        if section:
            sets = self._section_sets()
            known = any(section in s for s in sets)
            m &= np.array([(section in s) if known else (section in p.section_path)
                           for s, p in zip(sets, self.passages)], dtype=bool)
        return m

    # ---- scoring -------------------------------------------------------------------------------
    def analyze(self, query: str) -> QueryPlan:
        return self.analyzer.analyze(query)

    def query_vector(self, query: str) -> np.ndarray:
        """The query's embedding (recent ones are kept in a small LRU cache)."""
        emb = self.embedder          # loads under self._lock itself: take it first
        with self._lock:
            v = self._qcache.get(query)
            if v is not None:
                self._qcache.move_to_end(query)
                return v
            v = np.asarray(emb.encode([query])[0], dtype=np.float32)
            if self._qcache_size:
                self._qcache[query] = v
                if len(self._qcache) > self._qcache_size:
                    self._qcache.popitem(last=False)
            return v

    def _memo(self, key: tuple, compute: Callable[[], Optional[np.ndarray]]
              ) -> Optional[np.ndarray]:
        """Scores of every passage for one query, kept for the next few calls: answering
        searches each plan in turn with the same query, and each search then only reads its
        plan's rows instead of scoring the whole corpus again."""
        with self._lock:
            v = self._scache.get(key)
            if v is not None:
                self._scache.move_to_end(key)
                return v
        v = compute()
        if v is not None:
            with self._lock:
                self._scache[key] = v
                while len(self._scache) > SCORE_CACHE_SIZE:
                    self._scache.popitem(last=False)
        return v

    def _lexical_scores(self, query: str, plan: QueryPlan) -> np.ndarray:
        def compute() -> np.ndarray:
            lexq = self.analyzer.strip_places(query, plan)
            extra = [t for term in self.analyzer.expansions(query)
                     for t in self.lexical.tokenizer.tokenize(term)]
            return self.lexical.scores(lexq, extra)
        return self._memo(("lex", query), compute)

    def _dense_scores(self, query: str, rows: np.ndarray) -> np.ndarray:
        q = self.query_vector(query)
        full = self._memo(("dense", query), lambda: self.dense.all_scores(q))
        if full is not None:
            return np.asarray(full[rows], dtype=np.float32)
        allowed = None if len(rows) == self.dense.size else rows
        depth = len(rows) if self.dense.kind == "flat" else min(len(rows), self.params.dense_depth)
        s, r = self.dense.search(q, depth, allowed)
        out = np.full(len(rows), float(s.min()) if len(s) else 0.0, dtype=np.float32)
        pos = np.searchsorted(rows, r)
        ok = (pos < len(rows)) & (rows[np.minimum(pos, len(rows) - 1)] == r)
        out[pos[ok]] = s[ok]
        return out

    def scores(self, query: str, rows: np.ndarray, plan: Optional[QueryPlan] = None,
               mode: str = "hybrid") -> np.ndarray:
        """Fused score of each allowed row (rows sorted ascending)."""
        if mode not in MODES:
            raise ValueError(f"search mode={mode!r}, expected one of {', '.join(MODES)}")
        plan = plan or self.analyzer.analyze(query)
        a = self.params.lexical_weight if mode == "hybrid" else float(mode == "lexical")
        fused = np.zeros(len(rows), dtype=np.float32)
        if a > 0:
            fused += a * _minmax(self._lexical_scores(query, plan)[rows])
        if a < 1:
            fused += (1 - a) * _minmax(self._dense_scores(query, rows))
        if mode == "hybrid":
            fused *= self.periods.factors(query)[rows]
        return fused

    def _ranked(self, rows: np.ndarray, fused: np.ndarray, k: int) -> list[tuple[int, float]]:
        """Best rows first, skipping any passage that overlaps a better one (windows)."""
        out: list[tuple[int, float]] = []
        taken: list[tuple[str, int, int]] = []      # (doc, start, end) of each row in out
        docs, starts, ends = self._spans_lists()
        for j in np.argsort(-fused, kind="stable").tolist():
            r = int(rows[j])
            d, s, e = docs[r], starts[r], ends[r]
            if any(d == od and s < oe and os_ < e for od, os_, oe in taken):
                continue
            out.append((r, float(fused[j])))
            taken.append((d, s, e))
            if len(out) >= k:
                break
        return out

    def _spans_lists(self) -> tuple[list, list, list]:
        """Plan, start and end of every passage as Python lists (element reads of numpy
        arrays cost ~10x a list's in the overlap test above)."""
        if self._span_lists is None:
            self._span_lists = (self._docs.tolist(), self._starts.tolist(), self._ends.tolist())
        return self._span_lists

    def _hits(self, ranked: Sequence[tuple[int, float]], mode: str) -> list[Hit]:
        source = "bm25" if mode == "lexical" else mode
        return [Hit(passage_id=self.passages[r].id, score=round(s, 6), rank=i + 1,
                    source=source) for i, (r, s) in enumerate(ranked)]

    @staticmethod
    def _check(query: str, k: int) -> None:
        if not isinstance(query, str) or not query.strip():
            raise QuestionError("search: the query is empty")
        if not isinstance(k, int) or k <= 0:
            raise QuestionError(f"search: k={k!r} must be a positive integer")

    # ---- public API ------------------------------------------------------------------------------
    def search(self, query: str, k: int = 10, doc_ids: Optional[list[str]] = None,
               kinds: Optional[Iterable[str]] = None, section: Optional[str] = None,
               mode: str = "hybrid") -> list[Hit]:
        """Top-k passages. Without doc_ids, the plans named in the query restrict the search;
        when it names several plans (or 两市/两地), each plan is searched on its own and the
        lists are interleaved, best plan first, so every plan is represented near the top."""
        self._check(query, k)
        plan = self.analyzer.analyze(query)
        docs = doc_ids if doc_ids is not None else plan.doc_ids
        if doc_ids is None and plan.per_doc:
            per = self._per_doc(query, k, plan.doc_ids or [], kinds, section, plan, mode)
            lists = sorted(per.values(), key=lambda hs: -hs[0][1] if hs else 0.0)
            merged = [x for tup in itertools.zip_longest(*lists) for x in tup if x is not None]
            return self._hits(merged[:k], mode)
        rows = self._rows(docs, kinds, section)
        if len(rows) == 0:
            return []
        return self._hits(self._ranked(rows, self.scores(query, rows, plan, mode), k), mode)

    def _rows(self, docs, kinds, section) -> np.ndarray:
        """Allowed rows (ascending); one plan's default rows are kept (searched plan by plan)."""
        if kinds is None and not section and docs is not None and len(docs) == 1:
            rows = self._plan_rows.get(docs[0])
            if rows is None:
                rows = self._plan_rows[docs[0]] = np.flatnonzero(self.mask(docs))
            return rows
        return np.flatnonzero(self.mask(docs, kinds, section))

    def prepare_plans(self, doc_ids: Iterable[str]) -> None:
        """Find each plan's rows now rather than on its first search (a comparison searches
        every plan in turn)."""
        self._spans_lists()
        for d in doc_ids:
            self._rows([d], None, None)

    def _per_doc(self, query, k, doc_ids, kinds, section, plan, mode
                 ) -> dict[str, list[tuple[int, float]]]:
        rows = np.flatnonzero(self.mask(doc_ids, kinds, section))
        if len(rows) == 0:
            return {d: [] for d in doc_ids}
        fused = self.scores(query, rows, plan, mode)
        out = {}
        for d in doc_ids:
            sel = self._docs[rows] == d
            out[d] = self._ranked(rows[sel], fused[sel], k)
        return out

    def search_per_doc(self, query: str, k: int = 10, doc_ids: Optional[list[str]] = None,
                       kinds: Optional[Iterable[str]] = None, section: Optional[str] = None,
                       mode: str = "hybrid") -> dict[str, list[Hit]]:
        """Top-k passages of each plan: doc_ids if given, else the plans the query names
        when it names two or more, else every plan. Scores are comparable across plans."""
        self._check(query, k)
        plan = self.analyzer.analyze(query)
        if doc_ids is None:
            doc_ids = plan.doc_ids if plan.doc_ids and len(plan.doc_ids) > 1 \
                else list(self.corpus.documents)
        per = self._per_doc(query, k, list(doc_ids), kinds, section, plan, mode)
        return {d: self._hits(v, mode) for d, v in per.items()}
