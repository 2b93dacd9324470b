"""Is a question about what the plan covers at all? A small calibrated model, not a word list.

Three outcomes follow from it and from the evidence: *out of scope* (weather, sport, shares: a short
friendly reply, no plan text), *in scope but not in the plan* (abstain with related clauses) and
*answerable*. This module decides only the first, from features retrieval computes anyway:

- ``question_cos``: best cosine with one of the plan's hypothetical questions (a resident's question
  about a real topic of the plan is close to one of them);
- ``neighbour_vote``: the share of the plan's hypothetical questions among the question's nearest
  questions, the plan's and those no plan answers, by cosine after centring (``HybridRetriever.neighbour_vote``);
- ``out_of_scope_cos``: best cosine with one of the questions no plan answers (data/scope/, weather,
  sport, shares, homework… written as product data, never taken from a test or development file);
- ``sentence_cos`` and ``dense_cos``: best cosine with a plan sentence and a plan chunk;
- ``bm25_coverage``: idf-weighted share of the question's terms found in its best BM25 clause;
- ``known_words``: share of the question's words the plan uses at all.

A logistic regression over the standardised features, fitted with cross-validation on the fit fold of
the development files by ``python -m eval.fit`` and stored as a small versioned JSON file.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

FEATURES = ("question_cos", "neighbour_vote", "out_of_scope_cos", "sentence_cos", "dense_cos", "bm25_coverage",
            "known_words")
MODEL_VERSION = 2


@dataclass(frozen=True)
class ScopeDecision:
    in_scope: bool
    probability: float  # of being in scope
    features: dict[str, float] = field(default_factory=dict)
    why: str = "model"  # "model" | "lexical" (the plan's own words settled it) | "follow-up"


@dataclass(frozen=True)
class ScopeModel:
    """Standardise, then a logistic regression; ``threshold`` on the probability of the positive class (in
    scope). The evidence model (assistant/extractive.py: does a sentence answer a figure, date or person
    question whose words it lacks?) is one too, over its own features."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    threshold: float = 0.5
    features: tuple[str, ...] = FEATURES
    version: int = MODEL_VERSION
    fitted_on: str = ""  # what it was fitted on, and its cross-validated and held-out figures

    def __post_init__(self) -> None:
        n = len(self.features)
        if not (len(self.mean) == len(self.scale) == len(self.coef) == n):
            raise ValueError("scope model: one mean, scale and weight per feature")
        if any(s <= 0 for s in self.scale) or not 0 < self.threshold < 1:
            raise ValueError("scope model: scales must be positive and the threshold in (0, 1)")

    def probability(self, features: dict[str, float]) -> float:
        z = self.intercept + sum(w * (features[f] - m) / s
                                 for f, m, s, w in zip(self.features, self.mean, self.scale, self.coef))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def decide(self, features: dict[str, float]) -> ScopeDecision:
        p = self.probability(features)
        return ScopeDecision(in_scope=p >= self.threshold, probability=p, features=features)

    @classmethod
    def load(cls, path: str | Path, features: tuple[str, ...] = FEATURES) -> "ScopeModel":
        """The model stored at ``path``; ``features``: the ones this code computes for it, in order
        (a file written for other features or another version is refused, not misread)."""
        raw = json.loads(Path(path).read_bytes())
        if raw.get("version") != MODEL_VERSION or tuple(raw.get("features", ())) != features:
            raise ValueError(f"{path}: model version {raw.get('version')} with features "
                             f"{raw.get('features')}; this code reads version {MODEL_VERSION} with {features}")
        return cls(mean=tuple(raw["mean"]), scale=tuple(raw["scale"]), coef=tuple(raw["coef"]),
                   intercept=float(raw["intercept"]), threshold=float(raw["threshold"]), features=features,
                   fitted_on=str(raw.get("fitted_on", "")))

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps({
            "version": self.version, "features": list(self.features), "mean": list(self.mean),
            "scale": list(self.scale), "coef": list(self.coef), "intercept": self.intercept,
            "threshold": self.threshold, "fitted_on": self.fitted_on}, ensure_ascii=False, indent=2) + "\n",
            encoding="utf-8")
