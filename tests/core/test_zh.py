"""core.zh: the ways a catalog city is written."""
from __future__ import annotations

from core.zh import city_names


def test_city_names_with_and_without_suffix():
    assert set(city_names([("sx", "绍兴")])) == {"绍兴", "绍兴市"}
    assert set(city_names([("hz", "杭州市")])) == {"杭州", "杭州市"}
