"""Logic of the jobs domain: submit, list, cancel, retry, read logs and metrics."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from llmore.db.crud import get_or_404
from llmore.db.types import utcnow
from llmore.errors import Conflict
from llmore.jobs.context import log_path
from llmore.jobs.models import Job, JobMetric
from llmore.jobs.registry import get_kind
from llmore.jobs.states import TERMINAL, CancelReason, JobState
from llmore.pagination import PageParams, paginate
from llmore.settings import Settings

LOG_CHUNK_BYTES = 64 * 1024

# Only indexed keys: sorting 100k rows by an unindexed column costs hundreds of milliseconds.
SORTABLE = {"created_at": Job.created_at, "id": Job.id}


def submit_job(
    session: Session,
    *,
    kind: str,
    params: dict[str, Any] | None = None,
    name: str = "",
    priority: int = 0,
    max_attempts: int = 1,
    timeout_seconds: float | None = None,
    gpus: int = 0,
) -> Job:
    """Queue a job of a registered kind after validating its parameters."""
    job_kind = get_kind(kind)
    parsed = job_kind.validate_params(params or {})
    job = Job(
        kind=kind,
        name=name or kind,
        params=parsed.model_dump(mode="json"),
        priority=priority,
        max_attempts=max_attempts,
        timeout_seconds=timeout_seconds if timeout_seconds is not None else job_kind.default_timeout_seconds,
        gpus=gpus,
        state=JobState.QUEUED.value,
    )
    session.add(job)
    session.flush()
    return job


def list_jobs(
    session: Session,
    params: PageParams,
    *,
    state: JobState | None = None,
    kind: str | None = None,
    kind_prefix: str | None = None,
    q: str | None = None,
) -> tuple[list[Job], int]:
    stmt = select(Job)
    if state is not None:
        stmt = stmt.where(Job.state == state.value)
    if kind:
        stmt = stmt.where(Job.kind == kind)
    if kind_prefix:
        # autoescape: '_' and '%' in a prefix are literal characters, not LIKE wildcards
        stmt = stmt.where(Job.kind.startswith(kind_prefix, autoescape=True))
    if q:
        stmt = stmt.where(or_(Job.name.ilike(f"%{q}%"), Job.kind.ilike(f"%{q}%")))
    rows, total = paginate(session, stmt, params, SORTABLE)
    return list(rows), total


def count_by_state(session: Session) -> dict[str, int]:
    counts = {state.value: 0 for state in JobState}
    for state, count in session.execute(select(Job.state, func.count()).group_by(Job.state)):
        counts[state] = count
    return counts


def cancel_job(session: Session, *, job_id: int, reason: CancelReason = CancelReason.USER) -> Job:
    """Cancel a queued job at once; ask a running one to stop (the dispatcher terminates it)."""
    job = get_or_404(session, Job, job_id)
    if job.state in TERMINAL:
        raise Conflict(f"Job {job_id} already {job.state}; there is nothing to cancel.", code="job_finished")
    if job.state == JobState.QUEUED:
        job.state = JobState.CANCELLED.value
        job.finished_at = utcnow()
    job.cancel_requested = True
    job.cancel_reason = reason.value
    session.flush()
    return job


def retry_job(session: Session, *, job_id: int) -> Job:
    """Queue a finished (failed, cancelled or succeeded) job to run again; its log is kept."""
    job = get_or_404(session, Job, job_id)
    if job.state not in TERMINAL:
        raise Conflict(f"Job {job_id} is {job.state}; only finished jobs can be retried.", code="job_not_finished")
    reset_for_queue(job)
    job.attempts = 0
    session.flush()
    return job


def reset_for_queue(job: Job) -> None:
    """Put a job back in the queue with its run-specific fields cleared."""
    job.state = JobState.QUEUED.value
    job.queued_at = utcnow()
    job.progress = 0.0
    job.progress_message = ""
    job.eta_seconds = None
    job.cancel_requested = False
    job.cancel_reason = None
    job.executor_ref = None
    job.assigned_gpus = None
    job.exit_code = None
    job.started_at = None
    job.finished_at = None


def read_log(settings: Settings, job: Job, *, offset: int, limit: int = LOG_CHUNK_BYTES) -> tuple[str, int, bool]:
    """Log text from byte ``offset``: (text, next offset, whether the job ended and all was read)."""
    path = log_path(settings, job.id)
    text, consumed = _decode_whole_chars(_read_bytes(path, offset, limit))
    next_offset = offset + consumed
    size = path.stat().st_size if path.exists() else 0
    return text, next_offset, job.state in TERMINAL and next_offset >= size


def _read_bytes(path: Path, offset: int, limit: int) -> bytes:
    if not path.exists():
        return b""
    with path.open("rb") as handle:
        handle.seek(offset)
        return handle.read(limit)


def _decode_whole_chars(data: bytes) -> tuple[str, int]:
    """Decode UTF-8 but hold back a character cut at the end of the chunk: (text, bytes used)."""
    try:
        return data.decode("utf-8"), len(data)
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data":
            return data[: exc.start].decode("utf-8", "replace"), exc.start
        return data.decode("utf-8", "replace"), len(data)


def metric_series(session: Session, *, job_id: int) -> dict[str, list[dict[str, float]]]:
    """Every metric of a job as ``{name: [{step, value}, ...]}`` ordered by step."""
    get_or_404(session, Job, job_id)
    series: dict[str, list[dict[str, float]]] = defaultdict(list)
    rows = session.execute(
        select(JobMetric.name, JobMetric.step, JobMetric.value)
        .where(JobMetric.job_id == job_id)
        .order_by(JobMetric.name, JobMetric.step)
    )
    for name, step, value in rows:
        series[name].append({"step": step, "value": value})
    return dict(series)
