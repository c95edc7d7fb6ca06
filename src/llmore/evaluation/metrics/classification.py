"""Exact match, accuracy, and precision/recall/F1 (macro and per label) by scikit-learn.

Answers are compared after trimming surrounding whitespace; exact match keeps the best of several
references. For accuracy and F1 the first reference is the gold label.
"""

from __future__ import annotations

from llmore.evaluation.metrics.base import Batch, MetricResult, mean


def _gold(batch: Batch) -> list[str]:
    return [refs[0].strip() for refs in batch.references]


def exact_match(batch: Batch) -> list[MetricResult]:
    """``exact_match``: 1 when the prediction equals any reference."""
    per_example = [
        float(any(prediction.strip() == ref.strip() for ref in refs))
        for prediction, refs in zip(batch.predictions, batch.references, strict=True)
    ]
    return [MetricResult("exact_match", mean(per_example), per_example)]


def accuracy(batch: Batch) -> list[MetricResult]:
    """``accuracy``: the share of predictions equal to the gold label."""
    per_example = [float(p.strip() == g) for p, g in zip(batch.predictions, _gold(batch), strict=True)]
    return [MetricResult("accuracy", mean(per_example), per_example)]


def precision_recall_f1(batch: Batch) -> list[MetricResult]:
    """``precision``, ``recall`` and ``f1``, macro-averaged over the gold labels, with each label's values.

    Labels are those that occur in the gold answers; a prediction outside them counts as a miss
    for its gold label (and is listed in ``details["unknown_predictions"]``).
    """
    from sklearn.metrics import precision_recall_fscore_support

    gold = _gold(batch)
    predicted = [p.strip() for p in batch.predictions]
    labels = sorted(set(gold))
    precision, recall, f1, support = precision_recall_fscore_support(
        gold, predicted, labels=labels, average=None, zero_division=0.0
    )
    correct = [float(p == g) for p, g in zip(predicted, gold, strict=True)]
    per_label = {
        label: {"precision": float(precision[i]), "recall": float(recall[i]), "f1": float(f1[i]),
                "support": int(support[i])}
        for i, label in enumerate(labels)
    }
    unknown = sorted(set(predicted) - set(labels))
    details = {"per_label": per_label, "unknown_predictions": unknown[:50]}
    return [
        MetricResult(name, float(values.mean()) if len(labels) else 0.0, correct, details)
        for name, values in (("precision", precision), ("recall", recall), ("f1", f1))
    ]
