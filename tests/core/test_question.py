"""core.question: the years and periods a question names, one reading for retrieval and reader."""
from __future__ import annotations

import pytest

from core.question import periods, years


@pytest.mark.parametrize("q", ["二〇二五年垃圾回收率", "2025年垃圾回收率", "到二〇二五年回收率多少"])
def test_periods_see_every_year_the_reader_sees(q):
    assert years(q) == [2025]
    assert periods(q) == {"十四五"}


def test_years_are_never_read_out_of_longer_numbers():
    assert years("处理能力120000吨") == [] and periods("处理能力120000吨") == set()
    assert years("增长2025.5万元, 编号20251") == []
    assert years("1500吨, 2020年到二〇三〇年") == [2020, 2030]
    assert periods("2020年到二〇三〇年") == {"十三五", "十五五"}
