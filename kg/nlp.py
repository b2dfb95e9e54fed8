"""Shared language resources of the extractors: the data files in kg/data, jieba's user
dictionary, the spaCy blank("zh") pipeline (jieba segmenter + EntityRuler), and sentences and
clauses as spans (ingest.sentences' cut).

Nothing happens on import; `load_resources()` builds everything once per build and the
resulting `Resources` object is passed to every extractor.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Optional

from core.errors import PlanGraphError
from core.periods import plan_name
from core.zh import name_key
from core.zh_dict import private_tokenizer
from ingest.sentences import clause_spans, sentence_spans

DATA = Path(__file__).resolve().parent / "data"

# words jieba should keep whole (domain terms it otherwise splits badly)
DOMAIN_WORDS = ["漏损率", "管网", "机扫率", "机械化作业率", "无害化处理率", "资源化利用率",
                "回收利用率", "覆盖率", "普及率", "亮灯率", "完好率", "绿地率", "处理率",
                "利用率", "达标率", "合格率", "污水处理厂", "焚烧厂", "处理中心", "泵站",
                "气源站", "储配库", "储运站", "分拣中心", "综合管廊", "再生水", "天然气",
                "约束性", "预期性", "计划用水", "建成区", "其他", "现代"]
# five-year-plan names kept whole: every one core.periods.PERIOD_RE reads (十一五 … 十九五)
PERIOD_WORDS = [name for name in map(plan_name, range(11, 20)) if name]


@dataclass
class Span:
    start: int          # offset inside the text given to the splitter
    end: int
    text: str


def sentences(text: str) -> list[Span]:
    """Sentences of `text` (ingest.sentences.sentence_spans, the cut answers quote)."""
    return [Span(s, e, text[s:e]) for s, e in sentence_spans(text, 0, len(text))]


def clauses(text: str) -> list[Span]:
    """Clauses of one sentence (ingest.sentences.clause_spans)."""
    return [Span(s, e, text[s:e]) for s, e in clause_spans(text, 0, len(text))]


@dataclass
class Gazetteer:
    """County-level divisions per prefecture city (kg/data/gazetteer.toml)."""
    cities: dict[str, dict]

    def city_key(self, city: str) -> Optional[str]:
        c = city.strip()
        for key, d in self.cities.items():
            if c in (key, d.get("full", "")):
                return key
        return None

    def divisions(self, city: str) -> dict[str, str]:
        """name -> level (区/县/市) for the city's divisions (empty for an unknown city)."""
        key = self.city_key(city)
        if key is None:
            return {}
        d = self.cities[key]
        out = {n: "区" for n in d.get("districts", []) + d.get("former", [])}
        out.update({n: "县" for n in d.get("counties", [])})
        out.update({n: "市" for n in d.get("county_cities", [])})
        return out

    def all_divisions(self) -> dict[str, tuple[str, str]]:
        """name -> (city key, level) over every city."""
        out = {}
        for key in self.cities:
            for n, lv in self.divisions(key).items():
                out[n] = (key, lv)
        return out

    @staticmethod
    def short(name: str) -> str:
        s = re.sub(r"(畲族自治县|自治县|区|县|市)$", "", name)
        return s if len(s) >= 2 else name

    def city_names(self) -> set[str]:
        names = set()
        for key, d in self.cities.items():
            names.update({key, d.get("full", key)})
        return names


@dataclass
class Synonyms:
    """Indicator-name vocabulary (kg/data/synonyms.toml): scope prefixes, term groups, the
    words that mark a measurable quantity, change words, and substance-level unit identities."""
    strip_prefixes: list[str]
    groups: list[list[str]]
    quantity_suffixes: list[str] = field(default_factory=list)
    per_capita_prefixes: list[str] = field(default_factory=list)
    change_words: list[str] = field(default_factory=list)
    needs_subject: list[str] = field(default_factory=list)
    subset_words: list[str] = field(default_factory=list)
    same_dimension: dict[str, list[str]] = field(default_factory=dict)

    @cached_property
    def _rewrites(self) -> list[tuple[str, str]]:
        pairs = [(v, g[0]) for g in self.groups for v in g[1:]]
        return sorted(pairs, key=lambda p: -len(p[0]))

    def strip(self, name: str) -> str:
        changed = True
        while changed:
            changed = False
            for p in sorted(self.strip_prefixes, key=len, reverse=True):
                if name.startswith(p) and len(name) - len(p) >= 2:
                    name, changed = name[len(p):], True
                    break
        return name

    def canonical(self, name: str) -> str:
        """Comparison key of an indicator name: normalised, scope prefixes stripped,
        synonyms rewritten to their canonical term, 的 and bracket notes dropped."""
        n = name_key(name)
        n = re.sub(r"[(（][^()（）]*[)）]", "", n)
        n = n.replace("的", "")
        n = self.strip(n)
        canon = sorted({g[0] for g in self.groups}, key=len, reverse=True)
        out, i = [], 0
        while i < len(n):
            keep = next((c for c in canon if n.startswith(c, i)), None)
            if keep:
                out.append(keep)
                i += len(keep)
                continue
            for v, c in self._rewrites:
                if n.startswith(v, i):
                    out.append(c)
                    i += len(v)
                    break
            else:
                out.append(n[i])
                i += 1
        return "".join(out)


@dataclass
class Categories:
    order: list[str]
    keywords: dict[str, list[str]]

    def of(self, *texts: str) -> str:
        for text in texts:
            if not text:
                continue
            for cat in self.order:
                if any(k in text for k in self.keywords.get(cat, [])):
                    return cat
        return ""


@dataclass
class Resources:
    """Language resources of one build. jieba is private to it: one `jieba.Tokenizer` with the
    domain words, places and cities added, and a `jieba.posseg.POSTokenizer` over it; jieba's
    global dictionary (jieba.dt) is never touched (issue 14)."""
    gazetteer: Gazetteer
    synonyms: Synonyms
    categories: Categories
    _nlp: object = field(default=None, repr=False)
    _jieba: object = field(default=None, repr=False)
    _pos: object = field(default=None, repr=False)

    @property
    def jieba(self):
        """The private jieba.Tokenizer (default dictionary + the domain words)."""
        if self._jieba is None:
            self._jieba = private_jieba(DOMAIN_WORDS + PERIOD_WORDS
                                        + list(self.gazetteer.all_divisions())
                                        + sorted(self.gazetteer.city_names()))
        return self._jieba

    def pos_cut(self, text: str) -> list:
        """Part-of-speech tokens (word, flag) of text by the private tokenizer."""
        if self._pos is None:
            import jieba.posseg
            self._pos = jieba.posseg.POSTokenizer(tokenizer=self.jieba)
        return list(self._pos.cut(text))

    def word_freq(self, word: str) -> int:
        return self.jieba.FREQ.get(word, 0)

    @property
    def nlp(self):
        """spaCy blank('zh') with the (private) jieba segmenter and an EntityRuler for places."""
        if self._nlp is None:
            self._nlp = build_spacy(self.gazetteer, self.jieba)
        return self._nlp

    def tokens(self, text: str) -> list[tuple[str, int]]:
        """jieba tokens (via the spaCy tokenizer) with their character offsets."""
        doc = self.nlp.make_doc(text)
        return [(t.text, t.idx) for t in doc]

    def token_starts(self, text: str) -> set[int]:
        return {i for _, i in self.tokens(text)}


def _read_toml(name: str) -> dict:
    path = DATA / name
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise PlanGraphError(f"kg data file {path}: {e}") from None


def private_jieba(words: list[str]):
    """A jieba.Tokenizer of its own (the default dictionary) with `words` added; jieba's global
    tokenizer and its dictionary stay as they are."""
    tok = private_tokenizer()
    for w in words:
        tok.add_word(w, freq=200000)
    return tok


def build_spacy(gazetteer: Gazetteer, tokenizer):
    import spacy
    divisions = gazetteer.all_divisions()
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    nlp.tokenizer.jieba_seg = tokenizer          # the private tokenizer, not jieba's global one
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "ORTH"})
    patterns = [{"label": "DISTRICT", "pattern": n, "id": f"{c}:{lv}"}
                for n, (c, lv) in divisions.items()]
    patterns += [{"label": "CITY", "pattern": n} for n in sorted(gazetteer.city_names())
                 if len(n) >= 2]
    ruler.add_patterns(patterns)
    return nlp


def load_resources() -> Resources:
    g = _read_toml("gazetteer.toml")
    s = _read_toml("synonyms.toml")
    c = _read_toml("categories.toml")
    return Resources(gazetteer=Gazetteer(g),
                     synonyms=Synonyms(s.get("strip_prefixes", []), s.get("groups", []),
                                       s.get("quantity_suffixes", []),
                                       s.get("per_capita_prefixes", []),
                                       s.get("change_words", []), s.get("needs_subject", []),
                                       s.get("subset_words", []), s.get("same_dimension", {})),
                     categories=Categories(c.get("order", []), c.get("keywords", {})))
