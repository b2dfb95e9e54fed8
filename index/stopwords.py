"""Chinese stop-words for the lexical index: function words and question words.

Kept deliberately small: planning vocabulary such as 安全, 完成, 加强 or 目标 carries meaning
in these documents and stays searchable (bm25s' STOPWORDS_CHINESE drops such words).
"""
from __future__ import annotations

FUNCTION_WORDS = (
    "的 了 和 与 及 以及 或 或者 并 并且 而 且 在 于 对 对于 把 被 将 从 由 向 以 为 为了 "
    "之 其 其中 该 此 这 这个 这些 那 那些 是 有 也 都 又 就 还 等 等等 着 过 个 们 上 下 中 "
    "所 则 即 如 若 但 但是 而且 因此 所以 通过 进行 一个 一些 我 我们 你 你们 他 她 它 "
    "它们 自己 已 已经 要 会 能 可 可以 应 应当 需要 得 地 到 给 让 使 吧 吗 呢 啊 呀 么 嘛"
).split()

QUESTION_WORDS = (
    "什么 什么样 哪 哪个 哪些 哪几 哪几个 哪几部 哪几段 哪几类 哪里 哪儿 多少 多大 多长 几 几个 "
    "如何 怎么 怎样 怎么样 怎么说 为什么 是否 有没有 有无 何 何种 请问 分别 各自 各 一下 具体 "
    "比一比 对比 比较 不同 有何 区别 异同 叫 叫什么 名字 呢"
).split()

STOPWORDS: frozenset[str] = frozenset(FUNCTION_WORDS) | frozenset(QUESTION_WORDS)
