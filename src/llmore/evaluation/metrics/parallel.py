"""Metric groups computed side by side in forked worker processes.

The metrics are pure Python inside their libraries (sacrebleu, rouge-score, nltk), so threads would
not help; forked processes inherit the already tokenised batch instead of receiving it pickled, and
each returns only its results. Used by jobs and the benchmark on large batches; small batches and
the API server stay in-process.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor

from llmore.evaluation.metrics.base import Batch, MetricResult

MIN_EXAMPLES_PER_WORKER = 500
"""Below this a fork costs more than it saves."""

Task = Callable[[Batch], list[MetricResult]]
_inherited: tuple[Batch, Sequence[Task]] | None = None


def _run(index: int) -> list[MetricResult]:
    assert _inherited is not None, "worker was not forked from run_tasks"
    batch, tasks = _inherited
    return tasks[index](batch)


def run_tasks(batch: Batch, tasks: Sequence[Task], *, workers: int) -> list[MetricResult]:
    """Every task's results, in order; in ``workers`` forked processes when the batch is large enough."""
    workers = min(workers, len(tasks), max(1, len(batch.predictions) // MIN_EXAMPLES_PER_WORKER))
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return [result for task in tasks for result in task(batch)]
    global _inherited
    batch.prediction_tokens, batch.reference_tokens  # noqa: B018 - tokenise once, before forking
    _inherited = (batch, tasks)
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            return [result for results in pool.map(_run, range(len(tasks))) for result in results]
    finally:
        _inherited = None
