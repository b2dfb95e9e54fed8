"""Value-quality figures of `eval --kg` (evaluation/kg_quality.py) and the hand-made gold files."""
import json
from pathlib import Path
from types import SimpleNamespace as NS

from evaluation import kg_quality

GOLD = Path(__file__).resolve().parents[2] / "evaluation" / "gold"
CORPORA = Path(__file__).resolve().parents[2] / "corpora"


def _t(kind, year=None, period=None, scope=""):
    return NS(value_kind=kind, year=year, period=period, scope=scope)


def test_value_quality_counts_kinds_periods_scopes_and_review_targets():
    gold = [{"name": "a", "kind": "target", "year_or_period": "十四五", "scope": "全市"},
            {"name": "b", "source": "现状值", "year_or_period": "2019年", "scope": ""},
            {"name": "c", "source": "正文目标", "year_or_period": "2025年"},
            {"name": "d", "source": "现状值", "year_or_period": "十三五"}]
    ts = [_t("target", period="十四五", scope="全市"), _t("target", year=2019), _t("milestone", 2023),
          _t("status", period="十三五")]
    q = kg_quality.value_quality(gold, ts, [(0, 0, True), (1, 1, True), (2, 2, True), (3, 3, False)])
    assert q["forward_gold"] == 2 and q["forward_recall"] == 1.0
    assert q["review_as_target"] == 1                 # b: a past value called a target
    assert q["kind_accuracy"] == round(2 / 3, 3)
    assert q["period_accuracy"] == round(2 / 3, 3)    # c: 2023 is not 2025
    assert q["scope_accuracy"] == 1.0 and q["kind4_accuracy"] == 1.0


def test_hangzhou_gold_quotes_are_in_the_plan_and_kinds_are_known():
    gold = json.loads((GOLD / "kg_gold_hangzhou.json").read_text(encoding="utf-8"))
    raw = (CORPORA / "hangzhou-city-management-14th-fyp.txt").read_text(encoding="utf-8")
    rows = gold["indicators"]
    assert len(rows) >= 80
    for r in rows:
        assert r["quote"] in raw, r["name"]
        assert r["kind"] in ("baseline", "status", "target", "milestone")
    assert sum(r["kind"] in ("target", "milestone") for r in rows) >= 30


def test_label_samples_are_large_enough():
    names = json.loads((GOLD / "kg_names_sample.json").read_text(encoding="utf-8"))["items"]
    assert len(names) >= 80 and {n["doc"] for n in names} == {"hangzhou", "shaoxing"}
    assert all(n["ok"] or n.get("note") for n in names)
