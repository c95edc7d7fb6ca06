"""Fixtures for job tests: a dispatcher driven in a background thread of the test process."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from llmore.jobs import service as jobs_service
from llmore.jobs.dispatcher import Dispatcher
from llmore.jobs.models import Job
from llmore.settings import Settings
from tests.conftest import wait_for


class RunningDispatcher:
    """A real dispatcher ticking in a thread; its jobs are real child processes."""

    def __init__(self, settings: Settings, factory: sessionmaker[Session]):
        self.dispatcher = Dispatcher(settings, factory)
        self.factory = factory
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.dispatcher.tick()
            self._stop.wait(0.1)

    def start(self) -> RunningDispatcher:
        self._thread.start()
        return self

    def stop(self, *, release: bool = True) -> None:
        """Stop ticking; ``release=False`` mimics a crash (the lease is left to expire)."""
        self._stop.set()
        self._thread.join(10)
        if release:
            self.dispatcher.shutdown()
        else:
            self.dispatcher.executor.shutdown()

    def job(self, job_id: int) -> Job:
        with self.factory() as session:
            job = session.get(Job, job_id)
            assert job is not None
            return job

    def wait_state(self, job_id: int, *states: str, timeout: float = 60) -> Job:
        wait_for(
            lambda: self.job(job_id).state in states,
            timeout=timeout,
            what=f"job {job_id} to reach {states} (now {self.job(job_id).state})",
        )
        return self.job(job_id)


@pytest.fixture
def submit(session_factory: sessionmaker[Session]) -> Callable[..., int]:
    """Queue a job through the service (as the API does) and return its id."""

    def _submit(kind: str = "demo.gradient_descent", **fields: Any) -> int:
        with session_factory.begin() as session:
            return jobs_service.submit_job(session, kind=kind, **fields).id

    return _submit


@pytest.fixture
def running_dispatcher(settings: Settings, session_factory: sessionmaker[Session]) -> Iterator[RunningDispatcher]:
    service = RunningDispatcher(settings, session_factory).start()
    yield service
    service.stop()
