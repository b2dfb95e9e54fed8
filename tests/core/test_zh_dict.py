"""core.zh_dict: private jieba tokenizers copied from one read of the default dictionary
segment and tag exactly as freshly initialised ones, and stay private."""
from __future__ import annotations

import jieba
import jieba.posseg as pseg

from core.zh_dict import pos_tokenizer, private_tokenizer

TEXT = "绍兴市柯桥区到2025年生活垃圾回收利用率达到60%以上，嘉兴和宁波也在推进垃圾分类"


def test_private_tokenizer_equals_a_fresh_one():
    fresh = jieba.Tokenizer()
    fresh.initialize()
    mine = private_tokenizer()
    assert mine.FREQ == fresh.FREQ and mine.total == fresh.total
    assert list(mine.cut(TEXT, HMM=False)) == list(fresh.cut(TEXT, HMM=False))
    pos_mine, pos_fresh = pos_tokenizer(mine), pseg.POSTokenizer(fresh)
    assert pos_mine.word_tag_tab == pos_fresh.word_tag_tab
    assert ([(p.word, p.flag) for p in pos_mine.cut(TEXT, HMM=False)]
            == [(p.word, p.flag) for p in pos_fresh.cut(TEXT, HMM=False)])


def test_private_tokenizers_do_not_share_words_or_tags():
    a, b = private_tokenizer(), private_tokenizer()
    a.add_word("回收利用率目标值", 100000, tag="n")
    pa = pos_tokenizer(a)
    assert [p.word for p in pa.cut("回收利用率目标值", HMM=False)] == ["回收利用率目标值"]
    assert "回收利用率目标值" not in b.FREQ and "回收利用率目标值" not in jieba.dt.FREQ
    assert "回收利用率目标值" not in pos_tokenizer(b).word_tag_tab
    assert "回收利用率目标值" not in pseg.dt.word_tag_tab


def test_dictionary_pos_tagging_equals_jiebas_without_hmm(corpus):
    """Every passage of the shipped plans (plus mixed scripts) tags alike."""
    mine, ref = private_tokenizer(), jieba.Tokenizer()
    ref.initialize()
    for t in (mine, ref):
        t.add_word("城市供水管网漏损率", 50000, tag="nz")
    pos_mine, pos_ref = pos_tokenizer(mine), pseg.POSTokenizer(ref)
    texts = [p.text for p in corpus.passages] + ["ＡＢＣ abc 12.5% GDP年均增长6.5%\r\n第2条 x+y#z", ""]
    for text in texts:
        assert ([(p.word, p.flag) for p in pos_mine.cut(text, HMM=False)]
                == [(p.word, p.flag) for p in pos_ref.cut(text, HMM=False)]), text
