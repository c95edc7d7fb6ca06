"""The dispatcher: one leader (a database lease) that starts queued jobs and watches running ones.

Each round it renews the lease, lets the executor reap and escalate, settles jobs whose
process ended without reporting (crash, SIGKILL, lost machine), enforces cancel requests and
timeouts, and starts queued jobs by priority while the executor has room.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from datetime import timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from llmore.db.types import utcnow
from llmore.jobs.executors.base import Executor, Exited, Liveness
from llmore.jobs.models import Job, Lease
from llmore.jobs.service import reset_for_queue
from llmore.jobs.states import CancelReason, JobState
from llmore.settings import Settings

log = logging.getLogger(__name__)

LEASE_NAME = "dispatcher"
STALE_HEARTBEATS = 6  # beats missed before a job on an unobservable host counts as lost


def dispatcher_alive(session: Session) -> bool:
    """Whether some dispatcher holds an unexpired lease (so queued jobs will start)."""
    lease = session.get(Lease, LEASE_NAME)
    return lease is not None and lease.expires_at > utcnow()


class Dispatcher:
    """Drives one executor from the job table; call :meth:`tick` in a loop."""

    def __init__(
        self,
        settings: Settings,
        session_factory: sessionmaker[Session],
        executor: Executor | None = None,
        holder: str | None = None,
    ):
        from llmore.jobs.executors.local import LocalExecutor

        self.settings = settings
        self.sessions = session_factory
        self.executor: Executor = executor or LocalExecutor(settings)
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.is_leader = False

    # ------------------------------------------------------------ leadership

    def hold_lease(self) -> bool:
        """Take or renew the leader lease; False while another live dispatcher holds it."""
        now = utcnow()
        until = now + timedelta(seconds=self.settings.dispatcher_lease_seconds)
        with self.sessions.begin() as session:
            renewed = session.execute(
                update(Lease)
                .where(Lease.name == LEASE_NAME, or_(Lease.holder == self.holder, Lease.expires_at < now))
                .values(holder=self.holder, expires_at=until)
            ).rowcount
        if not renewed:
            try:
                with self.sessions.begin() as session:
                    session.add(Lease(name=LEASE_NAME, holder=self.holder, expires_at=until))
                renewed = 1
            except IntegrityError:
                renewed = 0
        if bool(renewed) != self.is_leader:
            log.info("dispatcher %s %s leadership", self.holder, "took" if renewed else "lost")
        self.is_leader = bool(renewed)
        return self.is_leader

    def release_lease(self) -> None:
        with self.sessions.begin() as session:
            session.execute(
                update(Lease).where(Lease.name == LEASE_NAME, Lease.holder == self.holder).values(expires_at=utcnow())
            )
        self.is_leader = False

    # ------------------------------------------------------------ one round

    def run_until(self, stop: threading.Event) -> None:
        """Tick every poll interval until ``stop`` is set; a failed round is logged and retried.

        A database hiccup (SQLite's "database is locked" under load, a dropped connection) must
        not end dispatching: the next round takes the lease again and carries on.
        """
        while not stop.is_set():
            try:
                self.tick()
            except Exception:
                log.exception("dispatcher round failed; retrying")
            stop.wait(self.settings.dispatcher_poll_seconds)

    def tick(self) -> None:
        """One round: renew the lease, then watch running jobs and start queued ones."""
        if not self.hold_lease():
            return
        self.executor.tick()
        self._watch_running()
        self._start_queued()

    def _watch_running(self) -> None:
        with self.sessions() as session:
            running = session.scalars(
                select(Job).where(Job.state == JobState.RUNNING.value, Job.executor == self.executor.name)
            ).all()
        for job in running:
            status = self.executor.poll(job.id, job.executor_ref)
            if status is Liveness.UNKNOWN and self._heartbeat_stale(job):
                status = Liveness.LOST
            if isinstance(status, Exited) or status is Liveness.LOST:
                self._settle_unreported(job.id, status)
            elif job.cancel_requested and job.executor_ref:
                self.executor.terminate(job.id, job.executor_ref, self.settings.job_cancel_grace_seconds)
            elif self._timed_out(job):
                self._request_stop(job.id, CancelReason.TIMEOUT)
        self.executor.retain({job.id for job in running})

    def _heartbeat_stale(self, job: Job) -> bool:
        last = job.heartbeat_at or job.started_at
        limit = timedelta(seconds=self.settings.job_heartbeat_seconds * STALE_HEARTBEATS)
        return last is not None and utcnow() - last > limit

    def _timed_out(self, job: Job) -> bool:
        return bool(
            job.timeout_seconds
            and job.started_at
            and utcnow() - job.started_at > timedelta(seconds=job.timeout_seconds)
        )

    def _request_stop(self, job_id: int, reason: CancelReason) -> None:
        with self.sessions.begin() as session:
            session.execute(
                update(Job)
                .where(Job.id == job_id, Job.state == JobState.RUNNING.value)
                .values(cancel_requested=True, cancel_reason=reason.value)
            )

    def _settle_unreported(self, job_id: int, status: Exited | Liveness) -> None:
        """The process is gone; if it did not record an outcome, record one for it."""
        with self.sessions.begin() as session:
            job = session.get(Job, job_id)
            if job is None or job.state != JobState.RUNNING.value:
                self.executor.forget(job_id)
                return
            how = (
                f"exited with code {status.code}"
                if isinstance(status, Exited)
                else "was lost (its dispatcher or machine stopped while it ran)"
            )
            job.exit_code = status.code if isinstance(status, Exited) else None
            job.finished_at = utcnow()
            if job.cancel_requested and job.cancel_reason == CancelReason.TIMEOUT.value:
                job.state = JobState.FAILED.value
                job.error = f"Timed out after {job.timeout_seconds} s; the process {how}."
            elif job.cancel_requested:
                job.state = JobState.CANCELLED.value
            elif job.attempts < job.max_attempts:
                job.error = f"The job process {how} without reporting; retrying."
                reset_for_queue(job)
            else:
                job.state = JobState.FAILED.value
                job.error = f"The job process {how} without reporting an outcome; see its log."
            log.warning("job %s %s; now %s", job_id, how, job.state)
        self.executor.forget(job_id)

    def _start_queued(self) -> None:
        slots = self.executor.free_slots()
        if slots <= 0:
            return
        with self.sessions() as session:
            candidates = session.scalars(
                select(Job)
                .where(Job.state == JobState.QUEUED.value, Job.executor == self.executor.name)
                .order_by(Job.priority.desc(), Job.queued_at.asc(), Job.id.asc())
                .limit(slots * 4)
            ).all()
        for job in candidates:
            if self.executor.free_slots() <= 0:
                break
            reason = self.executor.unplaceable_reason(job.gpus)
            if reason:
                self._fail_unplaceable(job.id, reason)
            elif self.executor.can_place(job.gpus) and self._claim(job.id):
                self._launch(job.id, job.gpus)

    def _claim(self, job_id: int) -> bool:
        """Move a queued job to running; False if another actor (cancel) got there first."""
        with self.sessions.begin() as session:
            return bool(
                session.execute(
                    update(Job)
                    .where(Job.id == job_id, Job.state == JobState.QUEUED.value)
                    .values(
                        state=JobState.RUNNING.value,
                        started_at=utcnow(),
                        heartbeat_at=utcnow(),
                        attempts=Job.attempts + 1,
                        error=None,
                    )
                ).rowcount
            )

    def _launch(self, job_id: int, gpus: int) -> None:
        try:
            placement = self.executor.start(job_id, gpus)
        except OSError as exc:
            with self.sessions.begin() as session:
                session.execute(
                    update(Job)
                    .where(Job.id == job_id)
                    .values(state=JobState.FAILED.value, finished_at=utcnow(), error=f"Could not start the job: {exc}")
                )
            return
        with self.sessions.begin() as session:
            session.execute(
                update(Job)
                .where(Job.id == job_id)
                .values(executor_ref=placement.ref, assigned_gpus=",".join(map(str, placement.gpus)) or None)
            )

    def _fail_unplaceable(self, job_id: int, reason: str) -> None:
        with self.sessions.begin() as session:
            session.execute(
                update(Job)
                .where(Job.id == job_id, Job.state == JobState.QUEUED.value)
                .values(state=JobState.FAILED.value, finished_at=utcnow(), error=reason)
            )

    def shutdown(self) -> None:
        self.executor.shutdown()
        if self.is_leader:
            self.release_lease()


class DispatcherThread:
    """Runs a :class:`Dispatcher` loop in a background thread (inside ``llmore up``)."""

    def __init__(self, settings: Settings, session_factory: sessionmaker[Session]):
        self.dispatcher = Dispatcher(settings, session_factory)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self.run, name="llmore-dispatcher", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def run(self) -> None:
        self.dispatcher.run_until(self._stop)
        self.dispatcher.shutdown()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._thread.join(timeout)
