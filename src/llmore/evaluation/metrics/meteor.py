"""METEOR by nltk on the shared tokens: exact, Porter-stem and WordNet-synonym matches.

With several references nltk keeps the best. WordNet comes from :mod:`.wordnet`; without it the
synonym stage is skipped and ``details["wordnet"]`` is false, so a lower score can be explained.
"""

from __future__ import annotations

from llmore.evaluation.metrics.base import Batch, MetricResult, mean
from llmore.evaluation.metrics.wordnet import NoSynonyms, load_wordnet


def meteor(batch: Batch) -> list[MetricResult]:
    """``meteor``."""
    from nltk.translate.meteor_score import meteor_score

    wordnet = load_wordnet()
    per_example = [
        meteor_score(references, prediction, wordnet=wordnet or NoSynonyms())
        for prediction, references in zip(batch.prediction_tokens, batch.reference_tokens, strict=True)
    ]
    return [MetricResult("meteor", mean(per_example), per_example, {"wordnet": wordnet is not None})]
