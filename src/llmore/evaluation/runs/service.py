"""Starting evaluation runs (every mistake refused before a job starts) and reading their results."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Text, cast, func, or_, select
from sqlalchemy.orm import Session

from llmore.auth.service import Principal
from llmore.datasets import service as data_service
from llmore.datasets import versions
from llmore.datasets.canonical import DataSchema
from llmore.datasets.models import DatasetVersion
from llmore.db.crud import get_or_404
from llmore.errors import AppError, Conflict, NotFound
from llmore.evaluation import metrics
from llmore.evaluation.models import EvalRecord, EvalRun
from llmore.evaluation.runs import items as task_items
from llmore.evaluation.runs import suite_items
from llmore.evaluation.runs.schemas import (
    CompareOut,
    CompareRow,
    EvalRecordOut,
    EvalRunOut,
    EvalRunRequest,
    RecordsPage,
    RunModel,
    TaskSpec,
)
from llmore.jobs import service as jobs_service
from llmore.jobs.models import Job
from llmore.jobs.states import JobState
from llmore.models import service as registry
from llmore.models.lifecycle import Kind
from llmore.models.models import ModelVersion
from llmore.pagination import PageParams, paginate
from llmore.settings import Settings

JOB_KIND = "evaluation.run"
SORTABLE = {"created_at": EvalRun.created_at, "id": EvalRun.id, "name": EvalRun.name}


@dataclass(frozen=True)
class TaskPlan:
    """A task resolved against its dataset version: the split actually used and the metrics to compute."""

    split: str | None
    metrics: list[str]
    items: list[task_items.EvalItem]


# ---------------------------------------------------------------- starting a run


def _resolve_models(session: Session, refs: Sequence[str]) -> list[ModelVersion]:
    """The versions ``refs`` name, each once; unknown references answer 404 naming the list entry."""
    found: list[ModelVersion] = []
    for index, ref in enumerate(refs):
        version = registry.resolve_reference(session, ref, field=f"body.models[{index}]")
        if any(v.id == version.id for v in found):
            raise AppError(f"{registry.reference(version)} is listed twice; list each model version once.",
                           details=[{"field": f"body.models[{index}]", "message": "duplicate model version"}])
        if version.kind == Kind.ADAPTER and version.base_version_id is None:
            raise AppError(f"{registry.reference(version)} is an adapter without a registered base, so it cannot "
                           "be loaded; register it again with its base.",
                           details=[{"field": f"body.models[{index}]", "message": "adapter without base"}])
        found.append(version)
    return found


def _baseline(session: Session, request: EvalRunRequest, chosen: list[ModelVersion]) -> str:
    """The label the others are compared with: the one asked for, else the first adapter's base, else the first."""
    labels = [registry.reference(v) for v in chosen]
    if request.baseline:
        label = registry.reference(registry.resolve_reference(session, request.baseline, field="body.baseline"))
        if label not in labels:
            raise AppError(f"The baseline {label} is not one of the evaluated models; add it to models.",
                           details=[{"field": "body.baseline", "message": f"choose one of: {', '.join(labels)}"}])
        return label
    ids = {v.id: label for v, label in zip(chosen, labels, strict=True)}
    base_of_adapter = next((v.base_version_id for v in chosen if v.kind == Kind.ADAPTER
                            and v.base_version_id in ids), None)
    return ids[base_of_adapter] if base_of_adapter is not None else labels[0]


def load_task_items(settings: Settings, version: DatasetVersion, task: TaskSpec, split: str | None
                    ) -> list[task_items.EvalItem]:
    """The task's items from the stored rows of ``version``."""
    rows = versions.iter_rows(data_service.artifact_store(settings), version.sha256)
    return task_items.task_items(rows, DataSchema(version.data_schema), split=split, template=task.prompt_template,
                                 limit=task.limit)


def plan_task(settings: Settings, session: Session, principal: Principal, task: TaskSpec) -> TaskPlan:
    """The task's items and metrics, refusing a version with no rows, unknown metrics, or missing references."""
    dataset = data_service.get_dataset(session, dataset_id=task.dataset_id, principal=principal)
    version = data_service.get_version(session, dataset=dataset, number=task.number)
    schema = DataSchema(version.data_schema)
    split = task.split or ("test" if (version.splits or {}).get("test") else None)
    if split and version.splits is not None and split not in version.splits:
        raise AppError(f"Version {task.number} of dataset {dataset.name!r} has no {split} split (it has: "
                       f"{', '.join(version.splits) or 'none'}); choose one of those or leave split out.",
                       details=[{"field": "body.task.split", "message": f"no {split} split"}])
    found = load_task_items(settings, version, task, split)
    if not found:
        where = f"its {split} split" if split else "it"
        raise AppError(f"Version {task.number} of dataset {dataset.name!r} gives no prompts: {where} has no rows. "
                       "Choose another split or version.", code="empty_prompt_set",
                       details=[{"field": "body.task.split" if split else "body.task.number", "message": "0 rows"}])
    names = list(task.metrics) if task.metrics else task_items.default_metrics(found, schema)
    metrics.check_metric_names(names, field="body.task.metrics")
    if "embedding_similarity" in names:
        raise AppError("embedding_similarity is not available in evaluation runs (it needs an embedding model "
                       "folder); choose text metrics.", code="unknown_metric",
                       details=[{"field": "body.task.metrics", "message": f"known: {', '.join(metrics.TEXT_METRICS)}"}])
    task_items.require_references(found, schema, names)
    return TaskPlan(split=split, metrics=names, items=found)


def create_run(settings: Settings, session: Session, principal: Principal, request: EvalRunRequest) -> EvalRun:
    """Check the whole request, then queue the ``evaluation.run`` job and record the run."""
    if request.task is None and request.suite is None:
        raise AppError("An evaluation run needs a task (a dataset version), the general suite, or both.",
                       code="nothing_to_evaluate",
                       details=[{"field": "body.task", "message": "give task or suite"}])
    chosen = _resolve_models(session, request.models)
    baseline = _baseline(session, request, chosen)
    config = request.model_dump(mode="json")
    if request.task is not None:
        plan = plan_task(settings, session, principal, request.task)
        config["task"].update(split=plan.split, metrics=plan.metrics, rows=len(plan.items))
    if request.suite is not None:
        paths = suite_items.benchmark_paths(settings, request.suite)
        config["suite"].update(benchmark_files=[str(path) for path in paths],
                               items=len(suite_items.plan_suite(request.suite, paths)))
        suite_items.judge_client(settings, session, request.suite)
    labels = [registry.reference(v) for v in chosen]
    config["models"] = labels
    name = request.name or f"Evaluation of {', '.join(labels)}"
    job = jobs_service.submit_job(session, kind=JOB_KIND, name=name[:200], params={})
    run = EvalRun(name=name[:200], job_id=job.id, owner_id=principal.user_id, config=config, baseline=baseline,
                  models=[RunModel(label=label, model_id=v.model_id, version_number=v.number, kind=v.kind)
                          .model_dump() for label, v in zip(labels, chosen, strict=True)],
                  created_by=principal.user_id)
    session.add(run)
    session.flush()
    return run


# ---------------------------------------------------------------- reading runs


def run_out(run: EvalRun, job: Job) -> EvalRunOut:
    """The API view of a run with its job's state."""
    return EvalRunOut(id=run.id, name=run.name, job_id=run.job_id, state=job.state, progress=job.progress,
                      eta_seconds=job.eta_seconds, error=job.error, created_at=run.created_at,
                      models=[RunModel(**m) for m in run.models], baseline=run.baseline, config=run.config,
                      summary=run.summary, dimensions=run.dimensions, details=run.details)


def finished_run(session: Session, run_id: int) -> EvalRun:
    """The run ``run_id`` when its job succeeded; human evaluation and the deploy gate read only finished runs."""
    run = session.get(EvalRun, run_id)
    if run is None or run.is_deleted:
        raise NotFound(f"No evaluation run with id {run_id}; list runs with GET /api/evaluation/runs.",
                       details=[{"field": "body.run_id", "message": "unknown run"}])
    job = session.get(Job, run.job_id)
    state = job.state if job is not None else "missing"
    if state != JobState.SUCCEEDED:
        pending = {JobState.QUEUED.value: "has not started yet", JobState.RUNNING.value: "is still running"}
        what = pending.get(state, f"ended {state}")
        advice = "try again when it has succeeded" if state in pending else "start a new run and use that one"
        raise Conflict(f"Evaluation run {run.id} '{run.name}' {what} (job {run.job_id}); {advice}.",
                       code="run_not_finished", details=[{"field": "body.run_id", "message": f"job {state}"}])
    return run


def get_run(session: Session, run_id: int) -> EvalRunOut:
    run = get_or_404(session, EvalRun, run_id, label="evaluation run")
    return run_out(run, session.get_one(Job, run.job_id))


def list_runs(session: Session, params: PageParams, *, q: str | None = None) -> tuple[list[EvalRunOut], int]:
    stmt = select(EvalRun)
    if q:
        stmt = stmt.where(EvalRun.name.ilike(f"%{q}%"))
    rows, total = paginate(session, stmt, params, SORTABLE)
    jobs = {job.id: job for job in session.scalars(select(Job).where(Job.id.in_([r.job_id for r in rows])))}
    return [run_out(run, jobs[run.job_id]) for run in rows], total


@dataclass(frozen=True)
class RecordFilter:
    """Which records of a run to list: by model, source, dimension, text, and a score ceiling."""

    model: str | None = None
    source: str | None = None
    dimension: str | None = None
    q: str | None = None
    score: str | None = None
    max_score: float | None = None


def _records_query(session: Session, run_id: int, where: RecordFilter) -> Any:
    get_or_404(session, EvalRun, run_id, label="evaluation run")
    stmt = select(EvalRecord).where(EvalRecord.run_id == run_id)
    if where.model:
        stmt = stmt.where(EvalRecord.model_label == where.model)
    if where.source:
        stmt = stmt.where(EvalRecord.source == where.source)
    if where.dimension:
        stmt = stmt.where(EvalRecord.dimension == where.dimension)
    if where.q:
        needle = f"%{where.q}%"
        # JSON columns hold non-ASCII text as \uXXXX escapes, so the input messages are searched in that form too
        # ("!" escapes LIKE, leaving the backslashes literal on every backend).
        escaped = "%" + json.dumps(where.q)[1:-1].replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%"
        stmt = stmt.where(or_(EvalRecord.output.ilike(needle), EvalRecord.reference.ilike(needle),
                              cast(EvalRecord.input, Text).ilike(needle),
                              cast(EvalRecord.input, Text).ilike(escaped, escape="!")))
    if where.max_score is not None:
        if not where.score:
            raise AppError("max_score filters on one score; name it with score=<metric>.",
                           details=[{"field": "query.score", "message": "required with max_score"}])
        stmt = stmt.where(EvalRecord.scores[where.score].as_float() <= where.max_score)
    return stmt.order_by(EvalRecord.model_label, EvalRecord.source, EvalRecord.item_index, EvalRecord.id)


def list_records(session: Session, run_id: int, where: RecordFilter, *, offset: int, limit: int) -> RecordsPage:
    stmt = _records_query(session, run_id, where)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = session.scalars(stmt.offset(offset).limit(limit)).all()
    return RecordsPage(total=total, items=[EvalRecordOut.model_validate(row) for row in rows])


def iter_records(session: Session, run_id: int, where: RecordFilter) -> list[EvalRecordOut]:
    """Every record matching ``where``, for exports."""
    return [EvalRecordOut.model_validate(row) for row in session.scalars(_records_query(session, run_id, where))]


def compare(session: Session, run_ids: Sequence[int]) -> CompareOut:
    """One row per model of each run with its metrics and dimensions; columns in first-seen order."""
    if not run_ids:
        raise AppError("Name the runs to compare, e.g. runs=1,2.",
                       details=[{"field": "query.runs", "message": "no run ids"}])
    columns: dict[str, None] = {}
    rows = []
    for run_id in run_ids:
        run = get_or_404(session, EvalRun, run_id, label="evaluation run")
        for model in run.models:
            label = model["label"]
            values = {**run.summary.get(label, {}), **run.dimensions.get(label, {})}
            columns.update(dict.fromkeys(values))
            rows.append(CompareRow(run_id=run.id, run_name=run.name, label=label, values=values))
    return CompareOut(columns=list(columns), rows=rows)
