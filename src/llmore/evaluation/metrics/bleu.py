"""BLEU-1..4 per example and over the corpus, computed by sacrebleu on the shared tokens.

sacrebleu collects each example's n-gram statistics once (up to 4-grams); BLEU-n then comes from the
same statistics through ``BLEU.compute_bleu`` with ``max_ngram_order=n``, per example with
sacrebleu's sentence settings (exponential smoothing, effective order) and for the corpus from the
summed statistics with its corpus settings, exactly as ``sentence_score`` and ``corpus_score`` do.
"""

from __future__ import annotations

from llmore.evaluation.metrics import sacrebleu_stats
from llmore.evaluation.metrics.base import Batch, MetricResult

ORDERS = (1, 2, 3, 4)


def bleu(batch: Batch) -> list[MetricResult]:
    """``bleu_1`` … ``bleu_4``."""
    from sacrebleu.metrics.bleu import BLEU

    top = max(ORDERS)
    scorer = BLEU(tokenize="none", force=True, max_ngram_order=top)
    # Layout of one example's statistics: hypothesis length, reference length, matches[top], totals[top].
    stats = sacrebleu_stats.statistics(scorer, batch.tokenized_predictions, batch.tokenized_references)
    summed = [sum(column) for column in zip(*stats, strict=True)] or [0] * (2 + 2 * top)
    results = []
    for order in ORDERS:
        per_example = [
            BLEU.compute_bleu(s[2 : 2 + top], s[2 + top :], s[0], s[1], smooth_method="exp",
                              effective_order=True, max_ngram_order=order).score / 100
            for s in stats
        ]
        corpus = BLEU.compute_bleu(summed[2 : 2 + top], summed[2 + top :], summed[0], summed[1],
                                   smooth_method="exp", max_ngram_order=order)
        results.append(MetricResult(f"bleu_{order}", corpus.score / 100, per_example,
                                    {"brevity_penalty": corpus.bp, "hypothesis_length": summed[0],
                                     "reference_length": summed[1]}))
    return results
