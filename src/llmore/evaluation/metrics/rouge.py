"""ROUGE-1, ROUGE-2 and ROUGE-L F-measures by Google's rouge-score on the shared tokens.

rouge-score's own tokenizer keeps only ``[a-z0-9]`` and so scores every Chinese text 0; it is
given LLMore's tokens instead (jieba words or characters for Chinese). With several references,
each example keeps its best reference (rouge-score's ``score_multi``); the corpus score is the mean.
"""

from __future__ import annotations

from llmore.evaluation.metrics.base import Batch, MetricResult, mean

ROUGE_TYPES = {"rouge1": "rouge_1", "rouge2": "rouge_2", "rougeL": "rouge_l"}


class _SpaceSplit:
    """A rouge-score tokenizer for text already tokenised and joined by spaces."""

    def tokenize(self, text: str) -> list[str]:
        return text.split()


def rouge(batch: Batch) -> list[MetricResult]:
    """``rouge_1``, ``rouge_2`` and ``rouge_l`` (F-measure)."""
    from rouge_score.rouge_scorer import RougeScorer

    scorer = RougeScorer(list(ROUGE_TYPES), tokenizer=_SpaceSplit())
    per_type: dict[str, list[float]] = {key: [] for key in ROUGE_TYPES}
    for prediction, references in zip(batch.tokenized_predictions, batch.tokenized_references, strict=True):
        scores = scorer.score_multi(references, prediction)
        for key in ROUGE_TYPES:
            per_type[key].append(scores[key].fmeasure)
    return [MetricResult(name, mean(per_type[key]), per_type[key]) for key, name in ROUGE_TYPES.items()]
