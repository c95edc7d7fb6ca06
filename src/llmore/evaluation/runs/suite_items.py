"""The general-suite part of a run: its items (generated, and from local benchmark files) and their scores.

Items and scoring come from :mod:`llmore.evaluation.suite`, creativity grades from a served judge
model (:mod:`llmore.evaluation.judge`); this module turns them into the run's items and folds the
per-item scores into the run's dimension scores and summary.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from llmore.datasets.service import check_import_path
from llmore.errors import AppError
from llmore.evaluation.runs.items import EvalItem
from llmore.evaluation.runs.schemas import SuiteSpec
from llmore.settings import Settings

if TYPE_CHECKING:
    from llmore.evaluation.judge import ChatClient
    from llmore.evaluation.suite import SuiteItem

SUITE = "suite"
BENCHMARK_PREFIX = "benchmark:"
CREATIVITY = "creativity"
JUDGE_CRITERIA = ("relevance",)
"""What the judge grades in creative writing: whether it does what was asked (it cannot be checked for facts)."""
JUDGE_REASON_CHARS = 40
"""A short reason is enough for a per-answer grade and keeps each verdict cheap."""
ITEM_SCORE = "score"
"""Score name of a suite or benchmark record (0..1; None when only a judge could grade it)."""


def _at(field: str, exc: AppError) -> AppError:
    """The same error pointing at ``field`` of the request (the library names its own parameters)."""
    details = [{**d, "field": field} for d in exc.details] or [{"field": field, "message": exc.message}]
    return AppError(exc.message, code=exc.code, details=details)


def benchmark_paths(settings: Settings, spec: SuiteSpec) -> list[Path]:
    """The benchmark files, resolved; each must lie inside the import roots, like dataset imports from the server."""
    paths = []
    for index, location in enumerate(spec.benchmark_files):
        try:
            paths.append(check_import_path(settings, location))
        except AppError as exc:
            raise _at(f"body.suite.benchmark_files[{index}]", exc) from exc
    return paths


def judge_client(settings: Settings, session: Session, spec: SuiteSpec) -> ChatClient | None:
    """The client of the judge model that grades creativity answers; refuses one that no worker serves."""
    from llmore.evaluation.judge import served_chat_client

    if not spec.judge_model:
        return None
    # No max_tokens: the verdict's JSON schema ends it, and the judge's context may be small.
    return served_chat_client(settings, session, spec.judge_model, field_name="body.suite.judge_model",
                              temperature=0)


def plan_suite(spec: SuiteSpec, benchmarks: Sequence[Path]) -> list[EvalItem]:
    """Every suite item of ``spec`` and question of the (checked) benchmark files; refuses an empty item set."""
    from llmore.evaluation.suite import general_suite, load_multiple_choice

    suite = general_suite(per_dimension=spec.per_dimension, seed=spec.seed, dimensions=spec.dimensions)
    found = [_item(SUITE, item) for item in suite]
    for index, path in enumerate(benchmarks):
        try:
            questions = load_multiple_choice(path)
        except AppError as exc:
            raise _at(f"body.suite.benchmark_files[{index}]", exc) from exc
        found += [_item(f"{BENCHMARK_PREFIX}{path.stem}"[:64], item) for item in questions]
    if not found:
        raise AppError("The suite part of this run has no items: per_dimension is 0 and no benchmark files are "
                       "given. Raise per_dimension or add benchmark_files.", code="empty_prompt_set",
                       details=[{"field": "body.suite.per_dimension", "message": "0 items"}])
    return found


def _item(source: str, item: SuiteItem) -> EvalItem:
    dimension = item.dimension.value if item.dimension is not None else None
    return EvalItem(source=source, messages=[{"role": "user", "content": item.prompt}], reference=item.reference,
                    dimension=dimension, check=item)


def _creative(item: EvalItem) -> bool:
    return item.source == SUITE and item.dimension == CREATIVITY


def judge(client: ChatClient, items: Sequence[EvalItem], outputs: Sequence[str], log: Callable[[str], None]
          ) -> list[float | None]:
    """The judge's overall grade (0..1) of each creativity answer; None for other items and for failed verdicts."""
    from llmore.evaluation.judge import ModelCallFailed, grade

    async def one(index: int) -> float | None:
        try:
            verdict = await grade(client, question=items[index].messages[-1]["content"], answer=outputs[index],
                                  criteria=JUDGE_CRITERIA, reason_chars=JUDGE_REASON_CHARS)
        except ModelCallFailed as exc:  # one unusable verdict leaves that answer to distinct-n, not the run failed
            log(f"creativity item {index}: no grade ({exc.message})")
            return None
        return verdict.overall

    positions = [i for i, item in enumerate(items) if _creative(item)]

    async def grade_all() -> list[float | None]:
        return list(await asyncio.gather(*(one(i) for i in positions)))

    judged: list[float | None] = [None] * len(items)
    for position, value in zip(positions, asyncio.run(grade_all()), strict=True):
        judged[position] = value
    return judged


def score(items: Sequence[EvalItem], outputs: Sequence[str], judged: Sequence[float | None] | None = None
          ) -> tuple[list[dict[str, float | None]], dict[str, float], dict[str, float]]:
    """Per item scores, dimension scores (0..100) and benchmark accuracies of one model's answers.

    An item's scores are ``score`` (0..1) and, for instruction items, each instruction followed (1)
    or not (0) and ``strict`` (all followed).

    A creativity item's score is the judge's grade (``judged``, from :func:`judge`); its dimension
    combines those grades with distinct-n over all of the model's creativity answers, and is
    distinct-n alone without a judge.
    """
    from llmore.evaluation.suite import creativity_score, dimension_scores, score_details, score_item

    judged = list(judged) if judged is not None else [None] * len(items)
    per_item = [judged[i] if _creative(item) else score_item(item.check, output)
                for i, (item, output) in enumerate(zip(items, outputs, strict=True))]
    scores: list[dict[str, float | None]] = [
        {ITEM_SCORE: value, **score_details(item.check, output)}
        for item, output, value in zip(items, outputs, per_item, strict=True)]
    suite = [(item.check, value) for item, value in zip(items, per_item, strict=True)
             if item.source == SUITE and value is not None and not _creative(item)]
    dimensions = dimension_scores(suite) if suite else {}
    creative = [i for i, item in enumerate(items) if _creative(item)]
    if creative:
        dimensions[CREATIVITY] = 100.0 * creativity_score([outputs[i] for i in creative],
                                                          [judged[i] for i in creative])
    benchmarks: dict[str, list[float]] = {}
    for item, value in zip(items, per_item, strict=True):
        if item.source.startswith(BENCHMARK_PREFIX):
            benchmarks.setdefault(item.source, []).append(value or 0.0)
    return scores, dimensions, {source: sum(v) / len(v) for source, v in benchmarks.items()}
