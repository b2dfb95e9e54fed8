"""Sentences and windows: split on 。；！？;!? outside quotes/brackets; long text windowed."""
from __future__ import annotations

from ingest.sentences import sentence_windows, split_sentences


def test_sentences_split_respects_quotes_and_brackets():
    text = "他说：“今天下雨。明天晴。”我们走吧！(括号里。不分)好的;ok? 《书名。号》完。"
    got = [text[s:e] for s, e in split_sentences(text)]
    assert got == ["他说：“今天下雨。明天晴。”我们走吧！", "(括号里。不分)好的;", "ok?",
                   "《书名。号》完。"]


def test_sentences_offsets_are_shifted_by_base():
    raw = "前文。" + "第一句。第二句！"
    spans = split_sentences(raw[3:], base_offset=3)
    assert [raw[s:e] for s, e in spans] == ["第一句。", "第二句！"]


def test_sentences_decimal_points_do_not_split():
    text = "管网漏损率≤8.5%,PM2.5下降。"
    assert split_sentences(text) == [(0, len(text))]


def test_sentences_unbalanced_quote_still_splits_long_text():
    text = "“" + "城市管理工作持续推进。" * 40
    spans = split_sentences(text)
    assert len(spans) > 10
    assert "".join(text[s:e] for s, e in spans) == text


def test_sentences_windows_overlap_and_cover_paragraph():
    raw = "引言" + "".join(f"第{i}句话讲的是城市管理第{i}项任务的具体内容和要求。" for i in range(60))
    start, end = 2, len(raw)
    wins = sentence_windows(raw, start, end, max_chars=200, overlap_chars=40)
    assert len(wins) > 3
    assert wins[0][0] == start and wins[-1][1] == end
    for (a1, b1), (a2, b2) in zip(wins, wins[1:]):
        assert a2 < b1, "consecutive windows overlap"
        assert a2 > a1, "windows advance"
    assert all(b - a <= 200 for a, b in wins)


def test_sentences_overlong_sentence_is_split_not_truncated():
    raw = "，".join(["推进生活垃圾分类处理设施建设"] * 60) + "。"
    wins = sentence_windows(raw, 0, len(raw), max_chars=100, overlap_chars=20)
    assert all(b - a <= 100 for a, b in wins)
    covered = set()
    for a, b in wins:
        covered.update(range(a, b))
    assert covered == set(range(len(raw)))


def test_sentences_long_real_paragraphs_are_windowed(real_corpus, ingest_cfg):
    wins = [p for p in real_corpus.passages if p.kind == "sentence-window"]
    assert wins
    units: dict[tuple, list] = {}
    for p in wins:
        units.setdefault((p.doc_id, tuple(p.meta["unit"])), []).append(p)
    for (doc_id, (s, e)), ps in units.items():
        raw = real_corpus.raw(doc_id)
        assert e - s > len(ps[0].text) - 1
        covered = set()
        for p in ps:
            covered.update(range(p.start, p.end))
        missing = [i for i in range(s, e) if i not in covered and not raw[i].isspace()]
        assert not missing
        ps.sort(key=lambda p: p.start)
        assert all(b.start < a.end for a, b in zip(ps, ps[1:]))


def test_sentences_long_enumerations_become_list_items(real_corpus):
    import re
    items = [p for p in real_corpus.passages if p.kind == "list_item"]
    assert items
    groups: dict[tuple, list] = {}
    for p in items:
        assert re.match(r"[一二三四五六七八九十]+是|[(（]\d+[)）]|[①-⑩]|(另)?一方面", p.text), p.text
    for p in real_corpus.passages:               # long items are windowed, keeping "item"
        if "item" in p.meta:
            groups.setdefault((p.doc_id, tuple(p.meta["paragraph"])), []).append(p)
    for (doc_id, (s, e)), ps in groups.items():
        assert e - s > 450                       # only long paragraphs are split into items
        nums = sorted({p.meta["item"] for p in ps})
        assert nums == list(range(nums[0], nums[0] + len(nums)))
        assert all(s <= p.start and p.end <= e for p in ps)


def test_sentences_short_enumerations_are_recorded_as_sub_spans(real_corpus):
    paras = [p for p in real_corpus.passages if p.kind == "paragraph" and p.meta.get("items")]
    assert paras
    for p in paras:
        spans = p.meta["items"]
        assert len(spans) >= 2
        assert all(p.start <= a < b <= p.end for a, b in spans)
        second = real_corpus.raw(p.doc_id)[spans[1][0]:spans[1][1]]
        assert second.startswith(("二是", "另一方面", "(2)", "（2）", "②"))
