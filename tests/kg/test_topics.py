"""The topic scheme (kg/data/topics.toml) and topic tagging: on invented names and the real
plans, and the comparison by topic where plans share no indicator."""
from types import SimpleNamespace

from kg.topics import scheme, topic_iri


def test_scheme_is_data_with_enough_topics_and_cues():
    s = scheme()
    assert len(s.topics) >= 25
    assert all(t.cues and t.pref_label and t.en_label for t in s.topics)
    assert len({t.iri for t in s.topics}) == len(s.topics)


def test_tagging_names_prefers_the_longer_cue():
    s = scheme()
    assert s.tag("生活垃圾回收利用率") == [topic_iri("waste-sorting")]
    assert s.tag("生活垃圾资源化利用率") == [topic_iri("waste-treatment")]
    assert s.tag("《某市养犬管理条例》") == [topic_iri("dogs")]
    assert s.tag("完成率", "推进老旧小区二次供水改造") == [topic_iri("water-supply")]
    assert s.tag("完成率") == []


def test_invented_plan_targets_projects_regulations_passages_tagged(inv_graph):
    g = inv_graph
    by_name = {t.name_as_written: t for t in g.targets()}
    assert by_name["城市供水管网漏损率"].topics == [topic_iri("water-supply")]
    assert topic_iri("public-toilets") in by_name["中心城区公共厕所数量"].topics
    assert all(t.topics for t in g.targets() if "重大项目" not in t.name_as_written)  # totals: none
    assert all(p.topics for p in g.projects())
    reg = next(r for r in g.regulations() if "生活垃圾" in r.title)
    assert reg.topics
    assert any(topic_iri("utility-tunnels") in g.passage_topics(t.passage_id) for t in g.targets())
    ind = next(i for i in g.indicators() if i.pref_label == "城市供水管网漏损率")
    assert ind.topics == [topic_iri("water-supply")]
    assert {t.iri for t in g.topics()} == {t.iri for t in scheme().topics}


def test_real_plans_meet_on_twenty_topics(real_graph, corpus):
    docs = {}
    for x in list(real_graph.targets()) + list(real_graph.projects()) + list(real_graph.regulations()):
        for tp in x.topics:
            docs.setdefault(tp, set()).add(x.doc_id)
    for p in corpus.passages:
        for tp in real_graph.passage_topics(p.id):
            docs.setdefault(tp, set()).add(p.doc_id)
    assert sum(1 for v in docs.values() if len(v) == 2) >= 20


def test_compare_by_topic_shows_both_plans_without_a_shared_indicator(real_graph, corpus):
    from web.ui.data import UIData
    data = UIData(SimpleNamespace(graph=real_graph, corpus=corpus))
    iri = topic_iri("parking")
    shared = {i.iri for i in real_graph.indicators() if len(i.doc_ids) > 1}
    result = data.compare([], topic_iri=iri)
    assert not {i.iri for i in data.topic_indicators(iri)} & shared
    data.topic_measures(result, iri)
    assert set(result.passages) == {"hangzhou", "shaoxing"}
    for ns in result.passages.values():
        for n in ns:
            c = result.citations[n - 1]
            assert corpus.raw(c.doc)[c.start:c.end] == c.quote
