"""evaluation.kg: precision/recall on a tiny hand-made gold."""
import json

import kg
from evaluation.kg import name_sim, score
from tests.kg.conftest import DATA, make_corpus


def test_scorer_tiny_gold():
    corpus = make_corpus({"tiny": ("绍兴", (DATA / "tiny_plan.txt").read_text(encoding="utf-8"))})
    g = kg.build_graph(corpus)
    gold = json.loads((DATA / "gold_tiny.json").read_text(encoding="utf-8"))
    r = score(gold, g, corpus)
    ind = r["indicators"]
    assert ind["gold"] == 3 and ind["matched"] == 2          # 公园 15 != gold 12
    assert ind["value_accuracy"] == round(2 / 3, 3)
    assert ind["precision"] == round(2 / 3, 3)
    assert r["regulations"]["recall"] == 1.0 and r["regulations"]["status_accuracy"] == 1.0
    assert r["districts"]["recall"] == 1.0
    assert r["projects"]["recall"] == 1.0
    assert r["organizations"]["recall"] == 1.0


def test_scorer_name_similarity():
    assert name_sim("一类", "一类公厕") == 1.0
    assert name_sim("次干路亮灯率", "街巷亮灯率") < 0.5
