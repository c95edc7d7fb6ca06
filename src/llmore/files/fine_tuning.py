"""Logic of OpenAI-compatible fine-tuning: a request becomes a dataset version and a training run.

The training file is imported once per schema (``openai`` chat rows for ``supervised``, preference
pairs for ``dpo``) and the run starts through :func:`llmore.training.service.start`, so it gets the
same advice, checks and refusals as ``POST /api/training/runs``. OpenAI's hyper-parameters become
overrides of the advice; ``auto`` keeps the advisor's value.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from llmore.auth.service import Principal
from llmore.errors import AppError, NotFound
from llmore.files import service as files_service
from llmore.files.fine_tuning_schemas import (
    FT_JOB_PREFIX,
    FineTuningCheckpoint,
    FineTuningEvent,
    FineTuningHyperparameters,
    FineTuningHyperparametersOut,
    FineTuningJobCreate,
    FineTuningJobError,
    FineTuningJobOut,
    FineTuningMethodOut,
)
from llmore.files.models import FineTuningJob
from llmore.files.paging import cursor_page, page_after, parse_id
from llmore.files.schemas import FilePurpose
from llmore.jobs import service as jobs_service
from llmore.jobs.context import job_dir, log_path
from llmore.jobs.models import Job, JobMetric
from llmore.jobs.registry import get_kind
from llmore.models import bundled
from llmore.models import service as registry
from llmore.settings import Settings
from llmore.training import service as training_service
from llmore.training.advisor import Recipe
from llmore.training.schemas import RunRequest

ADMIN_ROLE = "admin"
DEFAULT_SEED = 42
MAX_LOG_EVENTS = 2000
CHECKPOINT_PREFIX = "checkpoint-"  # transformers' Trainer names them checkpoint-<step>
RECIPE_OF_METHOD = {"supervised": Recipe.SFT, "dpo": Recipe.DPO}
SOURCE_SCHEMA_OF_METHOD = {"supervised": "openai", "dpo": "preference"}
# Where the training service's fields live in an OpenAI request, for OpenAI's ``param``.
PARAM_OF_FIELD = {
    "base_model": "model",
    "dataset_id": "training_file",
    "number": "training_file",
    "recipe": "method.type",
    "epochs": "hyperparameters.n_epochs",
    "per_device_batch_size": "hyperparameters.batch_size",
    "gradient_accumulation_steps": "hyperparameters.batch_size",
    "learning_rate": "hyperparameters.learning_rate_multiplier",
    "beta": "hyperparameters.beta",
    "output_model": "suffix",
}
METRIC_EVENT_NAMES = {"loss": "train_loss", "mean_token_accuracy": "train_mean_token_accuracy",
                      "learning_rate": "learning_rate", "grad_norm": "grad_norm", "epoch": "epoch"}


# ---------------------------------------------------------------- create


def _refuse(message: str, param: str, code: str = "invalid_request") -> AppError:
    return AppError(message, code=code, details=[{"field": param, "message": message}])


def _openai_params(exc: AppError) -> AppError:
    """The training service's refusal with its fields renamed to the OpenAI request's parameters."""
    details = []
    for detail in exc.details:
        field = str(detail.get("field", "")).removeprefix("body.")
        details.append({**detail, "field": PARAM_OF_FIELD.get(field.split(".")[0], field)})
    exc.details = details
    return exc


def _base_model(settings: Settings, session: Session, model: str) -> str:
    """What the training service takes as base: the registry reference, or a bundled model's folder."""
    try:
        registry.resolve_reference(session, model, field="model")
        return model
    except NotFound:
        if model not in bundled.BUNDLED_NAMES:
            raise
    prepared = bundled.get_bundled(model, settings)
    if not prepared.prepared or prepared.prepared_path is None:
        raise _refuse(f"The bundled model {model} is not prepared yet ({prepared.problem or 'not converted'}); "
                      "start `llmore up --demo` once to prepare it.", "model", code="model_not_ready")
    return str(prepared.prepared_path)


def _openai_dpo_row(data: dict[str, Any]) -> dict[str, Any]:
    """OpenAI's DPO row (input.messages, preferred_output, non_preferred_output) as a preference pair."""
    source = data.get("input")
    if isinstance(source, dict) and "preferred_output" in data:
        pair = {"prompt": source.get("messages"), "chosen": data.get("preferred_output"),
                "rejected": data.get("non_preferred_output")}
        return {**pair, "tools": source["tools"]} if "tools" in source else pair
    return data


def _hyperparameters(body: FineTuningJobCreate, method: str) -> FineTuningHyperparameters:
    chosen = getattr(body.method, method, None) if body.method else None
    if chosen is not None:
        return chosen.hyperparameters
    return body.hyperparameters or FineTuningHyperparameters()


def _overrides(hp: FineTuningHyperparameters, method: str) -> dict[str, Any]:
    overrides: dict[str, Any] = {}
    if hp.n_epochs != "auto":
        overrides["epochs"] = hp.n_epochs
    if hp.batch_size != "auto":
        overrides.update(per_device_batch_size=hp.batch_size, gradient_accumulation_steps=1)
    if hp.beta != "auto":
        if method != "dpo":
            raise _refuse("beta is a DPO hyper-parameter; leave it out of a supervised job.", "hyperparameters.beta")
        overrides["beta"] = hp.beta
    return overrides


def _check_request(body: FineTuningJobCreate) -> str:
    """The method type after refusing what this platform does not do (saying what to do instead)."""
    method = body.method.type if body.method else "supervised"
    if method not in RECIPE_OF_METHOD:
        raise _refuse(f"The {method} method is not available here; use supervised or dpo.", "method.type")
    if body.validation_file:
        raise _refuse("validation_file is not used yet: LLMore trains on the training file alone. Leave it out "
                      "(evaluate the result with LLMore's evaluation instead).", "validation_file")
    if body.integrations:
        raise _refuse("Integrations (wandb) are not available; leave integrations out. Metrics are in the job's "
                      "events and on the console's job page.", "integrations")
    return method


def create(settings: Settings, session: Session, principal: Principal, body: FineTuningJobCreate) -> FineTuningJob:
    """Import the training file, advise, and queue the run; refusals name OpenAI's parameter."""
    method = _check_request(body)
    training = files_service.get_file(session, principal, body.training_file, param="training_file")
    if training.purpose != FilePurpose.FINE_TUNE:
        raise _refuse(f"{body.training_file} was uploaded with purpose '{training.purpose}'; upload it again with "
                      "purpose 'fine-tune'.", "training_file", code="invalid_file_purpose")
    hp = _hyperparameters(body, method)
    overrides = _overrides(hp, method)
    version = files_service.dataset_version(
        settings, session, principal, training, source_schema=SOURCE_SCHEMA_OF_METHOD[method], param="training_file",
        adapt=_openai_dpo_row if method == "dpo" else None)
    short_name = body.model.rsplit("/", 1)[-1].split("@")[0].split(":")[0]
    request = RunRequest(base_model=_base_model(settings, session, body.model), dataset_id=version.dataset_id,
                         number=version.number, recipe=RECIPE_OF_METHOD[method], overrides=overrides,
                         output_model=f"{short_name}-{body.suffix}" if body.suffix else None)
    try:
        advice = training_service.advise(settings, session, principal, request)
        if hp.learning_rate_multiplier != "auto":
            rate = advice.values["learning_rate"] * hp.learning_rate_multiplier
            request = request.model_copy(update={"overrides": {**request.overrides, "learning_rate": rate}})
        job = training_service.start(settings, session, principal, request)
    except AppError as exc:
        raise _openai_params(exc) from exc
    seed = DEFAULT_SEED if body.seed is None else body.seed
    if "seed" in get_kind(job.kind).params.model_fields:
        job.params = {**job.params, "seed": seed}
    values = {**advice.values, **request.overrides}
    effective = {"n_epochs": values.get("epochs"),
                 "batch_size": values.get("per_device_batch_size", 1) * values.get("gradient_accumulation_steps", 1),
                 "learning_rate_multiplier": 1.0 if hp.learning_rate_multiplier == "auto"
                 else hp.learning_rate_multiplier}
    if method == "dpo":
        effective["beta"] = values.get("beta")
    row = FineTuningJob(job_id=job.id, model=body.model, training_file=body.training_file, method=method,
                        hyperparameters=effective, suffix=body.suffix, seed=seed)
    session.add(row)
    session.flush()
    return row


# ---------------------------------------------------------------- read, list, cancel


def get(session: Session, principal: Principal, ft_id: str) -> FineTuningJob:
    """A fine-tuning job the caller may see (their own; admins see all), by its OpenAI id."""
    job_id = parse_id(ft_id, FT_JOB_PREFIX, param="fine_tuning_job_id", what="fine-tuning job")
    stmt = select(FineTuningJob).where(FineTuningJob.job_id == job_id)
    if ADMIN_ROLE not in principal.roles:
        stmt = stmt.where(FineTuningJob.created_by == principal.user_id)
    row = session.scalar(stmt)
    if row is None:
        raise NotFound(f"No fine-tuning job with id '{ft_id}'.",
                       details=[{"field": "fine_tuning_job_id", "message": "unknown fine-tuning job id"}])
    return row


def list_jobs(session: Session, principal: Principal, *, after: str | None, limit: int
              ) -> tuple[list[FineTuningJob], bool]:
    stmt = select(FineTuningJob)
    if ADMIN_ROLE not in principal.roles:
        stmt = stmt.where(FineTuningJob.created_by == principal.user_id)
    after_id = parse_id(after, FT_JOB_PREFIX, param="after", what="fine-tuning job") if after else None
    return cursor_page(session, stmt, FineTuningJob.job_id, after=after_id, limit=limit)


def cancel(session: Session, principal: Principal, ft_id: str) -> FineTuningJob:
    row = get(session, principal, ft_id)
    jobs_service.cancel_job(session, job_id=row.job_id)
    return row


def _stamp(moment: datetime | None) -> int | None:
    return int(moment.timestamp()) if moment else None


def to_openai(session: Session, row: FineTuningJob) -> FineTuningJobOut:
    """The ``fine_tuning.job`` object: the request, and the state, result and error of the job running it."""
    job = session.get(Job, row.job_id)
    assert job is not None, "a fine-tuning job keeps its job (jobs are never hard-deleted)"
    status = job.state
    error = None
    if status == "failed":
        error = FineTuningJobError(code="training_failed",
                                   message=job.error or "The training job failed; see its events.")
    finished = job.finished_at if status in ("succeeded", "failed", "cancelled") else None
    estimated = None
    if status == "running" and job.eta_seconds is not None:
        estimated = int(datetime.now(UTC).timestamp() + job.eta_seconds)
    hyperparameters = FineTuningHyperparametersOut(**row.hyperparameters)
    return FineTuningJobOut(
        id=f"{FT_JOB_PREFIX}{row.job_id}", created_at=int(row.created_at.timestamp()), error=error,
        fine_tuned_model=job.result.get("model") if status == "succeeded" else None,
        finished_at=_stamp(finished), hyperparameters=hyperparameters, model=row.model, seed=row.seed,
        status=status, training_file=row.training_file, validation_file=row.validation_file,
        estimated_finish=estimated,
        method=FineTuningMethodOut(type=row.method, **{row.method: {"hyperparameters": hyperparameters.model_dump(
            exclude_none=True)}}),
    )


# ---------------------------------------------------------------- events


def _log_events(settings: Settings, job: Job) -> Iterator[FineTuningEvent]:
    path = log_path(settings, job.id)
    if not path.exists():
        return
    lines = path.read_text(errors="replace").splitlines()[-MAX_LOG_EVENTS:]
    for number, line in enumerate(lines, start=1):
        stamp, text = line[:19], line[20:]
        try:
            created = datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
        except ValueError:
            created, text = job.created_at, line
        lowered = text.lower()
        level = "error" if lowered.startswith(("error", "traceback")) else \
            "warn" if lowered.startswith(("warning", "alert")) else "info"
        yield FineTuningEvent(id=f"ftevent-{job.id}-log{number}", created_at=int(created.timestamp()), level=level,
                              message=text)


def _metric_events(session: Session, job: Job) -> Iterator[FineTuningEvent]:
    points: dict[int, dict[str, Any]] = {}
    rows = session.execute(select(JobMetric.name, JobMetric.step, JobMetric.value, JobMetric.created_at)
                           .where(JobMetric.job_id == job.id, JobMetric.name.in_(METRIC_EVENT_NAMES))
                           .order_by(JobMetric.step))
    for name, step, value, created in rows:
        point = points.setdefault(step, {"step": step, "created_at": created})
        point[METRIC_EVENT_NAMES[name]] = value
    for step, point in points.items():
        created = point.pop("created_at")
        numbers = ", ".join(f"{k} {v:.4g}" for k, v in point.items() if k != "step")
        yield FineTuningEvent(id=f"ftevent-{job.id}-step{step}", created_at=int(created.timestamp()),
                              message=f"Step {step}: {numbers}", data=point, type="metrics")


def events(settings: Settings, session: Session, row: FineTuningJob, *, after: str | None, limit: int
           ) -> tuple[list[FineTuningEvent], bool]:
    """The job's log lines and per-step metrics, newest first, ``limit`` at a time after the event ``after``."""
    job = session.get(Job, row.job_id)
    assert job is not None
    found = [*_log_events(settings, job), *_metric_events(session, job)]
    # Newest first; within one second, later lines and steps first (sorted() is stable, so reverse the input).
    found = sorted(reversed(found), key=lambda event: event.created_at, reverse=True)
    return page_after(found, lambda event: event.id, after=after, limit=limit, what="event")


# ---------------------------------------------------------------- checkpoints


def _checkpoint(row: FineTuningJob, folder: Path) -> FineTuningCheckpoint:
    """One checkpoint folder of the run, with the last training numbers logged up to its step."""
    step = int(folder.name.removeprefix(CHECKPOINT_PREFIX))
    state_file = folder / "trainer_state.json"
    history = json.loads(state_file.read_text()).get("log_history", []) if state_file.is_file() else []
    logged = [entry for entry in history if "loss" in entry and entry.get("step", 0) <= step]
    last = logged[-1] if logged else {}
    metrics = {"step": step, "train_loss": last.get("loss"),
               "train_mean_token_accuracy": last.get("mean_token_accuracy")}
    return FineTuningCheckpoint(id=f"ftckpt-{row.job_id}-{step}", created_at=int(folder.stat().st_mtime),
                                fine_tuned_model_checkpoint=str(folder),
                                fine_tuning_job_id=f"{FT_JOB_PREFIX}{row.job_id}", metrics=metrics, step_number=step)


def checkpoints(settings: Settings, row: FineTuningJob, *, after: str | None, limit: int
                ) -> tuple[list[FineTuningCheckpoint], bool]:
    """The run's saved checkpoints, newest step first; ``fine_tuned_model_checkpoint`` is the folder on the server."""
    folder = job_dir(settings, row.job_id) / "checkpoints"
    found = [path for path in folder.glob(f"{CHECKPOINT_PREFIX}*")
             if path.is_dir() and path.name.removeprefix(CHECKPOINT_PREFIX).isdigit()] if folder.is_dir() else []
    saved = sorted((_checkpoint(row, path) for path in found), key=lambda c: c.step_number, reverse=True)
    return page_after(saved, lambda checkpoint: checkpoint.id, after=after, limit=limit, what="checkpoint")
