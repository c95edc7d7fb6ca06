"""The ``evaluation.run`` job: move the versions to evaluating, generate every answer, score, store, finish.

The run row (written by the API with the checked request) says what to do; the job finds it by its
own job id. Versions whose lifecycle allows it go to ``evaluating`` at the start and ``evaluated``
at the end; a failed or cancelled run returns them to the state they had before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from llmore.datasets.models import DatasetVersion
from llmore.errors import AppError
from llmore.evaluation import metrics
from llmore.evaluation.judge import ChatClient
from llmore.evaluation.models import EvalRecord, EvalRun
from llmore.evaluation.runs import suite_items
from llmore.evaluation.runs.generation import Answer, Target, generate
from llmore.evaluation.runs.items import EvalItem
from llmore.evaluation.runs.schemas import GenerationSpec, SuiteSpec, TaskSpec
from llmore.evaluation.runs.service import load_task_items
from llmore.jobs.context import JobContext
from llmore.jobs.registry import NoParams
from llmore.models import service as registry
from llmore.models.lifecycle import Kind, State, refusal
from llmore.models.models import ModelVersion
from llmore.settings import Settings
from llmore.training.base_models import converted_gguf

SpecT = TypeVar("SpecT", bound=BaseModel)
SUITE_OVERALL = "suite_overall"


def _spec(cls: type[SpecT], raw: dict[str, Any]) -> SpecT:
    """A spec from the stored config, leaving out what the API added (resolved split, row counts)."""
    return cls.model_validate({key: value for key, value in raw.items() if key in cls.model_fields})


def _version(session: Session, model_id: int, number: int) -> ModelVersion:
    version = session.scalar(select(ModelVersion).where(ModelVersion.model_id == model_id,
                                                        ModelVersion.number == number))
    if version is None:
        raise AppError(f"Version {number} of model {model_id} no longer exists.")
    return version


def _folder(settings: Settings, version: ModelVersion, log: Any) -> Path:
    path = Path(version.path)
    return converted_gguf(settings, path, log=log) if version.format == "gguf" else path


def _targets(ctx: JobContext, session: Session, run: EvalRun) -> list[Target]:
    targets = []
    for model in run.models:
        version = _version(session, model["model_id"], model["version_number"])
        if version.kind == Kind.ADAPTER:
            base = session.get_one(ModelVersion, version.base_version_id)
            targets.append(Target(model["label"], _folder(ctx.settings, base, ctx.log), Path(version.path)))
        else:
            targets.append(Target(model["label"], _folder(ctx.settings, version, ctx.log)))
    return targets


@contextmanager
def _evaluating(ctx: JobContext, run: EvalRun) -> Iterator[None]:
    """Versions in ``evaluating`` while the body runs; ``evaluated`` after, their old state after a failure."""
    moved: dict[int, State] = {}
    with ctx.sessions.begin() as session:
        for model in run.models:
            version = _version(session, model["model_id"], model["version_number"])
            current = State(version.state)
            if refusal(current, State.EVALUATING, require_approval=True, label=model["label"]) is None:
                registry.transition(session, version=version, to=State.EVALUATING,
                                    reason=f"evaluation run {run.id} (job {ctx.job_id}) started")
                moved[version.id] = current
            else:
                ctx.log(f"{model['label']} stays {current.value}: its lifecycle does not allow evaluating now")
    try:
        yield
    except BaseException:
        _move(ctx, moved, None, f"evaluation run {run.id} did not finish")
        raise
    _move(ctx, moved, State.EVALUATED, f"evaluation run {run.id} finished")


def _move(ctx: JobContext, moved: dict[int, State], to: State | None, reason: str) -> None:
    with ctx.sessions.begin() as session:
        for version_id, before in moved.items():
            version = session.get_one(ModelVersion, version_id)
            if version.state == State.EVALUATING:
                registry.transition(session, version=version, to=to or before, reason=reason)


def _items(ctx: JobContext, session: Session, run: EvalRun) -> tuple[TaskSpec | None, list[EvalItem]]:
    task = _spec(TaskSpec, run.config["task"]) if run.config.get("task") else None
    found: list[EvalItem] = []
    if task is not None:
        version = session.scalar(select(DatasetVersion).where(DatasetVersion.dataset_id == task.dataset_id,
                                                              DatasetVersion.number == task.number))
        if version is None:
            raise AppError(f"Dataset {task.dataset_id} no longer has version {task.number}.")
        found += load_task_items(ctx.settings, version, task, run.config["task"].get("split"))
    if run.config.get("suite"):
        suite = _spec(SuiteSpec, run.config["suite"])
        found += suite_items.plan_suite(suite, [Path(location) for location in suite.benchmark_files])
    return task, found


@dataclass
class Scored:
    """One model's scores: per item, corpus-level (summary), per dimension, and the metrics' details."""

    items: list[dict[str, float | None]]
    summary: dict[str, float] = field(default_factory=dict)
    dimensions: dict[str, float] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)


def _score(task: TaskSpec | None, items: Sequence[EvalItem], answers: list[Answer], judge: ChatClient | None,
           log: Callable[[str], None]) -> Scored:
    """Score one model's answers: task metrics, suite and benchmark items, dimensions."""
    outputs = [answer.text for answer in answers]
    scored = Scored(items=[{} for _ in items])
    task_rows = [i for i, item in enumerate(items) if item.source == "task"]
    if task is not None and task_rows:
        results = metrics.compute(task.metrics or [], [outputs[i] for i in task_rows],
                                  [[items[i].reference or ""] for i in task_rows], chinese=task.chinese)
        for name, result in results.items():
            scored.summary[name] = result.score
            scored.details.update(result.details)  # per-label precision/recall/F1, METEOR's WordNet use
            for position, row in enumerate(task_rows):
                scored.items[row][name] = result.per_example[position]
    suite_rows = [i for i, item in enumerate(items) if item.source != "task"]
    if suite_rows:
        asked, said = [items[i] for i in suite_rows], [outputs[i] for i in suite_rows]
        judged = suite_items.judge(judge, asked, said, log) if judge is not None else None
        per_item, scored.dimensions, benchmarks = suite_items.score(asked, said, judged)
        for row, item_scores in zip(suite_rows, per_item, strict=True):
            scored.items[row] = item_scores
        scored.summary.update(benchmarks)
        if scored.dimensions:
            scored.summary[SUITE_OVERALL] = sum(scored.dimensions.values()) / len(scored.dimensions)
    return scored


def _records(run_id: int, label: str, items: Sequence[EvalItem], answers: list[Answer],
             scores: list[dict[str, float | None]]) -> list[EvalRecord]:
    positions: dict[str, int] = {}
    records = []
    for item, answer, item_scores in zip(items, answers, scores, strict=True):
        index = positions[item.source] = positions.get(item.source, -1) + 1
        records.append(EvalRecord(run_id=run_id, model_label=label, item_index=index, source=item.source,
                                  dimension=item.dimension, input=item.messages, reference=item.reference,
                                  output=answer.text, scores=item_scores))
    return records


def evaluation_job(ctx: JobContext, params: NoParams) -> dict[str, Any]:
    """Evaluate the run of this job: answers from every model, metrics and suite scores, stored records."""
    with ctx.sessions() as session:
        run = session.scalar(select(EvalRun).where(EvalRun.job_id == ctx.job_id))
        if run is None:
            raise AppError(f"Job {ctx.job_id} has no evaluation run; start runs with POST /api/evaluation/runs.")
        session.expunge(run)
        task, items = _items(ctx, session, run)
        targets = _targets(ctx, session, run)
    generation = _spec(GenerationSpec, run.config.get("generation") or {})
    total = len(items) * len(targets)
    done = 0
    ctx.log(f"{len(items)} prompts × {len(targets)} models; all submitted at once to the batching loop")

    def answered() -> None:
        nonlocal done
        done += 1
        ctx.progress(done, total + len(targets), f"{done}/{total} answers")

    with _evaluating(ctx, run):
        answers = generate(targets, [item.messages for item in items], generation, answered, ctx.log)
        with ctx.sessions() as session:
            suite = run.config.get("suite")
            judge = suite_items.judge_client(ctx.settings, session, _spec(SuiteSpec, suite)) if suite else None
        scored: dict[str, Scored] = {}
        for target in targets:
            failed = [a.error for a in answers[target.label] if a.error]
            if failed:
                ctx.log(f"{target.label}: {len(failed)} prompts refused by the engine, e.g. {failed[0]}")
            scored[target.label] = _score(task, items, answers[target.label], judge, ctx.log)
            done += 1
            ctx.progress(done, total + len(targets), f"scored {target.label}")
        with ctx.sessions.begin() as session:
            for label, found in scored.items():
                session.add_all(_records(run.id, label, items, answers[label], found.items))
            stored = session.get_one(EvalRun, run.id)
            stored.summary = {label: found.summary for label, found in scored.items()}
            stored.dimensions = {label: found.dimensions for label, found in scored.items() if found.dimensions}
            stored.details = {label: found.details for label, found in scored.items() if found.details}
            summary = stored.summary
    ctx.add_result(eval_run_id=run.id)
    return {"eval_run_id": run.id, "summary": summary}

