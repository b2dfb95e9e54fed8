"""What question answering knows about the loaded plans: the documents (city, period), the
places (cities and their districts), the indicators and their labels, a jieba tokenizer with
those names as user words, and term weights (IDF) over the passages.

Built once per Workspace from the corpus and the graph (`QAContext.from_workspace`), or from
plain records in unit tests. Nothing here names a particular city or plan.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Optional, Sequence

import numpy as np

from core.periods import period_of as plan_period
from core.protocols import Workspace
from core.question import PlaceNames
from core.zh import aliases_of, norm
from core.zh_dict import pos_tokenizer, private_tokenizer
from kg.vocabulary import IndicatorRef, Place, distinct_forms, label_strip_names, place_aliases, strip_places

if TYPE_CHECKING:
    from qa.graphview import GraphView

EXACT_LABEL = 0.95      # match score of an indicator label written whole in the question
SHORT_LABEL_CAP = 0.7  # short labels (≤3 chars) only match when written in the question
WHOLE_BONUS = 0.15      # added in proportion to the share of all content words the label covers


def period_of(text: str) -> Optional[tuple[int, int]]:
    """(start, end) years from "2021-2025" or from a five-year-plan name in `text`."""
    p = plan_period(text or "")
    return (p.start, p.end) if p else None


@dataclass(frozen=True)
class DocInfo:
    id: str
    city: str
    title: str
    period: Optional[tuple[int, int]] = None      # (start year, end year)
    issuer: str = ""                              # catalog issuer(s), ';'-separated


HEADS = ("率", "比例", "占比", "比重", "密度", "面积", "数量", "总量", "规模", "能力", "长度", "投资",
         "厂", "站", "项目", "工程", "中心", "设施", "户", "座", "个")
HEAD_MISMATCH = 0.6


def _head(text: str) -> str:
    """The kind word an indicator name ends with (率, 面积, 厂 …), or ''."""
    return next((h for h in HEADS if text.endswith(h)), "")


@dataclass
class QAContext:
    docs: dict[str, DocInfo]
    places: list[Place] = field(default_factory=list)
    indicators: list[IndicatorRef] = field(default_factory=list)
    embed: Optional[Callable[[Sequence[str]], np.ndarray]] = None
    idf_source: Sequence[str] = ()
    extra_words: Sequence[str] = ()
    texts: dict = field(default_factory=dict)     # doc_id -> raw text (place look-ups)

    def __post_init__(self) -> None:
        if not self.docs:
            raise ValueError("QAContext: docs must not be empty")
        self._label_vecs: Optional[np.ndarray] = None
        self._label_index: list[tuple[int, str]] = [
            (i, lab) for i, ind in enumerate(self.indicators) for lab in ind.labels if lab]
        self._tok = None
        self._idf = self._compute_idf(self.idf_source)
        self._vec_cache: dict = {}
        self._match_cache: dict = {}
        self._weights: dict[str, float] = {}
        self._stripped: dict[str, str] = {}
        self._strip_names: Optional[list[str]] = None
        # computed on first use (each once per context)
        self._place_names: Optional[list[tuple[str, Place]]] = None
        self._known: Optional[frozenset[str]] = None
        self._place_index: Optional[PlaceNames] = None
        self._plan_norm: Optional[str] = None
        self._postok = None
        self._mlabels: Optional[list[str]] = None
        self._dlabels: Optional[list[str]] = None
        self._lmasks: Optional[list[tuple[dict[str, int], int, str]]] = None
        self._lentries: Optional[tuple[np.ndarray, np.ndarray]] = None
        self._labels_of: Optional[dict[int, list[str]]] = None

    # ---- places -------------------------------------------------------------------------
    def city_names(self) -> dict[str, list[str]]:
        """Every way of writing each catalog city (绍兴, 绍兴市) -> its document ids."""
        return self.place_index.cities

    def place_names(self) -> list[tuple[str, Place]]:
        """(alias, place) pairs for districts, longest alias first (once per context)."""
        if self._place_names is None:
            self._place_names = place_aliases(self.places)
        return self._place_names

    def known_places(self) -> frozenset[str]:
        """Every name of a catalog city or a plan's place (no foreign place), once per context."""
        if self._known is None:
            self._known = frozenset(self.city_names()) | {p.name for p in self.places} \
                | {x for x, _ in self.place_names()}
        return self._known

    @property
    def place_index(self) -> PlaceNames:
        """The cities and districts as questions name them (core.question, which retrieval
        reads too)."""
        if self._place_index is None:
            self._place_index = PlaceNames(
                {d.id: d.city for d in self.docs.values()},
                [(p.name, p.doc_id, p.aliases) for p in self.places if p.kind != "city"])
        return self._place_index

    def in_plans(self, word: str) -> bool:
        """Is the word written in some plan (normalised text)?"""
        if self._plan_norm is None:
            self._plan_norm = "\n".join(norm(t) for t in self.texts.values())
        return norm(word) in self._plan_norm

    def word_uses(self, word: str) -> int:
        """How often the plans write `word` not followed by an administrative suffix
        (市/县/省/区): a word the plans use as vocabulary is no foreign place name."""
        if self._plan_norm is None:
            self.in_plans("")
        w = norm(word)
        return len(re.findall(re.escape(w) + r"(?![市县省区])", self._plan_norm)) if w else 0

    # ---- tokens -------------------------------------------------------------------------
    @property
    def tokenizer(self):
        if self._tok is None:
            tok = private_tokenizer()
            words = list(self.city_names()) + [a for a, _ in self.place_names()]
            words += [lab for _, lab in self._label_index] + list(self.extra_words)
            for w in words:
                w = norm(w)
                if 2 <= len(w) <= 20 and re.fullmatch(r"[\u4e00-\u9fff0-9a-z]+", w):
                    tok.add_word(w, max(tok.suggest_freq(w, False), 10))
            self._tok = tok
        return self._tok

    def words(self, text: str) -> list[str]:
        return [w for w in self.tokenizer.cut(norm(text), HMM=False) if w.strip()]

    def _pos(self):
        if self._postok is None:
            self._postok = pos_tokenizer(self.tokenizer)
        return self._postok

    def pos_words(self, text: str) -> list[tuple[str, str]]:
        return [(p.word, p.flag) for p in self._pos().cut(norm(text), HMM=False)]

    def is_place_word(self, word: str, flag: str) -> bool:
        """jieba tags it a place (ns), or its 市/县/省 form is a dictionary place (嘉兴 -> 嘉兴市)."""
        if flag == "ns":
            return True
        tags = self._pos().word_tag_tab
        return len(word) >= 2 and any(tags.get(word + suf) == "ns" for suf in ("市", "县", "省"))

    def _compute_idf(self, texts: Sequence[str]) -> dict[str, float]:
        self._n_texts = len(texts)
        if not texts:
            return {}
        df: Counter = Counter()
        for t in texts:
            t = norm(t)
            df.update({t[i:i + 2] for i in range(len(t) - 1)})
        n = len(texts)
        return {g: math.log((n + 1) / (c + 0.5)) for g, c in df.items()}

    def weight(self, term: str) -> float:
        """Rarity of a term in the plans: mean IDF of its character bigrams (unseen -> high)."""
        w = self._weights.get(term)
        if w is None:
            if len(self._weights) >= 65536:
                self._weights.clear()
            w = self._weights[term] = self._weight(term)
        return w

    def _weight(self, term: str) -> float:
        t = norm(term)
        if len(t) < 2:
            return 0.3
        if not self._idf:
            return 1.0
        top = math.log((self._n_texts + 1) / 0.5)
        idf = [self._idf.get(t[i:i + 2], top) for i in range(len(t) - 1)]
        # a compound is as specific as its rarest part (垃圾焚烧厂: 焚烧, not 垃圾)
        return (0.5 * sum(idf) / len(idf) + 0.5 * max(idf)) / top

    def vectors(self, keys: Sequence, texts: Sequence[str]) -> Optional[np.ndarray]:
        """Embeddings of texts, cached by key (e.g. a sentence's offsets); None without a model."""
        if self.embed is None:
            return None
        todo = [(k, t) for k, t in zip(keys, texts) if k not in self._vec_cache]
        if todo:
            vecs = self.embed([t for _, t in todo])
            for (k, _), v in zip(todo, vecs):
                self._vec_cache[k] = v
        if not keys:
            return np.zeros((0, 1), dtype=np.float32)
        return np.stack([self._vec_cache[k] for k in keys])

    # ---- indicators ---------------------------------------------------------------------
    def _strip_places(self, label: str) -> str:
        """A label without the plan's own place names (kg.vocabulary.strip_places)."""
        out = self._stripped.get(label)
        if out is None:
            if self._strip_names is None:
                self._strip_names = label_strip_names(self.city_names(), self.places)
            out = strip_places(label, self._strip_names)
            if len(self._stripped) >= 65536:
                self._stripped.clear()
            self._stripped[label] = out
        return out

    def _match_labels(self) -> list[str]:
        if self._mlabels is None:
            self._mlabels = [self._strip_places(lab) for _, lab in self._label_index]
        return self._mlabels

    def _distinct_labels(self) -> list[str]:
        """Match labels scored once each: plans that set the same indicator (and copies of a
        plan) share them once place names are stripped; labels under two characters never
        match."""
        if self._dlabels is None:
            self._dlabels = distinct_forms(self._match_labels())
        return self._dlabels

    def label_vectors(self) -> Optional[np.ndarray]:
        """Embeddings of the distinct match labels (rows follow _distinct_labels())."""
        if self.embed is None or not self._label_index:
            return None
        if self._label_vecs is None:
            labs = self._distinct_labels()
            self._label_vecs = self.embed(labs) if labs else np.zeros((0, 1), dtype=np.float32)
        return self._label_vecs

    def match_indicators(self, terms: Sequence[str],
                         doc_id: Optional[str] = None) -> list[tuple[IndicatorRef, float]]:
        """Indicators ranked by similarity to the question's content words. Each label (without
        place names) is compared with every window of up to three consecutive terms: the F1 of
        their longest common character subsequence, blended with embedding cosine. A label
        written whole inside a window scores at least EXACT. Optionally only indicators that
        `doc_id` sets."""
        terms = [norm(t) for t in terms if t]
        if not self._label_index or not terms:
            return []
        # scores do not depend on doc_id (it only filters), so they are computed once per
        # list of terms and reused (strong_indicator and the value readers ask the same terms)
        key = tuple(terms)
        entry = self._match_cache.get(key)
        if entry is None:
            entry = [self._rank_indicators(terms), None, None]
            if len(self._match_cache) >= 256:
                self._match_cache.clear()
            self._match_cache[key] = entry
        ranked = entry[0]
        if doc_id is None:      # asked once per plan of a comparison: built once (40 ms at 100 plans)
            if entry[2] is None:
                entry[2] = [(self.indicators[i], s) for i, s in ranked]
            return list(entry[2])
        if entry[1] is None:
            # split by plan once: a comparison over many plans asks once per plan, and
            # filtering the whole ranking each time grew as plans x indicators
            by_doc: dict[str, list[tuple[IndicatorRef, float]]] = {}
            for i, s in ranked:
                ref = self.indicators[i]
                for d in dict.fromkeys(ref.doc_ids):
                    by_doc.setdefault(d, []).append((ref, s))
            entry[1] = by_doc
        return list(entry[1].get(doc_id, ()))

    def _label_masks(self) -> list[tuple[dict[str, int], int, str]]:
        """Per distinct match label: bit mask of each character's positions, the all-ones mask
        (the bit-parallel LCS state of qa.text.lcs_len) and its head word; once per context."""
        if self._lmasks is None:
            out = []
            for lab in self._distinct_labels():
                masks: dict[str, int] = {}
                for i, ch in enumerate(lab):
                    masks[ch] = masks.get(ch, 0) | (1 << i)
                out.append((masks, (1 << len(lab)) - 1, _head(lab)))
            self._lmasks = out
        return self._lmasks

    @staticmethod
    def _spans(terms: list[str]) -> list[str]:
        nt = len(terms)
        return list(dict.fromkeys("".join(terms[i:j]) for i in range(nt)
                                  for j in range(i + 1, nt + 1)))

    def window_texts(self, terms: Sequence[str]) -> list[str]:
        """The texts match_indicators(terms) embeds (every window of consecutive terms), so a
        caller can encode them together with its other texts in one batch."""
        if self.embed is None or not self._label_index:
            return []
        return self._spans([norm(t) for t in terms if t])

    def _rank_indicators(self, terms: list[str]) -> list[tuple[int, float]]:
        if not self._distinct_labels():
            return []
        nt = len(terms)
        spans = self._spans(terms)
        span_of = {sp: j for j, sp in enumerate(spans)}
        # each window terms[i:j] extends terms[i:j-1], so one LCS pass per start i serves
        # every window that starts there (same lengths as lcs_len on each window)
        windows = [[span_of["".join(terms[i:j])] for j in range(i + 1, nt + 1)]
                   for i in range(nt)]
        span_heads = [_head(sp) for sp in spans]
        span_lens = [len(sp) for sp in spans]
        whole = "".join(terms)
        vecs = self.label_vectors()
        cos = None
        if vecs is not None:
            cos = (vecs @ self.embed(spans).T).tolist()      # labels x spans
        scores: dict[str, float] = {}
        lmasks = self._label_masks()
        whole_chars = set(whole)
        for k, lab in enumerate(self._distinct_labels()):
            masks, full, lab_head = lmasks[k]
            m = len(lab)
            row = cos[k] if cos is not None else None
            exact = len(lab) >= 3
            s_best = 0.0
            if whole_chars.isdisjoint(masks):
                # no character in common: every LCS is 0, so only the cosine counts
                n_whole = 0
                if row is not None:
                    s_best = max(s_best, 0.55 * max(row))
                nt_run = 0
            else:
                nt_run = nt
            for start in range(nt_run):
                v = full
                for t_i, j in zip(range(start, nt), windows[start]):
                    for ch in terms[t_i]:
                        u = v & masks.get(ch, 0)
                        if u:
                            v = ((v + u) | (v - u)) & full
                    n = m - v.bit_count()
                    f1 = 2 * n / (m + span_lens[j]) if n else 0.0
                    if lab_head and span_heads[j] and lab_head != span_heads[j]:
                        f1 *= HEAD_MISMATCH              # 污水处理厂 is not 污水处理率
                    s = f1 if row is None else 0.45 * f1 + 0.55 * row[j]
                    if exact and lab in spans[j]:
                        s = max(s, EXACT_LABEL)
                    s_best = max(s_best, s)
                if start == 0:
                    n_whole = n                  # the window of all terms is `whole`
            # prefer labels that account for more of the question's content
            s_best += WHOLE_BONUS * n_whole / len(whole)
            if len(lab) <= 3 and lab not in whole:
                s_best = min(s_best, SHORT_LABEL_CAP)     # 完成率 must be written, not guessed
            scores[lab] = s_best
        # each indicator takes its best label's score; best first, ties in indicator order
        ent_i, ent_k = self._label_entries()
        if not len(ent_i):
            return []
        lab_scores = np.array([scores[lab] for lab in self._distinct_labels()], dtype=np.float64)
        best = np.full(len(self.indicators), -np.inf)
        np.maximum.at(best, ent_i, lab_scores[ent_k])
        idx = np.unique(ent_i)
        order = idx[np.argsort(-best[idx], kind="stable")]
        return list(zip(order.tolist(), best[order].tolist()))

    def _label_entries(self) -> tuple[np.ndarray, np.ndarray]:
        """(indicator, distinct-label row) of every label entry that is scored; once."""
        if self._lentries is None:
            row = {lab: k for k, lab in enumerate(self._distinct_labels())}
            pairs = [(i, row[lab]) for (i, _), lab in zip(self._label_index, self._match_labels())
                     if lab in row]
            self._lentries = (np.array([i for i, _ in pairs], dtype=np.int64),
                              np.array([k for _, k in pairs], dtype=np.int64))
        return self._lentries

    def label_in(self, ref: IndicatorRef, text: str) -> str:
        """The longest of the indicator's labels (without place names) written in `text`."""
        if self._labels_of is None:    # indicator -> its match labels
            self._labels_of = {}
            for m, (i, _) in zip(self._match_labels(), self._label_index):
                if len(m) >= 3:
                    self._labels_of.setdefault(id(self.indicators[i]), []).append(m)
        t = norm(text)
        found = [m for m in self._labels_of.get(id(ref), ()) if m in t]
        return max(found, key=len, default="")

    # ---- construction -------------------------------------------------------------------
    @classmethod
    def from_workspace(cls, ws: Workspace, gv: "GraphView") -> "QAContext":
        """The context of a workspace's plans, read through its graph view."""
        corpus = ws.corpus
        docs = {}
        for d in corpus.documents.values():
            per = period_of(str(d.meta.get("period", ""))) or period_of(d.title)
            docs[d.id] = DocInfo(d.id, d.city, d.title, per, str(d.meta.get("issuer", "") or ""))
        places = [Place(d.city, d.id, "city", aliases_of(d.city)) for d in docs.values()]
        places += gv.district_places()
        texts = [p.text for p in corpus.passages]
        return cls(docs=docs, places=places, indicators=gv.indicator_refs(),
                   embed=lambda xs: ws.embedder.encode(list(xs)), idf_source=texts,
                   extra_words=gv.extra_words(),
                   texts={d.id: d.raw_text for d in corpus.documents.values()})
