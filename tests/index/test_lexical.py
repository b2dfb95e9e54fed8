"""Lexical index: private jieba dictionary, user words, stop-words, BM25 scoring."""
from __future__ import annotations

import numpy as np

from index.lexical import ChineseTokenizer, LexicalIndex, clean_user_words


def test_lexical_user_dictionary_keeps_term_whole():
    plain = ChineseTokenizer()
    tok = ChineseTokenizer(["管网漏损率"])
    text = "城市供水管网漏损率控制在8%以内"
    assert "管网漏损率" not in plain.tokenize(text)
    assert "管网漏损率" in tok.words(text)
    assert "管网漏损率" in tok.tokenize(text)


def test_lexical_user_words_are_additive():
    """A user word adds the whole term but keeps the plain tokens its parts give."""
    plain = ChineseTokenizer()
    tok = ChineseTokenizer(["城市再生水利用率"])
    text = "城市再生水利用率≥20%"
    assert set(plain.tokenize(text)) <= set(tok.tokenize(text))
    assert "城市再生水利用率" in tok.tokenize(text)


def test_lexical_inner_user_word_found_inside_longer_one():
    tok = ChineseTokenizer(["城市供水管网漏损率", "管网漏损率"])
    toks = tok.tokenize("城市供水管网漏损率")
    assert "城市供水管网漏损率" in toks and "管网漏损率" in toks


def test_lexical_private_dictionary_leaves_global_jieba_alone():
    import jieba
    ChineseTokenizer(["漏损率控制在"])
    assert "漏损率控制在" not in jieba.lcut("漏损率控制在8%以内")


def test_lexical_stopwords_and_punctuation_removed():
    toks = ChineseTokenizer().tokenize("绍兴的公厕建设目标是什么?")
    assert "的" not in toks and "什么" not in toks and "?" not in toks
    assert "公厕" in toks


def test_lexical_full_width_normalised():
    tok = ChineseTokenizer(subwords="none")
    assert tok.tokenize("ＬＥＤ光源50％") == tok.tokenize("LED光源50%")


def test_lexical_clean_user_words_splits_punctuation():
    words = clean_user_words(["《杭州市排水管理办法》", "x", "上虞区", "上虞区"])
    assert words == ["上虞区", "杭州市排水管理办法"]


def test_lexical_bm25_ranks_matching_passage_first(tmp_path):
    texts = ["生活垃圾分类覆盖率达到100%", "城市供水管网漏损率控制在8%以内", "公园绿地服务半径"]
    idx = LexicalIndex.build(texts, ChineseTokenizer(["管网漏损率"]))
    s = idx.scores("管网漏损率目标")
    assert int(np.argmax(s)) == 1
    idx.save(tmp_path / "lex")
    again = LexicalIndex.load(tmp_path / "lex", n=3)
    assert np.allclose(again.scores("管网漏损率目标"), s)
    assert again.tokenizer.user_words == ["管网漏损率"]


def test_lexical_unknown_query_scores_zero():
    idx = LexicalIndex.build(["公园绿地"], ChineseTokenizer())
    assert not idx.scores("宁波").any()
