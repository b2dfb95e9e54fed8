"""Any year and any plan period (issue 13 §3): a plan added with --period 2021-2060 (not a
five-year plan) builds for real and answers questions naming years far outside every plan."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, _clean_env

pytestmark = pytest.mark.slow

PLAN = (ROOT / "tests" / "data" / "qa" / "yunxi.txt").read_text(encoding="utf-8")
QUESTIONS = ("云溪1961年垃圾处理", "云溪2060年生活垃圾回收利用率目标是多少?", "1000年云溪垃圾回收",
             "2999年的供水管网漏损率", "云溪“十四五”生活垃圾回收利用率目标", "1963年有什么规划?")


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "app.py"), *args], cwd=cwd, env=_clean_env(),
                          capture_output=True, text=True, timeout=600)


def test_plan_with_a_long_period_answers_any_year(tmp_path):
    corpora, data = tmp_path / "corpora", tmp_path / "data"
    corpora.mkdir()
    (corpora / "catalog.toml").write_text("# catalog\n", encoding="utf-8")
    src = tmp_path / "carbon.txt"
    # a plan that is not a five-year plan: its title names no 十X五
    src.write_text(PLAN.replace("云溪市城市管理“十四五”规划", "云溪市碳中和行动规划", 1), encoding="utf-8")
    common = ("--corpora", str(corpora), "--data", str(data))
    added = _run(*common, "add", str(src), "--city", "云溪", "--title", "云溪市碳中和行动规划",
                 "--period", "2021-2060", "--id", "yunxi-carbon", cwd=ROOT)
    assert added.returncode == 0, added.stderr
    built = _run(*common, "build", cwd=ROOT)
    assert built.returncode == 0 and "Traceback" not in built.stderr, built.stderr
    batch = tmp_path / "q.jsonl"
    batch.write_text("".join(json.dumps({"id": str(i), "question": q}, ensure_ascii=False) + "\n"
                             for i, q in enumerate(QUESTIONS)), encoding="utf-8")
    asked = _run(*common, "ask", "--batch", str(batch), cwd=ROOT)
    assert asked.returncode == 0 and "Traceback" not in asked.stderr, asked.stderr
    answers = [json.loads(line) for line in asked.stdout.splitlines()]
    assert [a["id"] for a in answers] == [str(i) for i in range(len(QUESTIONS))]
    assert all(isinstance(a["answer"], str) and a["answer"] for a in answers)
