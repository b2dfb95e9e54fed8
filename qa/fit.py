"""Fitting the reader's parameters on the repository's training questions
(evaluation/questions/*.jsonl, split "train"): every candidate of every plan a question asks
about is labelled right when it states the gold values of that plan (or, without values,
overlaps the gold evidence), a logistic-regression ranker is fitted on their features, a
calibrator on the best candidate's score, and the answer threshold is chosen on the same
split. Shared evaluation sets are never read here.

    python app.py fit [--questions DIR] [--out qa/params/reader.json]
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Callable, Optional

import numpy as np

from core.errors import QuestionError
from core.protocols import Workspace
from core.zh import norm
from qa.candidates import FEATURES, GENERATORS, claim_key, featurize
from qa.intent import Intent, parse
from qa.reader import ROUTES
from qa.scorer import SCHEMA, Params, Scorer, answer_row

QUESTIONS = Path(__file__).resolve().parent.parent / "evaluation" / "questions"
C = 1.0                 # inverse regularisation of the ranker
C_ANSWER = 0.3          # inverse regularisation of the answer model (few, correlated rows)
FOLDS = 5               # cross-fitting folds for the answer model's training scores
ANSWER_FEATURES = ("subj_recall", "anchor_missing", "year_missing", "strong_missing",
                   "place_missing", "period_conflict", "unit_conflict", "number_missing",
                   "phrase_cover", "sem_subject", "ind_score", "src_list", "src_target",
                   "q_value", "q_baseline", "q_fact", "q_explain", "q_list", "q_side")
WRONG_COST = 1.0        # a wrong answer costs as much as a right one earns (threshold choice)
# a wrong explanation or list (a related passage shown) costs less than a wrong number
WRONG_COST_BY_INTENT = {"explain": 0.5, "list": 0.5}
MIN_SIDES_PER_THRESHOLD = 25


def read_questions(folder: Path, split: Optional[str] = None) -> tuple[list[dict], dict]:
    files = sorted(Path(folder).glob("*.jsonl"))
    if not files:
        raise QuestionError(f"no question files (*.jsonl) in {folder}")
    rows, sources = [], {}
    for f in files:
        data = f.read_bytes()
        sources[f.name] = hashlib.sha256(data).hexdigest()
        for n, line in enumerate(data.decode("utf-8").splitlines(), 1):
            if line.strip():
                try:
                    r = json.loads(line)
                except json.JSONDecodeError as e:
                    raise QuestionError(f"{f}:{n}: {e.msg}") from None
                if split is None or r.get("split") == split:
                    rows.append(r)
    return rows, sources


def _gold(ws: Workspace, q: dict, doc: str) -> tuple[list[str], list[tuple[int, int]]]:
    """The values of this plan (gold values that its evidence quotes contain) and the gold
    spans in this plan."""
    raw = ws.corpus.raw(doc)
    quotes = [e["quote"] for e in q.get("evidence", []) if e.get("doc") == doc and e.get("quote")]
    spans = []
    for qt in quotes:
        i = raw.find(qt)
        if i >= 0:
            spans.append((i, i + len(qt)))
    vals = [v for v in q.get("answer_values", []) if any(norm(v) in norm(qt) for qt in quotes)]
    return vals, spans


def label(ws: Workspace, q: dict, doc: str, cand) -> int:
    if q.get("type") == "abstain" or doc not in ws.corpus.documents:
        return 0
    vals, spans = _gold(ws, q, doc)
    text = norm(cand.claim or cand.text)
    if vals:
        return int(all(norm(v) in text for v in vals))
    if not spans:
        return 0
    return int(any(c.doc == doc and c.start < e and s < c.end for c in cand.citations for s, e in spans))


def collect(reader, ws: Workspace, rows: list[dict], progress: Callable[[str], None] = lambda m: None):
    """Per (question, plan) side: (features of every candidate, labels, question row)."""
    sides = []
    for i, r in enumerate(rows):
        q = parse(reader.env.ctx, reader.env.lex, r["question"])
        intent = q.sub_intent if q.intent in (Intent.COMPARE, Intent.ARITHMETIC) else q.intent
        for doc in q.slots.doc_ids:
            cands = []
            for name in ROUTES.get(intent, ROUTES[Intent.FACT]):
                cands += GENERATORS[name](reader.env, q, doc)
            featurize(reader.env, q, doc, cands)
            ys = [label(ws, r, doc, c) for c in cands]
            sides.append(([c.features for c in cands], ys, r, doc, [claim_key(c) for c in cands]))
        if (i + 1) % 25 == 0:
            progress(f"candidates: {i + 1}/{len(rows)} questions")
    return sides


def _ranker(X: np.ndarray, y: np.ndarray, mean: np.ndarray, scale: np.ndarray) -> tuple[np.ndarray, float]:
    from sklearn.linear_model import LogisticRegression
    rk = LogisticRegression(C=C, max_iter=2000, class_weight="balanced")
    rk.fit((X - mean) / scale, y)
    return rk.coef_[0], float(rk.intercept_[0])


def _scorer(coef, icpt, mean, scale) -> Scorer:
    return Scorer(Params(schema=SCHEMA, version="", features=tuple(FEATURES), coef=tuple(coef),
                         intercept=icpt, mean=tuple(mean), scale=tuple(scale),
                         answer_features=tuple(ANSWER_FEATURES), calib_coef=(),
                         calib_intercept=0.0, threshold=0.5, side_threshold=0.5, thresholds={}))


def choose_threshold(probs: np.ndarray, right: np.ndarray, answerable: np.ndarray,
                     cost: float = WRONG_COST) -> float:
    """The threshold that maximises, over the training sides, right answers plus right
    abstentions minus WRONG_COST per wrong answer (a wrong number with a citation is the
    worst output); ties go to the lower threshold."""
    best_t, best_u = 0.5, -1e9
    for t in np.arange(0.05, 0.96, 0.01):
        ans = probs >= t
        u = np.sum(ans & (right == 1)) - cost * np.sum(ans & (right == 0)) + np.sum(~ans & ~answerable)
        if u > best_u:
            best_t, best_u = float(round(t, 2)), u
    return best_t


def _intent_of(feat: dict) -> str:
    names = ("q_value", "q_baseline", "q_fact", "q_explain", "q_list")
    return next((k[2:] for k in names if feat.get(k)), "")


def _folds(qids: list[str], k: int) -> dict[str, int]:
    """Question -> fold, by a hash of its id (stable across runs and machines)."""
    return {q: int(hashlib.sha1(q.encode()).hexdigest(), 16) % k for q in qids}


def fit(reader, ws: Workspace, folder: Path = QUESTIONS, progress: Callable[[str], None] = print) -> Params:
    from sklearn.linear_model import LogisticRegression
    train, sources = read_questions(folder, "train")
    known = set(ws.corpus.documents)
    train = [r for r in train if all(e.get("doc") in known for e in r.get("evidence", []))]
    if len(train) < 30:
        raise QuestionError(f"only {len(train)} training questions in {folder}; need at least 30")
    progress(f"fitting on {len(train)} training questions")
    sides = collect(reader, ws, train, progress)
    X = np.array([[f[n] for n in FEATURES] for fs, _, _, _, _ in sides for f in fs], dtype=np.float64)
    y = np.array([v for _, ys, _, _, _ in sides for v in ys], dtype=np.int64)
    if y.sum() == 0 or y.sum() == len(y):
        raise QuestionError("training candidates are all of one class; check the question files")
    mean, scale = X.mean(axis=0), X.std(axis=0)
    scale[scale == 0] = 1.0
    coef, icpt = _ranker(X, y, mean, scale)
    # answer model: is a side's best candidate right? Fitted on out-of-fold ranker scores
    # (each question scored by a ranker that did not see it), so it learns how the ranker
    # does on questions it has not seen.
    qids = np.array([r["id"] for _, _, r, _, _ in sides])
    folds = _folds(sorted(set(qids)), FOLDS)
    Z, T, keep = [], [], []
    for k in range(FOLDS):
        held = {q for q, f in folds.items() if f == k}
        rows_in = np.array([qid not in held for fs, _, r, _, _ in sides for qid in [r["id"]] for _f in fs])
        c_k, i_k = _ranker(X[rows_in], y[rows_in], mean, scale)
        sc = _scorer(c_k, i_k, mean, scale)
        for i, (fs, ys, r, doc, keys) in enumerate(sides):
            if r["id"] in held and fs:
                z = sc.logits(fs)
                order = np.argsort(-z)
                second = next((float(z[j]) for j in order[1:] if keys[j] != keys[order[0]]), None)
                Z.append(answer_row(sc, float(z[order[0]]), second, fs[order[0]], ANSWER_FEATURES))
                T.append(ys[order[0]])
                keep.append(i)
    Z, T = np.array(Z), np.array(T)
    cal = LogisticRegression(C=C_ANSWER, max_iter=4000)
    cal.fit(Z, T)
    cal_coef, cal_icpt = cal.coef_[0], float(cal.intercept_[0])
    probs = 1 / (1 + np.exp(-(Z @ cal_coef + cal_icpt)))
    answerable = np.array([sides[i][2].get("type") != "abstain"
                           and bool(_gold(ws, sides[i][2], sides[i][3])[1])
                           for i in keep])
    multi = np.array([sides[i][0][0].get("q_side", 0.0) > 0 for i in keep])
    best_t = choose_threshold(probs[~multi], T[~multi], answerable[~multi])
    side_t = choose_threshold(probs[multi], T[multi], answerable[multi]) if multi.sum() >= 20 else best_t
    intents = np.array([_intent_of(sides[i][0][0]) for i in keep])
    thresholds = {}
    for name, cost in WRONG_COST_BY_INTENT.items():
        sel = (intents == name) & ~multi
        if sel.sum() >= MIN_SIDES_PER_THRESHOLD:
            thresholds[name] = choose_threshold(probs[sel], T[sel], answerable[sel], cost)
        sel = (intents == name) & multi
        if sel.sum() >= MIN_SIDES_PER_THRESHOLD:
            thresholds[f"side:{name}"] = choose_threshold(probs[sel], T[sel], answerable[sel], cost)
    cut = np.array([thresholds.get(i, best_t) for i in intents])
    side_cut = np.array([thresholds.get(f"side:{i}", side_t) for i in intents])
    ans = np.where(multi, probs >= side_cut, probs >= cut)
    oof = {"answer_accuracy": round(float(np.sum(ans & (T == 1)) / max(1, answerable.sum())), 4),
           "abstain_accuracy": round(float(np.sum(~ans & ~answerable) / max(1, (~answerable).sum())), 4),
           "wrong_answers": int(np.sum(ans & (T == 0)))}
    from sklearn.metrics import roc_auc_score
    metrics = {"train_candidates": int(len(y)), "train_positive": int(y.sum()),
               "train_sides": len(sides),
               "ranker_auroc_train": round(float(roc_auc_score(y, (X - mean) / scale @ coef)), 4),
               "top_right_out_of_fold": round(float(T.mean()), 4), "out_of_fold": oof,
               "answer_auroc_out_of_fold":
                   round(float(roc_auc_score(T, probs)), 4) if 0 < T.sum() < len(T) else None}
    version = dt.date.today().isoformat() + f".n{len(train)}"
    params = Params(schema=SCHEMA, version=version, features=tuple(FEATURES),
                    coef=tuple(round(float(x), 6) for x in coef), intercept=round(icpt, 6),
                    mean=tuple(round(float(x), 6) for x in mean),
                    scale=tuple(round(float(x), 6) for x in scale),
                    answer_features=tuple(ANSWER_FEATURES),
                    calib_coef=tuple(round(float(x), 6) for x in cal_coef),
                    calib_intercept=round(cal_icpt, 6), threshold=best_t,
                    side_threshold=side_t, thresholds=thresholds,
                    trained_on={"files": sources, "split": "train", "questions": len(train),
                                "model": ws.manifest.get("model", "")},
                    metrics=metrics)
    return params
