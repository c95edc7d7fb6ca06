"""One pass of sacrebleu over a batch: each example's sufficient statistics, for sentence and corpus scores.

``sentence_score`` per example and then ``corpus_score`` would read every reference twice and rebuild
sacrebleu's reference cache per call. sacrebleu's statistics pass (``_extract_corpus_statistics``,
the one its paired significance tests use) gives every example's statistics at once; a sentence
score is computed from one example's statistics and the corpus score from their sum, which is what
``sentence_score`` and ``corpus_score`` do internally. The tests compare both with the public calls.
"""

from __future__ import annotations

from typing import Any


def reference_streams(references: list[list[str]]) -> list[list[str | None]]:
    """sacrebleu's corpus layout: stream i holds every example's i-th reference (None where it has fewer)."""
    width = max((len(refs) for refs in references), default=0)
    return [[refs[i] if i < len(refs) else None for refs in references] for i in range(width)]


def statistics(scorer: Any, predictions: list[str], references: list[list[str]]) -> list[list[Any]]:
    """Each example's statistics under ``scorer`` (a sacrebleu BLEU, TER or CHRF)."""
    if not predictions:
        return []
    return scorer._extract_corpus_statistics(predictions, reference_streams(references))


def sentence_scores(scorer: Any, stats: list[list[Any]]) -> list[float]:
    """Each example's score as a fraction (sacrebleu reports 0-100)."""
    return [scorer._compute_score_from_stats(example).score / 100 for example in stats]


def corpus_score(scorer: Any, stats: list[list[Any]]) -> Any:
    """The corpus score object from the summed statistics."""
    return scorer._aggregate_and_compute(stats)
