"""The question sets in evaluation/questions/ pass their checker, and the checker catches
the mistakes it is there to catch (fast: no model, no build)."""
from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT

CHECK = ROOT / "evaluation" / "questions" / "check.py"
QUOTE = "规划期限为2021-2025年,基期为2020年"


def _run(*args):
    return subprocess.run([sys.executable, str(CHECK), *map(str, args)], capture_output=True,
                          text=True, timeout=60)


def _row(**kw):
    row = {"id": "t-1", "split": "train", "type": "fact", "intent": "fact", "style": "plan",
           "city": "绍兴", "question": "规划期限是哪几年?", "answer": "2021-2025年。",
           "answer_values": ["2021-2025年"], "evidence": [{"doc": "shaoxing", "quote": QUOTE}]}
    return {**row, **kw}


def _write(tmp_path, *rows):
    p = tmp_path / "t.jsonl"
    p.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return p


def test_question_sets_repository_sets_pass():
    sets = sorted((ROOT / "evaluation" / "questions").glob("*.jsonl"))
    assert sets, "no question sets found"
    r = _run()
    assert r.returncode == 0, r.stderr
    assert "0 problem(s)" in r.stdout and "split: " in r.stdout


def test_question_sets_shaoxing_covers_every_type_in_both_splits():
    rows = [json.loads(x) for x in (ROOT / "evaluation" / "questions" / "shaoxing.jsonl")
            .read_text(encoding="utf-8").splitlines() if x.strip()]
    assert len(rows) >= 180
    for split in ("train", "val"):
        types = {r["type"] for r in rows if r["split"] == split}
        assert {"indicator", "fact", "list", "project", "regulation", "district", "explain",
                "multi", "abstain"} <= types, split


def test_question_sets_checker_accepts_a_good_row(tmp_path):
    r = _run(_write(tmp_path, _row()))
    assert r.returncode == 0, r.stderr


def test_question_sets_checker_rejects_a_quote_not_in_the_plan(tmp_path):
    bad = _row(evidence=[{"doc": "shaoxing", "quote": QUOTE.replace("2020", "2019")}])
    r = _run(_write(tmp_path, bad))
    assert r.returncode == 1 and "quote not in shaoxing" in r.stderr


def test_question_sets_checker_rejects_unknown_doc_and_enum(tmp_path):
    bad = _row(style="slang", evidence=[{"doc": "ningbo", "quote": QUOTE}])
    r = _run(_write(tmp_path, bad))
    assert r.returncode == 1 and "unknown doc 'ningbo'" in r.stderr and "style='slang'" in r.stderr


def test_question_sets_checker_rejects_duplicate_ids_and_questions(tmp_path):
    r = _run(_write(tmp_path, _row(), _row()))
    assert r.returncode == 1 and "id 't-1' used 2 times" in r.stderr
    assert "question asked 2 times" in r.stderr


def test_question_sets_checker_rejects_abstain_with_values(tmp_path):
    bad = _row(type="abstain", intent="none", style="near_miss")
    r = _run(_write(tmp_path, bad))
    assert r.returncode == 1 and "abstain goes with intent none" in r.stderr


def test_question_sets_checker_rejects_value_missing_from_answer(tmp_path):
    r = _run(_write(tmp_path, _row(answer_values=["2020年", "2030年"])))
    assert r.returncode == 1 and "value '2030年' not in the reference answer" in r.stderr


def test_question_sets_checker_reports_bad_json_in_one_line(tmp_path):
    p = tmp_path / "t.jsonl"
    p.write_text("{not json\n", encoding="utf-8")
    r = _run(p)
    assert r.returncode == 1 and "t.jsonl:1: not JSON" in r.stderr and "Traceback" not in r.stderr


def test_question_sets_checker_reads_the_gb18030_plan_of_a_side_catalog(tmp_path):
    """invented.catalog.toml names a GB18030 plan outside corpora/: its city is accepted and
    its quotes are really compared with the decoded text."""
    good = _row(id="y-1", city="云岭", question="云岭规划期限?", answer="2021—2025年。",
                answer_values=["2021—2025年"],
                evidence=[{"doc": "yunling", "quote": "规划期限为２０２１—２０２５年"}])
    bad = _row(id="y-2", city="云岭", question="云岭基期?", answer="2019年。",
               answer_values=["2019年"], evidence=[{"doc": "yunling", "quote": "基期为２０１９年"}])
    assert _run(_write(tmp_path, good)).returncode == 0
    r = _run(_write(tmp_path, bad))
    assert r.returncode == 1 and "quote not in yunling" in r.stderr
