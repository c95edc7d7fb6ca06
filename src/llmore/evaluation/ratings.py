"""Arena ratings from pairwise votes: online Elo and Bradley–Terry, each with bootstrap confidence intervals.

Both report on the familiar Elo scale (1000 for an average model, 400 points for 10:1 odds).

* **Elo** replays the votes one by one (K = 4 as in the LMSYS arena, so late votes do not swing the
  table); it depends on the order, so it is replayed over resampled votes and reported as the median.
* **Bradley–Terry** is the order-free maximum-likelihood fit of ``P(i beats j) = 1 / (1 + 10^((r_j - r_i)/400))``
  (a tie counts half a win for each side). Votes are first folded into a win-count matrix, so a fit
  costs the same for ten votes or ten million, and a bootstrap round only redraws the counts of
  distinct votes (multinomially, which equals resampling the votes with replacement). Hand-written on scipy's
  L-BFGS because the libraries that fit it either drop ties (choix) or need one row per vote
  (scikit-learn's logistic regression), which makes the bootstrap a thousand times slower.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from llmore.errors import AppError

BASE_RATING = 1000.0
SCALE = 400.0
ELO_K = 4.0


class Outcome(StrEnum):
    """Which side of a pairwise vote won."""

    A = "a"
    B = "b"
    TIE = "tie"


@dataclass(frozen=True)
class Vote:
    """One blind comparison: ``model_a`` against ``model_b`` and who won."""

    model_a: str
    model_b: str
    outcome: Outcome


@dataclass(frozen=True)
class Rating:
    """A model's rating with its 95 % bootstrap interval, rank (1 is best) and record."""

    model: str
    rating: float
    ci_low: float
    ci_high: float
    rank: int
    games: int
    wins: float


def _index(votes: Sequence[Vote]) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """Model names, and per vote: index of a, index of b, a's score (1 win, 0.5 tie, 0 loss)."""
    if not votes:
        raise AppError("There are no votes to rate yet; collect some arena votes first.", code="no_votes",
                       details=[{"field": "votes", "message": "empty"}])
    for position, vote in enumerate(votes):
        if vote.model_a == vote.model_b:
            raise AppError(f"Vote {position} compares '{vote.model_a}' with itself.", code="invalid_vote",
                           details=[{"field": f"votes[{position}]", "message": "model_a equals model_b"}])
    models = sorted({v.model_a for v in votes} | {v.model_b for v in votes})
    position = {name: i for i, name in enumerate(models)}
    a = np.array([position[v.model_a] for v in votes])
    b = np.array([position[v.model_b] for v in votes])
    score = np.array([{Outcome.A: 1.0, Outcome.B: 0.0, Outcome.TIE: 0.5}[Outcome(v.outcome)] for v in votes])
    return models, a, b, score


def _elo(count: int, a: np.ndarray, b: np.ndarray, score: np.ndarray) -> np.ndarray:
    ratings = np.full(count, BASE_RATING)
    for i, j, s in zip(a.tolist(), b.tolist(), score.tolist(), strict=True):
        expected = 1.0 / (1.0 + 10.0 ** ((ratings[j] - ratings[i]) / SCALE))
        ratings[i] += ELO_K * (s - expected)
        ratings[j] -= ELO_K * (s - expected)
    return ratings


def _bradley_terry(wins: np.ndarray) -> np.ndarray:
    """Ratings maximising the likelihood of ``wins[i, j]`` (i's wins over j, ties as halves)."""
    from scipy.optimize import minimize

    count = wins.shape[0]
    games = wins + wins.T
    factor = np.log(10.0) / SCALE

    def negative_log_likelihood(free: np.ndarray) -> tuple[float, np.ndarray]:
        r = np.concatenate([[0.0], free])  # the first model is pinned: ratings are only defined up to a shift
        p = 1.0 / (1.0 + np.exp(-factor * (r[:, None] - r[None, :])))  # p[i, j] = P(i beats j)
        loss = -float(np.sum(wins * np.log(np.clip(p, 1e-12, 1.0))))
        grad = -factor * np.sum(wins - games * p, axis=1)
        # A tiny pull towards the mean keeps a model that never lost (or never won) finite.
        loss += 1e-6 * float(r @ r)
        grad += 2e-6 * r
        return loss, grad[1:]

    fitted = minimize(negative_log_likelihood, np.zeros(count - 1), jac=True, method="L-BFGS-B").x
    ratings = np.concatenate([[0.0], fitted])
    return ratings - ratings.mean() + BASE_RATING


def _win_matrix(count: int, a: np.ndarray, b: np.ndarray, score: np.ndarray,
                weights: np.ndarray | None = None) -> np.ndarray:
    weights = np.ones(len(a)) if weights is None else weights
    wins = np.zeros((count, count))
    np.add.at(wins, (a, b), weights * score)
    np.add.at(wins, (b, a), weights * (1.0 - score))
    return wins


def _table(models: list[str], point: np.ndarray, samples: np.ndarray, a: np.ndarray, b: np.ndarray,
           score: np.ndarray) -> list[Rating]:
    low, high = np.percentile(samples, [2.5, 97.5], axis=0)
    games = np.bincount(a, minlength=len(models)) + np.bincount(b, minlength=len(models))
    wins = np.bincount(a, weights=score, minlength=len(models)) + np.bincount(b, weights=1 - score,
                                                                              minlength=len(models))
    order = np.argsort(-point)
    return [
        Rating(models[i], round(float(point[i]), 2), round(float(low[i]), 2), round(float(high[i]), 2),
               rank + 1, int(games[i]), float(wins[i]))
        for rank, i in enumerate(order)
    ]


def elo_ratings(votes: Sequence[Vote], *, rounds: int = 100, seed: int = 0) -> list[Rating]:
    """Online Elo: the median and 95 % interval over ``rounds`` replays of the votes resampled.

    The median of the replays, as the LMSYS arena reports it, rather than one replay in the order
    the votes came: a single order is one arbitrary draw of an order-dependent rating.
    """
    models, a, b, score = _index(votes)
    rng = np.random.default_rng(seed)
    samples = np.array([
        _elo(len(models), a[pick], b[pick], score[pick])
        for pick in (rng.integers(0, len(a), len(a)) for _ in range(rounds))
    ])
    return _table(models, np.median(samples, axis=0), samples, a, b, score)


def bradley_terry_ratings(votes: Sequence[Vote], *, rounds: int = 200, seed: int = 0) -> list[Rating]:
    """Bradley–Terry maximum-likelihood ratings with intervals from ``rounds`` bootstrap redraws."""
    models, a, b, score = _index(votes)
    rng = np.random.default_rng(seed)
    # Distinct (a, b, outcome) cells and how many votes fall in each: resampling the votes with
    # replacement is drawing the cell counts multinomially, so a round costs O(cells), not O(votes).
    cells, counts = np.unique(np.stack([a, b, score * 2]), axis=1, return_counts=True)
    cell_a, cell_b, cell_score = cells[0].astype(int), cells[1].astype(int), cells[2] / 2
    point = _bradley_terry(_win_matrix(len(models), cell_a, cell_b, cell_score, counts.astype(float)))
    draws = rng.multinomial(len(a), counts / len(a), size=rounds).astype(float)
    samples = np.array([_bradley_terry(_win_matrix(len(models), cell_a, cell_b, cell_score, draw)) for draw in draws])
    return _table(models, point, samples, a, b, score)
