"""Inter-rater agreement of human scores: Krippendorff's alpha and pairwise Cohen's weighted kappa.

Both come from their reference libraries (``krippendorff``, scikit-learn). Alpha uses every item
scored by two or more evaluators and tolerates missing ratings; kappa compares two evaluators on
the items both scored, with quadratic weights (a 4 against a 5 is a small disagreement, a 1
against a 5 a large one). Undefined values (no overlap, or no variation at all) are ``None``.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Mapping

import krippendorff
import numpy as np

from llmore.evaluation.human.schemas import HumanCriterionAgreement, HumanKappaPair

Ratings = Mapping[str, Mapping[int, int]]
"""One criterion's scores: evaluator name → item id → score."""


def _finite(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


def krippendorff_alpha(ratings: Ratings, *, scale: int, level: str) -> tuple[float | None, int]:
    """Alpha at ``level`` ("ordinal" or "interval") over items with two or more ratings, and how many there were."""
    counts: dict[int, int] = {}
    for scores in ratings.values():
        for item in scores:
            counts[item] = counts.get(item, 0) + 1
    items = sorted(item for item, n in counts.items() if n >= 2)
    if not items:
        return None, 0
    matrix = np.array([[scores.get(item, np.nan) for item in items] for scores in ratings.values()], dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        value = krippendorff.alpha(reliability_data=matrix, value_domain=list(range(1, scale + 1)),
                                   level_of_measurement=level)
    return _finite(float(value)), len(items)


def weighted_kappa(a: Mapping[int, int], b: Mapping[int, int], *, scale: int) -> tuple[float | None, int]:
    """Cohen's quadratic-weighted kappa of two evaluators over the items both scored, and how many."""
    from sklearn.metrics import cohen_kappa_score

    common = sorted(a.keys() & b.keys())
    if len(common) < 2:
        return None, len(common)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "undefined" when neither varies: reported as None instead
        value = cohen_kappa_score([a[i] for i in common], [b[i] for i in common],
                                  labels=list(range(1, scale + 1)), weights="quadratic")
    return _finite(float(value)), len(common)


def criterion_agreement(criterion: str, ratings: Ratings, *, scale: int) -> HumanCriterionAgreement:
    """Every agreement statistic of one criterion."""
    ordinal, items = krippendorff_alpha(ratings, scale=scale, level="ordinal")
    interval, _ = krippendorff_alpha(ratings, scale=scale, level="interval")
    pairs = []
    for first, second in itertools.combinations(sorted(ratings), 2):
        kappa, common = weighted_kappa(ratings[first], ratings[second], scale=scale)
        if common:
            pairs.append(HumanKappaPair(evaluator_a=first, evaluator_b=second, items=common, kappa=kappa))
    return HumanCriterionAgreement(criterion=criterion, items=items, alpha_ordinal=ordinal, alpha_interval=interval,
                              pairs=pairs)
