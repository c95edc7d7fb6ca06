"""Jobs run as real child processes: success, failure, cancel, timeout, retry, crash recovery."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable

import psutil
import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from llmore.jobs import service as jobs_service
from llmore.jobs.context import log_path
from llmore.jobs.dispatcher import Dispatcher
from llmore.settings import Settings
from tests.conftest import wait_for
from tests.fixtures.dispatcher import RunningDispatcher


def _pid(ref: str | None) -> int:
    assert ref is not None
    return int(ref.rsplit(":", 2)[1])


def test_job_succeeds_with_progress_metrics_log_and_result(
    running_dispatcher: RunningDispatcher,
    submit: Callable[..., int],
    settings: Settings,
    session_factory: sessionmaker[Session],
) -> None:
    job_id = submit(params={"steps": 5, "step_seconds": 0.05, "learning_rate": 0.25})
    job = running_dispatcher.wait_state(job_id, "succeeded")
    assert job.progress == 1.0
    assert job.attempts == 1
    assert job.exit_code == 0
    # the analytic optimum of (x-3)^2 + (y+2)^2 reached with lr=0.25: x halves its distance each step
    assert abs(job.result["x"] - 3 * (1 - 0.5**5)) < 1e-9
    with session_factory() as session:
        series = jobs_service.metric_series(session, job_id=job_id)
    assert [p["step"] for p in series["loss"]] == [1, 2, 3, 4, 5]
    assert series["loss"][0]["value"] > series["loss"][-1]["value"]
    log = log_path(settings, job_id).read_text()
    assert "step 5/5" in log
    assert "job succeeded" in log


def test_failing_job_keeps_its_traceback_in_the_log(
    running_dispatcher: RunningDispatcher, submit: Callable[..., int], settings: Settings
) -> None:
    job_id = submit(params={"steps": 5, "step_seconds": 0, "fail_at_step": 3})
    job = running_dispatcher.wait_state(job_id, "failed")
    assert job.error == "RuntimeError: failing at step 3 as requested by fail_at_step"
    log = log_path(settings, job_id).read_text()
    assert "Traceback (most recent call last)" in log
    assert "in gradient_descent" in log


def test_dispatching_goes_on_after_a_failed_round(
    running_dispatcher: RunningDispatcher,
    submit: Callable[..., int],
    session_factory: sessionmaker[Session],
    caplog: pytest.LogCaptureFixture,
) -> None:
    # a database hiccup: the lease table is gone for a moment, so rounds fail until it is back
    with session_factory.begin() as session:
        session.execute(text("ALTER TABLE leases RENAME TO leases_away"))
    try:
        wait_for(lambda: "dispatcher round failed; retrying" in caplog.text, what="a failed dispatcher round")
    finally:
        with session_factory.begin() as session:
            session.execute(text("ALTER TABLE leases_away RENAME TO leases"))
    job_id = submit(params={"steps": 2, "step_seconds": 0})
    assert running_dispatcher.wait_state(job_id, "succeeded").attempts == 1


def test_failed_job_is_retried_up_to_max_attempts(
    running_dispatcher: RunningDispatcher, submit: Callable[..., int], settings: Settings
) -> None:
    job_id = submit(params={"steps": 2, "step_seconds": 0, "fail_at_step": 1}, max_attempts=2)
    job = running_dispatcher.wait_state(job_id, "failed")
    assert job.attempts == 2
    assert log_path(settings, job_id).read_text().count("Traceback") == 2


def test_cancel_stops_a_running_job(
    running_dispatcher: RunningDispatcher,
    submit: Callable[..., int],
    session_factory: sessionmaker[Session],
    settings: Settings,
) -> None:
    job_id = submit(params={"steps": 200, "step_seconds": 0.1})
    wait_for(lambda: running_dispatcher.job(job_id).progress > 0, what="the job to make progress")
    pid = _pid(running_dispatcher.job(job_id).executor_ref)
    with session_factory.begin() as session:
        jobs_service.cancel_job(session, job_id=job_id)
    job = running_dispatcher.wait_state(job_id, "cancelled", timeout=20)
    assert 0 < job.progress < 1
    assert job.finished_at is not None
    wait_for(
        lambda: not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE,
        what="the job process to end",
    )
    assert "job cancelled" in log_path(settings, job_id).read_text()


def test_cancelling_a_queued_job_never_runs_it(submit: Callable[..., int], db: Session) -> None:
    job_id = submit()
    job = jobs_service.cancel_job(db, job_id=job_id)
    db.commit()
    assert job.state == "cancelled"
    assert job.started_at is None


def test_timeout_fails_the_job(running_dispatcher: RunningDispatcher, submit: Callable[..., int]) -> None:
    job_id = submit(params={"steps": 200, "step_seconds": 0.1}, timeout_seconds=1.0)
    job = running_dispatcher.wait_state(job_id, "failed", timeout=20)
    assert job.error is not None
    assert "Timed out after 1.0 s" in job.error


def test_retry_runs_a_failed_job_again_and_keeps_the_first_log(
    running_dispatcher: RunningDispatcher,
    submit: Callable[..., int],
    session_factory: sessionmaker[Session],
    settings: Settings,
) -> None:
    job_id = submit(params={"steps": 2, "step_seconds": 0, "fail_at_step": 2})
    first_run = running_dispatcher.wait_state(job_id, "failed")
    with session_factory.begin() as session:
        queued = jobs_service.retry_job(session, job_id=job_id)
        assert queued.state == "queued"
        assert queued.finished_at is None
    wait_for(
        lambda: running_dispatcher.job(job_id).started_at not in (None, first_run.started_at),
        what="the second run to start",
    )
    second_run = running_dispatcher.wait_state(job_id, "failed")
    assert second_run.finished_at is not None
    assert first_run.finished_at is not None
    assert second_run.finished_at > first_run.finished_at
    assert log_path(settings, job_id).read_text().count("Traceback") == 2


def test_sigkilled_job_is_recovered_by_a_restarted_dispatcher(
    settings: Settings, session_factory: sessionmaker[Session], submit: Callable[..., int]
) -> None:
    first = RunningDispatcher(settings, session_factory).start()
    job_id = submit(params={"steps": 500, "step_seconds": 0.1})
    wait_for(lambda: first.job(job_id).progress > 0, what="the job to run")
    pid = _pid(first.job(job_id).executor_ref)
    first.stop(release=False)  # the dispatcher crashes...
    os.kill(pid, signal.SIGKILL)  # ...and so does its job
    wait_for(
        lambda: not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE,
        what="the killed process to vanish",
    )
    assert first.job(job_id).state == "running"  # nobody has noticed yet
    second = RunningDispatcher(settings, session_factory)
    second.dispatcher.holder = "restarted"
    wait_for(
        second.dispatcher.hold_lease,
        timeout=settings.dispatcher_lease_seconds + 5,
        what="the crashed dispatcher's lease to expire",
    )
    second.start()
    try:
        job = second.wait_state(job_id, "failed", timeout=20)
    finally:
        second.stop()
    assert job.error is not None
    assert "was lost" in job.error


def test_restarted_dispatcher_adopts_a_job_that_survived_and_can_cancel_it(
    settings: Settings, session_factory: sessionmaker[Session], submit: Callable[..., int]
) -> None:
    first = RunningDispatcher(settings, session_factory).start()
    job_id = submit(params={"steps": 500, "step_seconds": 0.1})
    wait_for(lambda: first.job(job_id).progress > 0, what="the job to run")
    first.stop()  # graceful stop: the job keeps running on its own
    second = RunningDispatcher(settings, session_factory).start()
    try:
        progress_before = second.job(job_id).progress
        wait_for(lambda: second.job(job_id).progress > progress_before, what="the orphan to keep going")
        assert second.job(job_id).state == "running"
        with session_factory.begin() as session:
            jobs_service.cancel_job(session, job_id=job_id)
        second.wait_state(job_id, "cancelled", timeout=20)
    finally:
        second.stop()


def test_only_one_dispatcher_leads(settings: Settings, session_factory: sessionmaker[Session]) -> None:
    leader = Dispatcher(settings, session_factory, holder="a")
    follower = Dispatcher(settings, session_factory, holder="b")
    assert leader.hold_lease()
    assert not follower.hold_lease()
    assert leader.hold_lease()  # renewal
    leader.release_lease()
    assert follower.hold_lease()


def test_job_needing_more_gpus_than_the_machine_has_fails_with_advice(
    running_dispatcher: RunningDispatcher, submit: Callable[..., int]
) -> None:
    running_dispatcher.dispatcher.executor.gpu_indices = []  # type: ignore[attr-defined]
    job_id = submit(gpus=2)
    job = running_dispatcher.wait_state(job_id, "failed")
    assert job.error == (
        "The job needs 2 GPU(s) but this machine has 0; lower `gpus` or run it on an executor with GPUs."
    )


def test_gpus_are_assigned_exclusively_through_cuda_visible_devices(
    settings: Settings, session_factory: sessionmaker[Session], submit: Callable[..., int]
) -> None:
    service = RunningDispatcher(settings, session_factory)
    service.dispatcher.executor.gpu_indices = [0, 1]  # type: ignore[attr-defined]  # a pretend 2-GPU host
    first = submit(gpus=1, params={"steps": 100, "step_seconds": 0.1})
    second = submit(gpus=1, params={"steps": 100, "step_seconds": 0.1})
    service.start()
    try:
        wait_for(
            lambda: service.job(first).assigned_gpus and service.job(second).assigned_gpus,
            what="both jobs to get a GPU",
        )
        assigned = {service.job(first).assigned_gpus, service.job(second).assigned_gpus}
        assert assigned == {"0", "1"}
        pid = _pid(service.job(first).executor_ref)
        env = psutil.Process(pid).environ()
        assert env["CUDA_VISIBLE_DEVICES"] == service.job(first).assigned_gpus
    finally:
        for job_id in (first, second):
            with session_factory.begin() as session:
                jobs_service.cancel_job(session, job_id=job_id)
        service.wait_state(first, "cancelled", timeout=20)
        service.wait_state(second, "cancelled", timeout=20)
        service.stop()
