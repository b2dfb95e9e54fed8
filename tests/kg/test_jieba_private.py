"""Extraction keeps jieba private (issue 14): a build adds its domain words to its own
tokenizer, and jieba's global dictionary is the same after a build as before."""
import jieba
import jieba.posseg

import kg
from tests.kg.conftest import make_corpus, snippet


def test_build_leaves_jiebas_global_dictionary_untouched(res):
    jieba.setLogLevel(60)
    jieba.dt.initialize()
    before = (len(jieba.dt.FREQ), jieba.dt.total, dict(jieba.dt.user_word_tag_tab))
    probe = {w: jieba.dt.FREQ.get(w) for w in ("机械化作业率", "柯桥区", "无害化处理率", "约束性")}
    cut_before = jieba.lcut("城市道路机械化作业率达到85%以上")
    text = "\n".join(snippet(n) for n in ("targets_text.txt", "table_key.txt", "projects_text.txt"))
    g = kg.build_graph(make_corpus({"sx": ("绍兴", text)}))
    assert g.targets() and g.projects()
    assert (len(jieba.dt.FREQ), jieba.dt.total, dict(jieba.dt.user_word_tag_tab)) == before
    assert {w: jieba.dt.FREQ.get(w) for w in probe} == probe
    assert jieba.lcut("城市道路机械化作业率达到85%以上") == cut_before
    assert jieba.posseg.dt.tokenizer is jieba.dt


def test_private_tokenizer_knows_the_domain_words(res):
    assert "机械化作业率" in [t for t, _ in res.tokens("城市道路机械化作业率达到85%")]
    assert res.word_freq("柯桥区") >= 200000
    for name in ("十四五", "十五五", "十六五"):                 # every plan's period, not two
        assert name in [t for t, _ in res.tokens(f"“{name}”期间城市管理目标")]
    assert res.jieba is not jieba.dt and res.nlp.tokenizer.jieba_seg is res.jieba
