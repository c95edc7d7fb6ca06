"""What a metric receives and returns: the batch of examples, its shared tokens, and one result per metric."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from llmore.errors import AppError
from llmore.evaluation.metrics.tokenize import ChineseTokenization, tokenize_all


@dataclass(frozen=True)
class MetricResult:
    """One metric over a batch: ``score`` for the whole corpus, one value per example, and extras.

    Scores are fractions (BLEU 0.7, not 70); TER is an edit rate and may exceed 1 (lower is better).
    ``score`` is the corpus-level value where the metric defines one (BLEU, TER and chrF pool their
    statistics over the corpus, as sacrebleu does), otherwise the mean of ``per_example``.
    """

    name: str
    score: float
    per_example: list[float]
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class Batch:
    """Predictions with their references (any number per example), tokenised once on demand."""

    predictions: list[str]
    references: list[list[str]]
    chinese: ChineseTokenization = ChineseTokenization.JIEBA

    def __post_init__(self) -> None:
        if len(self.predictions) != len(self.references):
            raise AppError(
                f"There are {len(self.predictions)} predictions but {len(self.references)} reference lists; "
                "give one list of references per prediction.",
                code="metric_input_mismatch",
                details=[{"field": "references", "message": "must have one entry per prediction"}],
            )

    def require_references(self, metric: str) -> None:
        """Refuse a reference-based metric when some example has no reference, naming the first one."""
        for index, refs in enumerate(self.references):
            if not any(ref.strip() for ref in refs):
                raise AppError(
                    f"Metric '{metric}' compares predictions with references, but example {index} has none. "
                    "Use a dataset whose rows carry an answer (prompt_answer, chat with an assistant turn, "
                    "classification), or choose metrics that need no reference.",
                    code="missing_references",
                    details=[{"field": f"references[{index}]", "message": "no reference text"}],
                )

    @cached_property
    def prediction_tokens(self) -> list[list[str]]:
        return tokenize_all(self.predictions, self.chinese)

    @cached_property
    def reference_tokens(self) -> list[list[list[str]]]:
        return self.nest_references(tokenize_all([ref for refs in self.references for ref in refs], self.chinese))

    def nest_references(self, flat: list[list[str]]) -> list[list[list[str]]]:
        """Tokens of all references in one list, regrouped per example."""
        nested: list[list[list[str]]] = []
        start = 0
        for refs in self.references:
            nested.append(flat[start : start + len(refs)])
            start += len(refs)
        return nested

    @cached_property
    def tokenized_predictions(self) -> list[str]:
        """Predictions as space-joined tokens, for the sacrebleu metrics with tokenisation 'none'."""
        return [" ".join(tokens) for tokens in self.prediction_tokens]

    @cached_property
    def tokenized_references(self) -> list[list[str]]:
        return [[" ".join(tokens) for tokens in refs] for refs in self.reference_tokens]


def mean(values: list[float]) -> float:
    """The average, 0.0 for an empty list (an empty batch scores nothing rather than failing)."""
    return sum(values) / len(values) if values else 0.0
