"""TER and chrF by sacrebleu.

TER runs on the shared tokens (sacrebleu's TER only splits on spaces); the corpus TER pools edits
and reference lengths as sacrebleu does. chrF works on characters, so it takes the raw texts (it
drops whitespace itself) and needs no word tokenisation, Chinese included.
"""

from __future__ import annotations

from llmore.evaluation.metrics import sacrebleu_stats
from llmore.evaluation.metrics.base import Batch, MetricResult


def ter(batch: Batch) -> list[MetricResult]:
    """``ter``: edits per reference token (lower is better)."""
    from sacrebleu.metrics.ter import TER

    scorer = TER()
    stats = sacrebleu_stats.statistics(scorer, batch.tokenized_predictions, batch.tokenized_references)
    corpus = sacrebleu_stats.corpus_score(scorer, stats).score / 100 if stats else 0.0
    return [MetricResult("ter", corpus, sacrebleu_stats.sentence_scores(scorer, stats))]


def chrf(batch: Batch) -> list[MetricResult]:
    """``chrf``: character n-gram F-score (chrF2)."""
    from sacrebleu.metrics.chrf import CHRF

    scorer = CHRF()
    stats = sacrebleu_stats.statistics(scorer, batch.predictions, batch.references)
    corpus = sacrebleu_stats.corpus_score(scorer, stats).score / 100 if stats else 0.0
    return [MetricResult("chrf", corpus, sacrebleu_stats.sentence_scores(scorer, stats))]
