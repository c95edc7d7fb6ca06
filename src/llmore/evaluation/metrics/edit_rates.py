"""TER and chrF by sacrebleu.

TER runs on the shared tokens (sacrebleu's TER only splits on spaces); the corpus TER pools edits
and reference lengths as sacrebleu does. chrF works on characters, so it takes the raw texts (it
drops whitespace itself) and needs no word tokenisation, Chinese included.
"""

from __future__ import annotations

from llmore.evaluation.metrics.base import Batch, MetricResult


def ter(batch: Batch) -> list[MetricResult]:
    """``ter``: edits per reference token (lower is better)."""
    from sacrebleu.metrics.ter import TER

    scorer = TER()
    scores = [
        scorer.sentence_score(prediction, references)
        for prediction, references in zip(batch.tokenized_predictions, batch.tokenized_references, strict=True)
    ]
    edits, ref_length = sum(s.num_edits for s in scores), sum(s.ref_length for s in scores)
    corpus = edits / ref_length if ref_length else (1.0 if edits else 0.0)  # sacrebleu's convention
    return [MetricResult("ter", corpus, [s.score / 100 for s in scores])]


def chrf(batch: Batch) -> list[MetricResult]:
    """``chrf``: character n-gram F-score (chrF2)."""
    from sacrebleu.metrics.chrf import CHRF

    scorer = CHRF()
    per_example = [
        scorer.sentence_score(prediction, references).score / 100
        for prediction, references in zip(batch.predictions, batch.references, strict=True)
    ]
    references_by_stream = _reference_streams(batch.references)
    corpus = scorer.corpus_score(batch.predictions, references_by_stream).score / 100
    return [MetricResult("chrf", corpus, per_example)]


def _reference_streams(references: list[list[str]]) -> list[list[str | None]]:
    """sacrebleu's corpus layout: stream i holds every example's i-th reference (None where it has fewer)."""
    width = max((len(refs) for refs in references), default=0)
    return [[refs[i] if i < len(refs) else None for refs in references] for i in range(width)]
