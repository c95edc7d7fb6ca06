"""JobContext: how job code reports progress, logs, metrics and results.

Job code only talks to this object, never to the executor, so the same function runs
unchanged under the local executor today and under Ray or Kubernetes executors later.
"""

from __future__ import annotations

import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from llmore.db.types import utcnow
from llmore.jobs.models import Job, JobMetric
from llmore.jobs.states import JobState
from llmore.settings import Settings

PROGRESS_WRITE_INTERVAL_S = 0.5


class JobCancelled(BaseException):
    """Raised inside job code when the job was asked to stop (cancel or timeout).

    A BaseException, like asyncio's CancelledError: the SIGTERM handler raises it wherever the job
    happens to be, and library code that catches ``Exception`` (SQLAlchemy wraps those raised mid-
    statement in StatementError) must let it through untouched.
    """


class JobContext:
    """The running job's handle: ``log``, ``progress``, ``metric``, ``add_result``, ``check_cancelled``."""

    def __init__(
        self, *, job_id: int, settings: Settings, session_factory: sessionmaker[Session], log_file: TextIO | None = None
    ):
        self.job_id = job_id
        self.settings = settings
        self.sessions = session_factory
        """Database sessions for job code that records what it produced (dataset versions, reports)."""
        self.workdir: Path = job_dir(settings, job_id)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self._log = log_file or sys.stdout
        self._progress_started: float | None = None
        self._last_progress_write = 0.0
        self._lock = threading.Lock()

    # ------------------------------------------------------------ logs

    def log(self, message: str) -> None:
        """Append a timestamped line to the job's log (streamed live to the console)."""
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
        with self._lock:
            for line in str(message).splitlines() or [""]:
                self._log.write(f"{stamp} {line}\n")
            self._log.flush()

    # ------------------------------------------------------------ progress

    def progress(self, done: float, total: float, message: str = "") -> None:
        """Report ``done`` of ``total`` units; the ETA is extrapolated from the rate so far."""
        now = time.monotonic()
        if self._progress_started is None:
            self._progress_started = now
        fraction = 0.0 if total <= 0 else min(max(done / total, 0.0), 1.0)
        elapsed = now - self._progress_started
        eta = elapsed * (1 - fraction) / fraction if fraction > 0 and elapsed > 0 else None
        finished = fraction >= 1.0
        if not finished and now - self._last_progress_write < PROGRESS_WRITE_INTERVAL_S:
            return  # keep the database calm under tight loops; the last call always lands
        self._last_progress_write = now
        self._update(
            progress=fraction,
            eta_seconds=0.0 if finished else eta,
            progress_message=message[:500],
            heartbeat_at=utcnow(),
        )

    # ------------------------------------------------------------ metrics and results

    def metric(self, name: str, value: float, step: int) -> None:
        """Record one point of the metric series ``name``."""
        self.metrics({name: value}, step)

    def metrics(self, values: dict[str, float], step: int) -> None:
        """Record several metrics measured at the same ``step``."""
        with self.sessions.begin() as session:
            session.add_all(
                JobMetric(job_id=self.job_id, name=name, step=step, value=float(value))
                for name, value in values.items()
            )

    def add_result(self, **references: Any) -> None:
        """Merge result references (paths, ids, summary numbers) into the job's result."""
        with self.sessions.begin() as session:
            job = session.get(Job, self.job_id)
            assert job is not None
            job.result = {**(job.result or {}), **references}

    # ------------------------------------------------------------ liveness and cancellation

    def heartbeat(self) -> None:
        """Tell the dispatcher the process is alive."""
        self._update(heartbeat_at=utcnow())

    def cancel_requested(self) -> bool:
        with self.sessions() as session:
            return bool(session.scalar(select(Job.cancel_requested).where(Job.id == self.job_id)))

    def check_cancelled(self) -> None:
        """Raise :class:`JobCancelled` when the job was asked to stop (for cooperative loops)."""
        if self.cancel_requested():
            raise JobCancelled

    def _update(self, **values: Any) -> None:
        with self.sessions.begin() as session:
            session.execute(
                update(Job).where(Job.id == self.job_id, Job.state == JobState.RUNNING.value).values(**values)
            )


def job_dir(settings: Settings, job_id: int) -> Path:
    """The folder holding a job's log and working files."""
    return settings.jobs_dir / str(job_id)


def log_path(settings: Settings, job_id: int) -> Path:
    return job_dir(settings, job_id) / "job.log"
