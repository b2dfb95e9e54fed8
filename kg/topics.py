"""The topic scheme (kg/data/topics.toml): SKOS concepts of city-management topics with cue
words, and the tagging of names and passages with them.

- a name (indicator as written, project name, regulation title) gets the topic of the cue that
  ends last in it (its head: 城市道路亮灯率 is 城市照明); a cue inside a longer cue of another
  topic that also matched does not count (回收利用率 of 生活垃圾分类, not 资源化利用率);
- a passage gets the topics of its text and of its section heading.
A target or project whose name has no cue takes the topics of its evidence clause, then of its
section heading, then the passage's dominant topic (the one with most cue occurrences)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from core.errors import PlanGraphError
from kg.datafile import read_toml
from kg.model import ID, Topic

DATA = Path(__file__).resolve().parent / "data" / "topics.toml"
SCHEME = ID + "scheme/topics"


def topic_iri(slug: str) -> str:
    return f"{ID}topic/{slug}"


@dataclass(frozen=True)
class TopicScheme:
    topics: tuple[Topic, ...]
    _cues: tuple[tuple[str, str], ...]          # (cue, topic iri), longest cue first

    def tag(self, *texts: str) -> list[str]:
        """Topic IRIs of the first text with a cue: the topics of the cue ending last (a
        name's head decides: 城市道路亮灯率 is lighting, not roads)."""
        for text in texts:
            ends = self._ends(text or "")
            if ends:
                last = max(ends.values())
                return [t.iri for t in self.topics if ends.get(t.iri) == last]
        return []

    def dominant(self, text: str) -> list[str]:
        """The topic with the most cue occurrences in `text` ([] when none, or a tie)."""
        counts: dict[str, int] = {}
        for cue, iri in self._cues:
            n = (text or "").count(cue)
            if n:
                counts[iri] = counts.get(iri, 0) + n
        ranked = sorted(counts.items(), key=lambda kv: -kv[1])
        if not ranked or (len(ranked) > 1 and ranked[0][1] == ranked[1][1]):
            return []
        return [ranked[0][0]]

    def tag_all(self, *texts: str) -> list[str]:
        """Topic IRIs of every text together."""
        hits = set().union(*(self._hits(t or "") for t in texts)) if texts else set()
        return [t.iri for t in self.topics if t.iri in hits]

    def _hits(self, text: str) -> set[str]:
        return set(self._ends(text))

    def _ends(self, text: str) -> dict[str, int]:
        """topic iri -> end of its last cue in text (a cue inside a longer matched cue of
        another topic does not count)."""
        taken: list[tuple[int, int]] = []
        out: dict[str, int] = {}
        for cue, iri in self._cues:
            start = text.find(cue)
            while start >= 0:
                end = start + len(cue)
                if not any(a <= start and end <= b for a, b in taken):
                    taken.append((start, end))
                    out[iri] = max(out.get(iri, 0), end)
                start = text.find(cue, start + 1)
        return out


@lru_cache(maxsize=1)
def scheme() -> TopicScheme:
    d = read_toml(DATA)
    topics, cues, seen = [], [], set()
    for t in d.get("topic", []):
        slug = t.get("id", "")
        if not slug or slug in seen or not t.get("zh") or not t.get("cues"):
            raise PlanGraphError(f"kg data file {DATA}: topic {slug!r} needs a unique id, zh and cues")
        seen.add(slug)
        topics.append(Topic(topic_iri(slug), t["zh"], list(t.get("alt", [])), list(t["cues"]),
                            t.get("en", "")))
        cues += [(c, topic_iri(slug)) for c in t["cues"]]
    cues.sort(key=lambda c: -len(c[0]))
    return TopicScheme(tuple(topics), tuple(cues))
