"""Property test: any mix of headings, prose, tables, spam and odd whitespace ingests with
valid offsets, unique ids and no spam inside passages."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FRAGMENTS = [
    "一、总体要求", "（二）主要任务", "(三)保障措施", "1、加强环境卫生管理", "(2)完善设施",
    "第一章 总则", "第二节 市政设施", "①推进改造",
    "1、提高垃圾综合治理绩效。推进“无废城市”建设。",
    "推进生活垃圾分类,覆盖率达到100%。", "一是加强管理；二是完善机制；三是强化考核。",
    "“十三五”期间,累计完成改造26公里(其中主干道10公里)。",
    "类别 | 序号 | 指标名称 | 目标值 |", "环境卫生 | 1 | 生活垃圾分类覆盖率 | 100% |",
    "2 | 生活垃圾回收利用率 | 65% |", "合计 |", "|", "| 17.7 |", "指标｜单位｜目标｜",
    "贴心式365bet娱乐场官网修复", "依托CIM平台和5G物联网,推进LNG应急气源站建设。",
    "加强" + "城市管理工作的精细化水平," * 30 + "实现长效管理。",
    "“未闭合的引号开始" + "持续推进。" * 30,
    "", "  ", "\u3000\u3000", "\r",
]


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=st.lists(st.tuples(st.sampled_from(FRAGMENTS), st.sampled_from(["", "  ", "\t"]),
                                st.sampled_from(["\n", "\n\n", "\r\n", ""])),
                      min_size=1, max_size=25))
def test_document_random_documents(ingest_text, parts):
    raw = "城市管理规划\n" + "".join(indent + frag + nl for frag, indent, nl in parts)
    c = ingest_text(raw)
    ids = [p.id for p in c.passages]
    assert len(ids) == len(set(ids))
    for p in c.passages:
        assert raw[p.start:p.end] == p.text and p.text.strip() == p.text
        sec = c.section(p.section_id)
        assert sec is not None and sec.start <= p.start and p.end <= sec.end
        for s in c.spam:
            assert p.end <= s.start or p.start >= s.end
    for s in c.sections:
        assert 0 <= s.start < s.end <= len(raw)
        assert raw[s.start:s.end].startswith(s.number)
