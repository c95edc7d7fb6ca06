"""BLEU-1..4 per example and over the corpus, computed by sacrebleu on the shared tokens.

sacrebleu extracts each example's n-gram statistics once (up to 4-grams); BLEU-n then comes from the
same statistics through ``BLEU.compute_bleu`` with ``max_ngram_order=n``, and the corpus score from
the summed statistics, exactly as sacrebleu's ``corpus_score`` pools them. Sentence scores use
sacrebleu's sentence settings (exponential smoothing, effective order); the corpus score uses its
corpus settings.
"""

from __future__ import annotations

from llmore.evaluation.metrics.base import Batch, MetricResult

ORDERS = (1, 2, 3, 4)


def bleu(batch: Batch) -> list[MetricResult]:
    """``bleu_1`` … ``bleu_4``."""
    from sacrebleu.metrics.bleu import BLEU

    scorer = BLEU(tokenize="none", effective_order=True, max_ngram_order=max(ORDERS))
    stats = [
        scorer.sentence_score(prediction, references)
        for prediction, references in zip(batch.tokenized_predictions, batch.tokenized_references, strict=True)
    ]
    counts = [sum(s.counts[i] for s in stats) for i in range(max(ORDERS))]
    totals = [sum(s.totals[i] for s in stats) for i in range(max(ORDERS))]
    sys_len, ref_len = sum(s.sys_len for s in stats), sum(s.ref_len for s in stats)
    results = []
    for order in ORDERS:
        per_example = [
            BLEU.compute_bleu(s.counts, s.totals, s.sys_len, s.ref_len, smooth_method="exp",
                              effective_order=True, max_ngram_order=order).score / 100
            for s in stats
        ]
        corpus = BLEU.compute_bleu(counts, totals, sys_len, ref_len, smooth_method="exp", max_ngram_order=order)
        results.append(MetricResult(f"bleu_{order}", corpus.score / 100, per_example,
                                    {"brevity_penalty": corpus.bp, "hypothesis_length": sys_len,
                                     "reference_length": ref_len}))
    return results
