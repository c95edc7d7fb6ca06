"""Agreement statistics of human evaluators against published and hand-computed values."""

from __future__ import annotations

import pytest

from llmore.evaluation.human.agreement import criterion_agreement, krippendorff_alpha, weighted_kappa

# The worked example documented with the `krippendorff` package (three coders, fifteen units, gaps where a
# coder rated nothing): interval alpha 0.810845 over the 12 units rated at least twice.
PUBLISHED = {
    "A": {5: 3, 6: 4, 7: 1, 8: 2, 9: 1, 10: 1, 11: 3, 12: 3, 14: 3},
    "B": {0: 1, 2: 2, 3: 1, 4: 3, 5: 3, 6: 4, 7: 3},
    "C": {2: 2, 3: 1, 4: 3, 5: 4, 6: 4, 8: 2, 9: 1, 10: 1, 11: 3, 12: 3, 14: 4},
}


def test_alpha_matches_the_published_example() -> None:
    alpha, items = krippendorff_alpha(PUBLISHED, scale=4, level="interval")
    assert items == 12
    assert alpha == pytest.approx(0.810845, abs=1e-6)


def test_weighted_kappa_matches_a_hand_computed_case() -> None:
    # two categories: weighting changes nothing; observed agreement 3/4, chance (1/2·1/4 + 1/2·3/4) = 1/2,
    # so kappa = (0.75 - 0.5) / (1 - 0.5) = 0.5
    kappa, items = weighted_kappa({1: 1, 2: 1, 3: 2, 4: 2, 9: 1}, {1: 1, 2: 2, 3: 2, 4: 2}, scale=2)
    assert (kappa, items) == (pytest.approx(0.5), 4)


def test_perfect_agreement_is_one_and_undefined_values_are_none() -> None:
    same = criterion_agreement("fluency", {"ann": {1: 5, 2: 3, 3: 1}, "bob": {1: 5, 2: 3, 3: 1}}, scale=5)
    assert (same.alpha_ordinal, same.alpha_interval, same.pairs[0].kappa) == (1.0, 1.0, 1.0)
    # every rating identical: nothing varies, so chance agreement is total and the statistics are undefined
    flat = criterion_agreement("fluency", {"ann": {1: 5, 2: 5}, "bob": {1: 5, 2: 5}}, scale=5)
    assert (flat.items, flat.alpha_ordinal, flat.alpha_interval, flat.pairs[0].kappa) == (2, None, None, None)
    # no item scored twice (round-robin): no agreement to measure, and no pair listed
    apart = criterion_agreement("fluency", {"ann": {1: 5}, "bob": {2: 4}}, scale=5)
    assert (apart.items, apart.alpha_ordinal, apart.pairs) == (0, None, [])
