"""Metric groups computed side by side in forked worker processes.

The metrics are pure Python inside their libraries (sacrebleu, rouge-score, nltk), so threads would
not help. Texts are first tokenised in chunks across the workers; then forked processes inherit the
tokenised batch instead of receiving it pickled, and each returns only its metric results. Used
by jobs, the CLI and the benchmark on large batches; small batches stay in-process.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor

from llmore.evaluation.metrics.base import Batch, MetricResult
from llmore.evaluation.metrics.tokenize import ChineseTokenization, tokenize_all

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
    context = multiprocessing.get_context("fork")
    # Tokenise once, in parallel too (jieba is the slowest step on Chinese), before the metric workers fork.
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        batch.prediction_tokens = _tokenize_in(pool, batch.predictions, batch.chinese, workers)
        flat = _tokenize_in(pool, [ref for refs in batch.references for ref in refs], batch.chinese, workers)
    batch.reference_tokens = batch.nest_references(flat)
    _inherited = (batch, tasks)
    try:
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            return [result for results in pool.map(_run, range(len(tasks))) for result in results]
    finally:
        _inherited = None


def _tokenize_in(pool: ProcessPoolExecutor, texts: list[str], chinese: ChineseTokenization,
                 workers: int) -> list[list[str]]:
    size = -(-len(texts) // workers)
    chunks = [texts[start : start + size] for start in range(0, len(texts), size)]
    return [tokens for part in pool.map(tokenize_all, chunks, [chinese] * len(chunks)) for tokens in part]
