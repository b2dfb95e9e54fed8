"""Lexical retrieval: BM25 (bm25s) over jieba tokens with a domain user dictionary.

jieba's module-level dictionary is global state, so every ChineseTokenizer owns a private
`jieba.Tokenizer()`; user words (indicator names, districts, regulation titles, project
names) are added to that instance only, which keeps domain terms such as 管网漏损率 whole.
Long words also yield their dictionary sub-words (jieba's search mode), so a query for
"漏损率" still meets a passage that says "供水管网漏损率".
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from core.errors import ArtifactError
from core.zh import fold
from core.zh_dict import private_tokenizer
from index.stopwords import STOPWORDS

_TOKEN_OK = re.compile(r"[\u4e00-\u9fff0-9a-z]")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
# jieba only keeps runs of these characters together; user words are cut at anything else
_JIEBA_BLOCK = re.compile(r"[\u4e00-\u9fd5a-zA-Z0-9+#&._%\-]+")
MIN_USER_WORD, MAX_USER_WORD = 2, 30


def normalize(text: str) -> str:
    """NFKC (full-width -> half-width, ％ -> %) and lower case (core.zh.fold)."""
    return fold(text)


def clean_user_words(words: Iterable[str]) -> list[str]:
    """Normalised, de-duplicated user-dictionary words; labels with punctuation are split
    into the pieces jieba can keep whole (e.g. 《杭州市…条例》 -> 杭州市…条例)."""
    out: set[str] = set()
    for w in words:
        for piece in _JIEBA_BLOCK.findall(normalize(w or "")):
            if MIN_USER_WORD <= len(piece) <= MAX_USER_WORD and re.search(r"[\u4e00-\u9fff]", piece):
                out.add(piece)
    return sorted(out)


class ChineseTokenizer:
    """jieba tokenizer with a private dictionary, user words and stop-word removal.

    User words are additive: a user word found in the text yields the tokens the plain
    dictionary would have produced *and* the whole word, so a domain term adds a phrase
    match without hiding its parts from queries that word it differently. `subwords`
    adds, for every long word, its dictionary sub-words ("dict"), its character bigrams
    ("bigram"), or nothing ("none")."""

    SUBWORD_MODES = ("none", "dict", "bigram")

    def __init__(self, user_words: Iterable[str] = (), stopwords: Iterable[str] = STOPWORDS,
                 hmm: bool = True, subwords: str = "dict"):
        if subwords not in self.SUBWORD_MODES:
            raise ValueError(f"ChineseTokenizer: subwords={subwords!r}, expected one of "
                             f"{', '.join(self.SUBWORD_MODES)}")
        self.user_words = clean_user_words(user_words)
        self.stopwords = frozenset(normalize(s) for s in stopwords)
        self.hmm, self.subwords = bool(hmm), subwords
        self._jieba = private_tokenizer()
        # how the plain dictionary segments each user word (computed before adding them)
        self._parts = {w: [t for t in self._jieba.cut(w, HMM=self.hmm) if t.strip()]
                       for w in self.user_words}
        users = set(self.user_words)
        # user words inside longer user words (管网漏损率 in 城市供水管网漏损率)
        self._inner = {w: [w[i:j] for i in range(len(w)) for j in range(i + 2, len(w) + 1)
                           if (j - i) < len(w) and w[i:j] in users] for w in self.user_words}
        for w in self.user_words:
            # the suggested frequency guarantees the word is cut out whole
            self._jieba.add_word(w, max(self._jieba.suggest_freq(w, False), 10))

    def words(self, text: str) -> list[str]:
        """Segmentation without sub-words or filtering (for inspection and tests)."""
        return [w for w in self._jieba.cut(normalize(text), HMM=self.hmm) if w.strip()]

    def _expand(self, w: str, out: list[str]) -> None:
        if w in self.stopwords or not _TOKEN_OK.search(w):
            return
        n = len(w)
        if n > 2 and self.subwords == "dict":
            freq = self._jieba.FREQ
            out.extend(w[i:j] for i in range(n - 1) for j in range(i + 2, min(n, i + 13) + 1)
                       if (j - i) < n and freq.get(w[i:j]) and w[i:j] not in self.stopwords)
        elif n > 2 and self.subwords == "bigram" and _CJK_RUN.fullmatch(w):
            out.extend(w[i:i + 2] for i in range(n - 1))
        out.append(w)

    def tokenize(self, text: str) -> list[str]:
        out: list[str] = []
        for w in self._jieba.cut(normalize(text), HMM=self.hmm):
            parts = self._parts.get(w)
            if parts is None or parts == [w]:
                self._expand(w, out)
            else:                     # a user word: its plain-dictionary tokens + the whole word
                for t in parts:
                    self._expand(t, out)
                out.extend(self._inner[w])
                out.append(w)
        return out

    def params(self) -> dict:
        return {"hmm": self.hmm, "subwords": self.subwords, "user_words": len(self.user_words)}


class LexicalIndex:
    """bm25s index over tokenized passages; rows are passage positions 0..n-1."""

    def __init__(self, tokenizer: ChineseTokenizer, bm25, n: int):
        self.tokenizer, self.bm25, self.n = tokenizer, bm25, n

    @classmethod
    def build(cls, texts: Sequence[str], tokenizer: ChineseTokenizer,
              k1: float = 1.2, b: float = 0.75) -> "LexicalIndex":
        import bm25s
        if not texts:
            raise ValueError("LexicalIndex.build: no texts to index")
        tokens = [tokenizer.tokenize(t) or [""] for t in texts]
        bm25 = bm25s.BM25(k1=k1, b=b, method="lucene")
        bm25.index(tokens, show_progress=False)
        return cls(tokenizer, bm25, len(texts))

    def scores(self, query: str, extra_tokens: Sequence[str] = ()) -> np.ndarray:
        """BM25 score of every passage for the query (zeros when no query token is known)."""
        toks = self.tokenizer.tokenize(query) + [t for t in extra_tokens]
        ids = self.bm25.get_tokens_ids([t for t in toks if t])
        if not ids:
            return np.zeros(self.n, dtype=np.float32)
        return np.asarray(self.bm25.get_scores_from_ids(ids), dtype=np.float32)

    def save(self, folder: Path) -> None:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        self.bm25.save(str(folder / "bm25"), show_progress=False)
        (folder / "userdict.txt").write_text("\n".join(self.tokenizer.user_words) + "\n",
                                             encoding="utf-8")

    @classmethod
    def load(cls, folder: Path, n: int, hmm: bool = True, subwords: str = "dict") -> "LexicalIndex":
        import bm25s
        folder = Path(folder)
        try:
            words = (folder / "userdict.txt").read_text(encoding="utf-8").split()
            bm25 = bm25s.BM25.load(str(folder / "bm25"), show_progress=False)
        except (OSError, ValueError) as e:
            raise ArtifactError(f"lexical index in {folder} is unreadable ({e}); "
                                "run `python app.py build --force`") from None
        if int(bm25.scores["num_docs"]) != n:
            raise ArtifactError(f"lexical index in {folder} holds {bm25.scores['num_docs']} "
                                f"passages, expected {n}; run `python app.py build --force`")
        return cls(ChineseTokenizer(words, hmm=hmm, subwords=subwords), bm25, n)

