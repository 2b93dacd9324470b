"""Rank fusion for hybrid retrieval (after haystack's DocumentJoiner)."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence


def reciprocal_rank_fusion(rankings: Sequence[Sequence[int]], k: int = 60,
                           weights: Sequence[float] | None = None) -> dict[int, float]:
    """RRF: score(d) = sum_i w_i / (k + rank_i(d)), rank starting at 1.

    >>> reciprocal_rank_fusion([[1, 2], [2, 3]], k=1)[2] > reciprocal_rank_fusion([[1, 2], [2, 3]], k=1)[1]
    True
    """
    if k <= 0:
        raise ValueError("k must be positive")
    weights = weights or [1.0] * len(rankings)
    if len(weights) != len(rankings):
        raise ValueError("one weight per ranking")
    scores: dict[int, float] = defaultdict(float)
    for ranking, w in zip(rankings, weights):
        for rank, item in enumerate(ranking, start=1):
            scores[item] += w / (k + rank)
    return dict(scores)


def weighted_score_fusion(score_maps: Sequence[dict[int, float]],
                          weights: Sequence[float] | None = None) -> dict[int, float]:
    """Min-max normalise each retriever's scores, then take the weighted sum."""
    weights = weights or [1.0 / len(score_maps)] * len(score_maps)
    if len(weights) != len(score_maps):
        raise ValueError("one weight per score map")
    fused: dict[int, float] = defaultdict(float)
    for scores, w in zip(score_maps, weights):
        if not scores:
            continue
        lo, hi = min(scores.values()), max(scores.values())
        span = (hi - lo) or 1.0
        for item, s in scores.items():
            fused[item] += w * (s - lo) / span
    return dict(fused)
