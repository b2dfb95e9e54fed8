"""The fitted decision parameters: a logistic-regression ranker over candidate features and a
calibrator that turns the best candidate's score into the probability that the answer is
right. Both are fitted by qa/fit.py on the repository's training questions and saved, with
the data they came from, as a versioned JSON file (qa/params/reader.json).
"""
from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Optional, Sequence

import numpy as np

from core.errors import ConfigError

PARAMS = Path(__file__).parent / "params" / "reader.json"
SCHEMA = 1


@dataclass(frozen=True)
class Params:
    schema: int
    version: str                     # e.g. "2026-12-05.1"
    features: tuple[str, ...]
    coef: tuple[float, ...]          # ranker weights, one per feature
    intercept: float
    mean: tuple[float, ...]          # feature standardisation
    scale: tuple[float, ...]
    answer_features: tuple[str, ...]  # the best candidate's features the answer model reads
    calib_coef: tuple[float, ...]    # answer model: weights of (logit, margin, *answer_features)
    calib_intercept: float
    threshold: float                 # answer when the calibrated probability >= threshold
    thresholds: dict                 # per intent (value, explain …), where fitted; else threshold
    side_threshold: float            # a comparison side is shown when its probability >= this
    trained_on: dict = field(default_factory=dict)   # files, sha256, counts
    metrics: dict = field(default_factory=dict)      # fit-time figures (train / validation)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=1)


def load_params(path: Optional[Path] = None) -> Params:
    p = Path(path) if path else PARAMS
    try:
        d = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"reader parameters {p} are missing; run `python app.py fit`") from None
    except (OSError, ValueError) as e:
        raise ConfigError(f"reader parameters {p}: cannot read ({e}); run `python app.py fit`") from None
    if d.get("schema") != SCHEMA:
        raise ConfigError(f"reader parameters {p}: schema {d.get('schema')} != {SCHEMA}; "
                          "run `python app.py fit`")
    try:
        prm = Params(**{k: tuple(v) if isinstance(v, list) else v for k, v in d.items()})
    except TypeError as e:
        raise ConfigError(f"reader parameters {p}: {e}") from None
    if not (len(prm.features) == len(prm.coef) == len(prm.mean) == len(prm.scale)):
        raise ConfigError(f"reader parameters {p}: feature and weight counts differ")
    return prm


class Scorer:
    """Scores candidates (features -> logit) and calibrates the decision."""

    def __init__(self, params: Params):
        self.params = params
        self._coef = np.asarray(params.coef, dtype=np.float64)
        self._mean = np.asarray(params.mean, dtype=np.float64)
        self._scale = np.asarray(params.scale, dtype=np.float64)

    def matrix(self, feats: Sequence[dict]) -> np.ndarray:
        names = self.params.features
        return np.array([[f.get(n, 0.0) for n in names] for f in feats], dtype=np.float64)

    def logits(self, feats: Sequence[dict]) -> np.ndarray:
        if not feats:
            return np.zeros(0)
        x = (self.matrix(feats) - self._mean) / self._scale
        return x @ self._coef + self.params.intercept

    def threshold_for(self, intent: str) -> float:
        return float(self.params.thresholds.get(intent, self.params.threshold))

    def side_threshold_for(self, intent: str) -> float:
        """The threshold of one plan's side in a comparison, per intent where fitted."""
        return float(self.params.thresholds.get(f"side:{intent}", self.params.side_threshold))

    def contributions(self, feat: dict) -> dict[str, float]:
        """Each feature's share of a candidate's logit (for the trace)."""
        x = (self.matrix([feat])[0] - self._mean) / self._scale
        return {n: round(float(w * v), 3) for n, w, v in zip(self.params.features, self._coef, x)
                if abs(w * v) >= 0.05}

    def confidence(self, top: float, second: Optional[float], feat: dict) -> float:
        """Calibrated probability that the best candidate is a right answer: a second logistic
        regression over the ranker's logit, its margin over the next different candidate and
        the best candidate's own (standardised) features."""
        return _sigmoid(float(answer_row(self, top, second, feat) @ np.asarray(self.params.calib_coef))
                        + self.params.calib_intercept)


MAX_MARGIN = 4.0


def answer_row(scorer: "Scorer", top: float, second: Optional[float], feat: dict,
               names: Optional[Sequence[str]] = None) -> np.ndarray:
    """(logit, margin, standardised answer features) of a side's best candidate."""
    margin = min(top - second, MAX_MARGIN) if second is not None else MAX_MARGIN
    x = (scorer.matrix([feat])[0] - scorer._mean) / scorer._scale
    idx = [scorer.params.features.index(n) for n in (names or scorer.params.answer_features)]
    return np.concatenate([[top, margin], x[idx]])


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, x))))


def sigmoid(x: float) -> float:
    return _sigmoid(x)
