from index.encoders import CachingEmbedder
from index.encoders.caching import length_groups
from tests.fakes import CountingEmbedderFake


def test_caching_embedder_encodes_each_text_once_and_keeps_order():
    inner = CountingEmbedderFake(dim=16)
    emb = CachingEmbedder(inner)
    a = emb.encode(["甲", "乙", "甲"])
    b = emb.encode(["乙", "丙"])
    assert inner.encoded == 3
    assert (a[0] == a[2]).all() and (a[1] == b[0]).all()
    assert (b[1] == inner.encode(["丙"])[0]).all()


def test_caching_embedder_is_bounded():
    emb = CachingEmbedder(CountingEmbedderFake(dim=16), max_items=2)
    emb.encode(["a", "b", "c"])
    assert len(emb._memo) == 2


def test_length_groups_cover_every_index_once():
    lengths = [3, 30, 4, 5, 28, 2, 31]
    groups = length_groups(lengths, overhead=20)
    assert sorted(i for g in groups for i in g) == list(range(len(lengths)))


def test_length_groups_separate_short_from_long_texts():
    lengths = [3, 30, 4, 5, 28, 2, 31]
    groups = length_groups(lengths, overhead=20)
    assert len(groups) == 2
    short = {i for i, n in enumerate(lengths) if n < 10}
    assert {frozenset(g) for g in groups} == {frozenset(short),
                                             frozenset(set(range(len(lengths))) - short)}


def test_length_groups_keep_one_batch_when_calls_are_expensive():
    assert len(length_groups([3, 30, 4], overhead=10_000)) == 1


def test_caching_embedder_batches_by_length_with_same_vectors():
    inner = CountingEmbedderFake(dim=16)
    texts = ["甲乙", "一二三四五六七八九十" * 5, "丙丁", "戊己庚"]
    got = CachingEmbedder(inner).encode(texts)
    assert (got == inner.encode(texts)).all()
