"""Text metrics over a batch of predictions and references, and for a single pair.

Every metric is computed by its reference implementation (sacrebleu, rouge-score, nltk,
scikit-learn, sentence-transformers) on tokens shared by all metrics (:mod:`.tokenize`).
:func:`compute` is the batch API, :func:`score_pair` the single-pair one; pass@k, which scores
samples rather than references, is :mod:`.pass_at_k`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from llmore.errors import AppError
from llmore.evaluation.metrics import bleu, classification, edit_rates, embedding, meteor, rouge
from llmore.evaluation.metrics.base import Batch, MetricResult
from llmore.evaluation.metrics.parallel import run_tasks
from llmore.evaluation.metrics.tokenize import ChineseTokenization


@dataclass(frozen=True)
class MetricGroup:
    """Metrics computed together from one pass over the batch (BLEU-1..4 share their n-gram counts)."""

    names: tuple[str, ...]
    compute: Callable[[Batch], list[MetricResult]]
    description: str


GROUPS = (
    MetricGroup(("exact_match",), classification.exact_match, "prediction equals a reference after trimming"),
    MetricGroup(("accuracy",), classification.accuracy, "prediction equals the gold label"),
    MetricGroup(("precision", "recall", "f1"), classification.precision_recall_f1,
                "macro precision/recall/F1 over gold labels, with per-label values (scikit-learn)"),
    MetricGroup(tuple(f"bleu_{n}" for n in bleu.ORDERS), bleu.bleu, "BLEU-1..4, sentence and corpus (sacrebleu)"),
    MetricGroup(tuple(rouge.ROUGE_TYPES.values()), rouge.rouge, "ROUGE-1/2/L F-measure (rouge-score)"),
    MetricGroup(("meteor",), meteor.meteor, "METEOR with stems and WordNet synonyms (nltk)"),
    MetricGroup(("ter",), edit_rates.ter, "translation edit rate, lower is better (sacrebleu)"),
    MetricGroup(("chrf",), edit_rates.chrf, "character n-gram F-score chrF2 (sacrebleu)"),
    MetricGroup(("embedding_similarity",), lambda batch: [], "cosine of sentence embeddings (sentence-transformers)"),
)
METRIC_NAMES = tuple(name for group in GROUPS for name in group.names)
TEXT_METRICS = tuple(name for name in METRIC_NAMES if name != "embedding_similarity")
"""Metrics that need no model: what the benchmark times."""


def check_metric_names(names: Sequence[str], *, field: str = "metrics") -> None:
    """Refuse unknown metric names, listing the known ones."""
    unknown = [name for name in names if name not in METRIC_NAMES]
    if unknown or not names:
        raise AppError(
            f"Unknown metrics: {', '.join(unknown)}." if unknown else "Choose at least one metric.",
            code="unknown_metric",
            details=[{"field": field, "message": f"known metrics: {', '.join(METRIC_NAMES)}"}],
        )


def compute(
    names: Sequence[str],
    predictions: list[str],
    references: list[list[str]],
    *,
    chinese: ChineseTokenization = ChineseTokenization.JIEBA,
    embedding_model: Path | None = None,
    workers: int = 1,
) -> dict[str, MetricResult]:
    """The requested metrics over the batch, by name; every metric here needs references.

    ``workers`` > 1 computes metric groups in that many forked processes (for large batches).
    """
    check_metric_names(names)
    batch = Batch(predictions, references, chinese)
    tasks = []
    for group in GROUPS:
        wanted = [name for name in group.names if name in names]
        if not wanted:
            continue
        batch.require_references(wanted[0])
        if group.names == ("embedding_similarity",):
            if embedding_model is None:
                raise AppError("embedding_similarity needs a sentence-transformers model folder.",
                               code="missing_embedding_model",
                               details=[{"field": "embedding_model", "message": "give the model's path"}])
            tasks.append(partial(embedding.embedding_similarity, model_path=embedding_model))
        else:
            tasks.append(group.compute)
    # The model metric runs in this process: a forked copy of torch would load the model again.
    model_tasks = [task for task in tasks if isinstance(task, partial)]
    text_tasks = [task for task in tasks if not isinstance(task, partial)]
    results = run_tasks(batch, text_tasks, workers=workers)
    results += [result for task in model_tasks for result in task(batch)]
    by_name = {result.name: result for result in results}
    return {name: by_name[name] for name in names}


def score_pair(
    names: Sequence[str],
    prediction: str,
    references: list[str],
    *,
    chinese: ChineseTokenization = ChineseTokenization.JIEBA,
    embedding_model: Path | None = None,
) -> dict[str, float]:
    """The metrics of one prediction against its references."""
    results = compute(names, [prediction], [references], chinese=chinese, embedding_model=embedding_model)
    return {name: result.per_example[0] for name, result in results.items()}
