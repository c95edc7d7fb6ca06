"""Entry point of a job's own process: ``python -m llmore.jobs.runner <job_id>``.

It loads the job, runs its kind's function with a :class:`JobContext`, and records the outcome
itself (succeeded, failed with the traceback in the log, cancelled, or re-queued for another
attempt). The dispatcher only steps in when the process dies without reporting.
"""

from __future__ import annotations

import signal
import sys
import threading
import traceback
from types import FrameType
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from llmore.db.engine import make_engine, make_session_factory
from llmore.db.types import utcnow
from llmore.errors import AppError
from llmore.jobs.context import JobCancelled, JobContext
from llmore.jobs.models import Job
from llmore.jobs.registry import get_kind
from llmore.jobs.states import CancelReason, JobState
from llmore.settings import Settings, load_settings

EXIT_SUCCEEDED = 0
EXIT_FAILED = 1
EXIT_CANCELLED = 3


def runner_env(settings: Settings) -> dict[str, str]:
    """Environment that makes a job process see the same configuration as its dispatcher."""
    return {
        "LLMORE_HOME": str(settings.home),
        "LLMORE_DATABASE_URL": settings.effective_database_url,
        "LLMORE_STORAGE_URL": settings.effective_storage_url,
        "LLMORE_JOB_HEARTBEAT_SECONDS": str(settings.job_heartbeat_seconds),
        "PYTHONUNBUFFERED": "1",
    }


def _raise_cancelled(signum: int, frame: FrameType | None) -> None:
    raise JobCancelled


def _finish(factory: sessionmaker[Session], job_id: int, state: JobState, **values: Any) -> None:
    """Record the outcome unless someone else (the dispatcher) already settled the job."""
    with factory.begin() as session:
        session.execute(
            update(Job).where(Job.id == job_id, Job.state == JobState.RUNNING.value).values(state=state.value, **values)
        )


def run(job_id: int) -> int:
    """Run job ``job_id`` to its end; returns the process exit code."""
    settings = load_settings()
    engine = make_engine(settings.effective_database_url)
    factory = make_session_factory(engine)
    with factory() as session:
        job = session.get(Job, job_id)
        if job is None or job.state != JobState.RUNNING.value:
            print(f"job {job_id} is not running (state: {job and job.state}); nothing to do", flush=True)
            return EXIT_FAILED
        kind, raw_params, attempts, max_attempts = get_kind(job.kind), job.params, job.attempts, job.max_attempts
    ctx = JobContext(job_id=job_id, settings=settings, session_factory=factory, log_file=sys.stdout)
    signal.signal(signal.SIGTERM, _raise_cancelled)
    stop_beating = threading.Event()
    beat = threading.Thread(target=_heartbeat, args=(ctx, stop_beating, settings.job_heartbeat_seconds), daemon=True)
    beat.start()
    ctx.log(f"job {job_id} ({kind.name}) attempt {attempts}/{max_attempts} started")
    try:
        result = kind.load()(ctx, kind.validate_params(raw_params))
        if result:
            ctx.add_result(**result)
        _finish(
            factory,
            job_id,
            JobState.SUCCEEDED,
            progress=1.0,
            eta_seconds=0.0,
            finished_at=utcnow(),
            exit_code=EXIT_SUCCEEDED,
        )
        ctx.log("job succeeded")
        return EXIT_SUCCEEDED
    except JobCancelled:
        return _settle_cancelled(ctx, factory, job_id)
    except BaseException as exc:  # the job's own errors of any kind end here, with the traceback kept
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        traceback.print_exc(file=sys.stdout)
        # A user-facing error already says what and where; other exceptions need their type to be understood.
        summary = (exc.message if isinstance(exc, AppError) else f"{type(exc).__name__}: {exc}")[:2000]
        if attempts < max_attempts:
            ctx.log(f"attempt {attempts} failed ({summary}); queued for attempt {attempts + 1}/{max_attempts}")
            _finish(
                factory,
                job_id,
                JobState.QUEUED,
                error=summary,
                exit_code=EXIT_FAILED,
                executor_ref=None,
                queued_at=utcnow(),
            )
        else:
            ctx.log(f"job failed: {summary}")
            _finish(factory, job_id, JobState.FAILED, error=summary, finished_at=utcnow(), exit_code=EXIT_FAILED)
        return EXIT_FAILED
    finally:
        stop_beating.set()
        engine.dispose()


def _settle_cancelled(ctx: JobContext, factory: sessionmaker[Session], job_id: int) -> int:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    with factory() as session:
        job = session.get(Job, job_id)
        timed_out = job is not None and job.cancel_reason == CancelReason.TIMEOUT.value
        limit = job.timeout_seconds if job else None
    if timed_out:
        ctx.log(f"job stopped: it ran longer than its timeout of {limit} s")
        _finish(
            factory,
            job_id,
            JobState.FAILED,
            error=f"Timed out after {limit} s.",
            finished_at=utcnow(),
            exit_code=EXIT_CANCELLED,
        )
    else:
        ctx.log("job cancelled")
        _finish(factory, job_id, JobState.CANCELLED, finished_at=utcnow(), exit_code=EXIT_CANCELLED)
    return EXIT_CANCELLED


def _heartbeat(ctx: JobContext, stop: threading.Event, interval: float) -> None:
    while not stop.wait(interval):
        try:
            ctx.heartbeat()
        except Exception as exc:  # a missed beat is harmless; the next one retries
            print(f"heartbeat failed: {exc}", file=sys.stderr, flush=True)


def main() -> None:
    if len(sys.argv) != 2 or not sys.argv[1].isdigit():
        sys.exit("usage: python -m llmore.jobs.runner <job_id>")
    sys.exit(run(int(sys.argv[1])))


if __name__ == "__main__":
    main()
