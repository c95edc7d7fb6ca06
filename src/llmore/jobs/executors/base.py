"""The executor interface the dispatcher drives; job code never sees it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Protocol


class Liveness(Enum):
    """What an executor can say about a job's process besides its exit code."""

    RUNNING = "running"
    LOST = "lost"  # the process is gone and left no exit code we can read
    UNKNOWN = "unknown"  # runs where this executor cannot look (another host); judge by heartbeat


@dataclass(frozen=True)
class Exited:
    """The job's process ended with ``code`` (negative: killed by that signal)."""

    code: int


@dataclass(frozen=True)
class Placement:
    """Where a started job runs: an opaque reference and the GPUs it was given."""

    ref: str
    gpus: list[int]


class Executor(Protocol):
    """Starts, watches and stops job processes.

    Implementations run ``python -m llmore.jobs.runner <job_id>`` (or its equivalent in a Ray
    task or a Kubernetes pod) with the environment from :func:`llmore.jobs.runner.runner_env`.
    """

    name: str

    def free_slots(self) -> int:
        """How many more jobs may start now."""
        ...

    def unplaceable_reason(self, gpus: int) -> str | None:
        """Why a job needing ``gpus`` can never run here, or None when it can (now or later)."""
        ...

    def can_place(self, gpus: int) -> bool:
        """Whether a job needing ``gpus`` fits right now."""
        ...

    def start(self, job_id: int, gpus: int) -> Placement: ...

    def poll(self, job_id: int, ref: str | None) -> Exited | Liveness: ...

    def terminate(self, job_id: int, ref: str, grace_seconds: float) -> None:
        """Ask the process to stop (SIGTERM) and kill it (SIGKILL) if it outlives the grace period."""
        ...

    def tick(self) -> None:
        """Housekeeping each dispatcher round: reap exits, escalate overdue terminations."""
        ...

    def forget(self, job_id: int) -> None:
        """Drop what is kept about a settled job."""
        ...

    def retain(self, running_job_ids: set[int]) -> None:
        """Drop what is kept about every job not in ``running_job_ids`` (they settled themselves)."""
        ...

    def shutdown(self) -> None:
        """Stop tracking; running jobs keep running and a later dispatcher adopts them."""
        ...
