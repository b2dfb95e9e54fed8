"""Fixtures of the QA tests: a small QAContext built from plain records (no graph, no model),
with invented plan ids so nothing depends on the shipped plans."""
from __future__ import annotations

import pytest

from qa.context import DocInfo, IndicatorRef, Place, QAContext, aliases_of


def make_ctx(embed=None, idf_source=()) -> QAContext:
    docs = {"wz": DocInfo("wz", "温州", "温州市城市管理“十四五”规划", (2021, 2025)),
            "hz": DocInfo("hz", "湖州", "湖州市城市管理“十四五”规划", (2021, 2025))}
    places = [Place(n, "wz", "district", aliases_of(n)) for n in ("鹿城区", "瑞安市", "永嘉县")]
    places += [Place(n, "hz", "district", aliases_of(n)) for n in ("吴兴区", "德清县")]
    indicators = [IndicatorRef("i1", ("城市供水管网漏损率", "管网漏损率"), ("wz", "hz")),
                  IndicatorRef("i2", ("建成区绿地率",), ("wz",)),
                  IndicatorRef("i3", ("建成区绿化覆盖率",), ("wz",)),
                  IndicatorRef("i4", ("生活垃圾回收利用率",), ("wz",))]
    return QAContext(docs=docs, places=places, indicators=indicators, embed=embed,
                     idf_source=list(idf_source))


@pytest.fixture(scope="session")
def small_ctx() -> QAContext:
    return make_ctx()
