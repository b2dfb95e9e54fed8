"""Evaluation (DESIGN §7): retrieval (system vs BM25/dense baselines), answers, extraction.

The JSON report: {"system": {"overall": {...}, "by_type": {...}},
                  "baselines": {"bm25": {...}, "dense": {...}}, "kg": {...}, "n_questions": N}
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Optional

from core.errors import PlanGraphError
from core.protocols import Workspace


def read_questions(path: Path) -> list[dict]:
    rows = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise PlanGraphError(f"eval: cannot read {path}: {e}") from None
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
        except json.JSONDecodeError as e:
            raise PlanGraphError(f"eval: {path}:{n}: not JSON ({e.msg})") from None
        if "question" not in d:
            raise PlanGraphError(f"eval: {path}:{n}: no 'question' field")
        d.setdefault("id", f"line{n}")
        d.setdefault("type", "unknown")
        d.setdefault("evidence", [])
        d.setdefault("answer_values", [])
        rows.append(d)
    if not rows:
        raise PlanGraphError(f"eval: {path} holds no questions")
    return rows


def _merge(dst: dict, src: dict) -> None:
    for k, v in src.items():
        if isinstance(v, dict) and isinstance(dst.get(k), dict):
            _merge(dst[k], v)
        else:
            dst[k] = v


def run(ws: Workspace, qa_path: Optional[Path], kg_gold: Optional[Path] = None) -> dict[str, Any]:
    report: dict[str, Any] = {}
    if qa_path is not None:
        questions = read_questions(qa_path)
        report["n_questions"] = len(questions)
        from evaluation import retrieval
        _merge(report, retrieval.evaluate(ws, questions))
        from evaluation import answers
        _merge(report, answers.evaluate(ws, questions))
    if kg_gold is not None:
        from evaluation import kg as kg_eval
        report["kg"] = kg_eval.evaluate(ws, kg_gold)
    return report


def _fmt(v: Any) -> str:
    return f"{v:.3f}" if isinstance(v, float) else str(v)


def format_text(report: dict) -> str:
    lines = []
    if "n_questions" in report:
        lines.append(f"questions: {report['n_questions']}")
    for name, block in [("system", report.get("system"))] + \
            [(f"baseline {k}", v) for k, v in report.get("baselines", {}).items()]:
        if not block:
            continue
        lines.append(f"\n== {name} ==")
        overall = block.get("overall", {})
        lines.append("overall: " + ", ".join(f"{k}={_fmt(v)}" for k, v in overall.items()))
        for t, m in sorted(block.get("by_type", {}).items()):
            lines.append(f"  {t:12s} " + ", ".join(f"{k}={_fmt(v)}" for k, v in m.items()))
    if "kg" in report:
        lines.append("\n== extraction (kg) ==")
        for kind, m in report["kg"].items():
            lines.append(f"  {kind:14s} " + (", ".join(f"{k}={_fmt(v)}" for k, v in m.items())
                                             if isinstance(m, dict) else _fmt(m)))
    return "\n".join(lines)
