from index.embedder import CachingEmbedder, HashEmbedderFake


class CountingFake(HashEmbedderFake):
    """FAKE embedder that counts how many texts it was asked to encode."""

    def __init__(self):
        super().__init__(dim=16)
        self.calls = 0

    def encode(self, texts, progress=False):
        self.calls += len(texts)
        return super().encode(texts, progress)


def test_caching_embedder_encodes_each_text_once_and_keeps_order():
    inner = CountingFake()
    emb = CachingEmbedder(inner)
    a = emb.encode(["甲", "乙", "甲"])
    b = emb.encode(["乙", "丙"])
    assert inner.calls == 3
    assert (a[0] == a[2]).all() and (a[1] == b[0]).all()
    assert (b[1] == inner.encode(["丙"])[0]).all()


def test_caching_embedder_is_bounded():
    emb = CachingEmbedder(CountingFake(), max_items=2)
    emb.encode(["a", "b", "c"])
    assert len(emb._memo) == 2
