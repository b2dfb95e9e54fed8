"""Private jieba tokenizers without re-reading jieba's dictionary for each one.

Every component that segments text owns a private `jieba.Tokenizer` (jieba's global one is
shared state that other code adds words to). Initialising a tokenizer reads jieba's default
prefix dictionary (~500 000 entries, ~0.5 s); a POS tagger over it reads the word-tag table
(~0.2 s). Both are read-only data of the installed jieba package, so they are read once per
process (a cached constant, never handed out) and each tokenizer gets its own copy (~10 ms).
POS tags come from the dictionary alone (jieba's HMM=False), without importing jieba.posseg.
The retriever and question answering both build a tokenizer: `ask` starts ~1 s faster.
"""
from __future__ import annotations

import functools
import logging
import re
from contextlib import contextmanager
from typing import Any, Iterator, NamedTuple


@contextmanager
def quiet_jieba() -> Iterator[None]:
    """jieba logs its dictionary loading at INFO; keep it quiet while loading."""
    log = logging.getLogger("jieba")
    level = log.level
    log.setLevel(logging.WARNING)
    try:
        yield
    finally:
        log.setLevel(level)


@functools.cache
def _base_dictionary() -> tuple[dict, int]:
    import jieba
    tok = jieba.Tokenizer()
    with quiet_jieba():
        tok.initialize()
    return tok.FREQ, tok.total


@functools.cache
def _base_tags() -> dict:
    """jieba's default word -> POS tag table, parsed from its dictionary file (word freq tag)."""
    import jieba
    with jieba.Tokenizer().get_dict_file() as f:
        text = f.read().decode("utf-8")
    rows = (line.strip().split(" ") for line in text.splitlines())
    return {r[0]: r[2] for r in rows if len(r) == 3}


def private_tokenizer() -> Any:
    """A new jieba.Tokenizer over jieba's default dictionary, ready to use; add_word on it
    changes only this tokenizer."""
    import jieba
    freq, total = _base_dictionary()
    tok = jieba.Tokenizer()
    tok.FREQ, tok.total, tok.initialized = dict(freq), total, True
    return tok


class Pair(NamedTuple):
    word: str
    flag: str


_HAN = re.compile("([\u4E00-\u9FD5a-zA-Z0-9+#&\\._]+)")
_SKIP = re.compile("(\r\n|\\s)")
_ENG = re.compile("[a-zA-Z0-9]+")
_NUM = re.compile("[\\.0-9]+")
_ENG1 = re.compile("^[a-zA-Z0-9]$")


class DictPosTokenizer:
    """POS tagging from the dictionary alone: what jieba.posseg.POSTokenizer.cut(text,
    HMM=False) gives (tests compare the two), without importing jieba.posseg, whose HMM
    tables (unused without HMM) take ~0.35 s to import."""

    def __init__(self, tokenizer: Any, word_tag_tab: dict):
        self.tokenizer = tokenizer
        self.word_tag_tab = word_tag_tab

    def _user_tags(self) -> None:
        if self.tokenizer.user_word_tag_tab:
            self.word_tag_tab.update(self.tokenizer.user_word_tag_tab)
            self.tokenizer.user_word_tag_tab = {}

    def _cut_dag(self, sentence: str) -> Iterator[Pair]:
        dag = self.tokenizer.get_DAG(sentence)
        route: dict = {}
        self.tokenizer.calc(sentence, dag, route)
        x, n, buf = 0, len(sentence), ""
        while x < n:
            y = route[x][1] + 1
            word = sentence[x:y]
            if _ENG1.match(word):
                buf += word
            else:
                if buf:
                    yield Pair(buf, "eng")
                    buf = ""
                yield Pair(word, self.word_tag_tab.get(word, "x"))
            x = y
        if buf:
            yield Pair(buf, "eng")

    def cut(self, sentence: str, HMM: bool = False) -> Iterator[Pair]:  # noqa: N803 - jieba's name
        if HMM:
            raise ValueError("DictPosTokenizer tags from the dictionary only (HMM=False)")
        self._user_tags()
        for blk in _HAN.split(sentence):
            if _HAN.match(blk):
                yield from self._cut_dag(blk)
                continue
            for x in _SKIP.split(blk):
                if _SKIP.match(x):
                    yield Pair(x, "x")
                    continue
                for ch in x:
                    yield Pair(ch, "m" if _NUM.match(ch) else "eng" if _ENG.match(x) else "x")


def pos_tokenizer(tokenizer: Any) -> DictPosTokenizer:
    """A dictionary-only POS tagger over `tokenizer` (e.g. one from private_tokenizer) with its
    own copy of the default word-tag table."""
    return DictPosTokenizer(tokenizer, dict(_base_tags()))
