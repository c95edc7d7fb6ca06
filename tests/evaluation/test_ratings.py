"""Elo and Bradley–Terry recover the known order of simulated models from simulated votes."""

from __future__ import annotations

import numpy as np
import pytest

from llmore.errors import AppError
from llmore.evaluation.ratings import Outcome, Vote, bradley_terry_ratings, elo_ratings

# True strengths on the Elo scale; votes are drawn from the Bradley–Terry model, with some ties.
TRUE_RATINGS = {"strong": 1200.0, "good": 1100.0, "fair": 1000.0, "weak": 850.0}


def simulate_votes(count: int, seed: int = 7, ties: float = 0.1) -> list[Vote]:
    rng = np.random.default_rng(seed)
    names = list(TRUE_RATINGS)
    votes = []
    for _ in range(count):
        a, b = rng.choice(len(names), size=2, replace=False)
        p_a = 1 / (1 + 10 ** ((TRUE_RATINGS[names[b]] - TRUE_RATINGS[names[a]]) / 400))
        roll = rng.random()
        outcome = Outcome.TIE if roll < ties else Outcome.A if rng.random() < p_a else Outcome.B
        votes.append(Vote(names[a], names[b], outcome))
    return votes


@pytest.mark.parametrize("rate", [elo_ratings, bradley_terry_ratings])
def test_ratings_recover_the_true_order(rate) -> None:
    table = rate(simulate_votes(2000), rounds=30)
    assert [row.model for row in table] == ["strong", "good", "fair", "weak"]
    assert [row.rank for row in table] == [1, 2, 3, 4]
    for row in table:
        assert row.ci_low <= row.rating <= row.ci_high
    assert sum(row.games for row in table) == 2 * 2000


def test_bradley_terry_recovers_the_true_gaps_within_its_intervals() -> None:
    # Without ties the votes follow the model exactly (ties, as half wins, pull ratings together).
    table = {row.model: row for row in bradley_terry_ratings(simulate_votes(4000, ties=0.0), rounds=60)}
    true_mean = np.mean(list(TRUE_RATINGS.values()))
    for name, true in TRUE_RATINGS.items():
        centred_true = true - true_mean + 1000  # ratings are centred on 1000
        assert table[name].ci_low - 5 <= centred_true <= table[name].ci_high + 5, name
        assert table[name].ci_high - table[name].ci_low < 60


def test_intervals_narrow_with_more_votes() -> None:
    def width(votes: int) -> float:
        rows = bradley_terry_ratings(simulate_votes(votes), rounds=40)
        return float(np.mean([row.ci_high - row.ci_low for row in rows]))

    assert width(4000) < width(400) / 2


def test_record_counts_wins_and_ties() -> None:
    votes = [Vote("x", "y", Outcome.A), Vote("y", "x", Outcome.TIE), Vote("x", "y", Outcome.A)]
    table = {row.model: row for row in elo_ratings(votes, rounds=10)}
    assert (table["x"].games, table["x"].wins) == (3, 2.5)
    assert (table["y"].games, table["y"].wins) == (3, 0.5)
    assert table["x"].rating > 1000 > table["y"].rating


def test_bad_votes_are_refused_with_the_position() -> None:
    with pytest.raises(AppError, match="no votes"):
        bradley_terry_ratings([])
    with pytest.raises(AppError, match="Vote 1 compares 'm' with itself") as caught:
        elo_ratings([Vote("m", "n", Outcome.A), Vote("m", "m", Outcome.B)])
    assert caught.value.details[0]["field"] == "votes[1]"
