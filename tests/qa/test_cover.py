"""Term coverage (extractive._cover, prepared once per question) against its definition:
rarity-weighted share of the terms found whole, as an abbreviation, or by shared bigrams."""
from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from core.zh import norm
from qa import extractive
from qa.text import bigram_cover
from tests.qa.conftest import make_ctx

CTX = make_ctx(idf_source=["城市生活垃圾回收利用率达到45%", "公共厕所密度", "燃气管网互联互通"])
CHARS = "城市生活垃圾回收利用率公共厕所燃气管网互联通目标达到年 ,。、%0123456789ａＢ"


def reference(terms, text, soft=(), light=frozenset()) -> float:
    """The definition, term by term, with no preparation."""
    t = norm(text)
    total = got = 0.0
    for term, factor in [(x, extractive.LIGHT_WEIGHT if x in light else 1.0) for x in terms] + \
            [(x, extractive.SOFT_WEIGHT) for x in soft]:
        w = CTX.weight(term) * factor
        total += w
        n = norm(term)
        if n in t:
            got += w
        elif 2 <= len(n) <= 4 and re.search(".{0,2}".join(map(re.escape, n)), t):
            got += w * extractive.ABBREV_CREDIT
        elif len(n) >= 2:
            got += w * 0.6 * bigram_cover(n, t)
    return got / total if total else 0.0


words = st.text(alphabet=CHARS, min_size=1, max_size=7)


@settings(max_examples=300, deadline=None)
@given(terms=st.lists(words, max_size=5), soft=st.lists(words, max_size=2),
       text=st.text(alphabet=CHARS, max_size=80), data=st.data())
def test_cover_equals_its_definition(terms, soft, text, data):
    light = frozenset(data.draw(st.lists(st.sampled_from(terms), max_size=2))) if terms else frozenset()
    got = extractive.term_cover(CTX, terms, text, tuple(soft), light)
    assert got == reference(terms, text, tuple(soft), light)


def test_cover_examples():
    assert extractive.term_cover(CTX, ["公厕"], "推进公共厕所建设") == extractive.ABBREV_CREDIT
    assert extractive.term_cover(CTX, ["回收利用率"], "生活垃圾回收利用率达到45%") == 1.0
    assert 0 < extractive.term_cover(CTX, ["垃圾回收率"], "垃圾分类回收") < 1
    assert extractive.term_cover(CTX, [], "任何文字") == 0.0
