"""The reader's lexicons, read from data files (qa/data/): cue words per intent, period and
quantity words (cues.toml), and the domain thesaurus that maps officials' words to the plans'
words (thesaurus.tsv: ``colloquial<TAB>plan_term<TAB>note``).

    lex = load_lexicon()                     # the shipped files
    text, rewrites = lex.rewrite("大马路上的路灯黑灯瞎火")
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable, Optional

from core.errors import ConfigError

DATA = Path(__file__).parent / "data"
KEEP = re.compile(r"\d|多少|几")


@dataclass(frozen=True)
class Rewrite:
    """One thesaurus substitution applied to a question (shown in the trace)."""
    said: str
    plan_term: str
    at: int


@dataclass(frozen=True)
class Lexicon:
    cues: dict                                    # the parsed cues.toml
    thesaurus: tuple[tuple[str, str], ...] = ()   # (colloquial, plan term), longest first
    version: str = ""
    _plan_terms: frozenset = field(default=frozenset(), compare=False)
    units: tuple[tuple[str, str], ...] = ()       # (unit, family), longest unit first

    def words(self, section: str, key: str) -> tuple[str, ...]:
        try:
            return tuple(self.cues[section][key])
        except KeyError:
            raise ConfigError(f"lexicon: cues.toml has no [{section}] {key}") from None

    def pattern(self, section: str, key: str) -> "re.Pattern":
        return _compile(self.cues[section][key])

    def any_in(self, text: str, section: str, key: str) -> bool:
        return any(w in text for w in self.words(section, key))

    def found(self, text: str, section: str, key: str) -> list[str]:
        return [w for w in self.words(section, key) if w in text]

    def rewrite(self, text: str, in_plans: Callable[[str], bool] = lambda w: False
                ) -> tuple[str, list[Rewrite]]:
        """Officials' words replaced by the plans' words, longest entries first. A word is
        left alone where the plans write it themselves (`in_plans`), where a plan term
        already covers it (公共厕所 is not rewritten for 厕所), and where it holds a number
        or a question word (多少, 几), which the question's slots need."""
        out: list[Rewrite] = []
        taken = [False] * len(text)
        pieces: dict[int, tuple[int, str]] = {}
        for said, term in self.thesaurus:
            if said not in text or KEEP.search(said) or in_plans(said):
                continue
            start = 0
            while True:
                i = text.find(said, start)
                if i < 0:
                    break
                j = i + len(said)
                start = j
                if any(taken[i:j]) or _inside_term(text, i, j, term, self._plan_terms):
                    continue
                for k in range(i, j):
                    taken[k] = True
                pieces[i] = (j, term)
                out.append(Rewrite(said, term, i))
        if not pieces:
            return text, []
        buf, k = [], 0
        for i in sorted(pieces):
            j, term = pieces[i]
            buf.append(text[k:i])
            buf.append(term)
            k = j
        buf.append(text[k:])
        return "".join(buf), sorted(out, key=lambda r: r.at)


def _inside_term(text: str, i: int, j: int, term: str, plan_terms: frozenset) -> bool:
    """Does text[i:j] sit inside a plan term written in the text (厕所 in 公共厕所)?"""
    if term in text[max(0, i - len(term)):j + len(term)]:
        return True
    lo, hi = max(0, i - 4), min(len(text), j + 4)
    window = text[lo:hi]
    return any(len(t) > j - i and t in window and window.find(t) <= i - lo
               and window.find(t) + len(t) >= j - lo for t in plan_terms)


@lru_cache(maxsize=64)
def _compile(expr: str) -> "re.Pattern":
    return re.compile(expr)


def read_thesaurus(path: Path) -> tuple[tuple[str, str], ...]:
    """(colloquial, plan term) pairs of a thesaurus file; `#` starts a comment."""
    pairs: dict[str, str] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return ()
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"thesaurus {path}: cannot read ({e})") from None
    for n, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) < 2 or not cols[0].strip() or not cols[1].strip():
            raise ConfigError(f"thesaurus {path}:{n}: expected colloquial<TAB>plan_term")
        said, term = cols[0].strip(), cols[1].strip()
        if said != term:
            pairs.setdefault(said, term)
    return tuple(sorted(pairs.items(), key=lambda kv: -len(kv[0])))


def load_lexicon(data_dir: Optional[Path] = None) -> Lexicon:
    d = Path(data_dir) if data_dir else DATA
    return _load(str(d))


@lru_cache(maxsize=8)
def _load(d: str) -> Lexicon:
    path = Path(d) / "cues.toml"
    try:
        cues = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise ConfigError(f"lexicon {path}: cannot read ({e})") from None
    th = read_thesaurus(Path(d) / "thesaurus.tsv")
    units = tuple(sorted(((u, fam) for fam, us in cues.get("units", {}).items() for u in us),
                         key=lambda p: -len(p[0])))
    return Lexicon(cues=cues, thesaurus=th, version=str(cues.get("version", "")),
                   _plan_terms=frozenset(t for _, t in th), units=units)
