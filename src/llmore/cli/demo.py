"""What ``llmore up --demo`` adds: the bundled models, prepared by a job you can watch."""

from __future__ import annotations

from sqlalchemy import select

from llmore.cli.common import console, database
from llmore.jobs import service as jobs_service
from llmore.jobs.models import Job
from llmore.jobs.states import JobState
from llmore.settings import Settings

PREPARE_KIND = "models.prepare_bundled"


def queue_demo_jobs(settings: Settings) -> None:
    """Queue the bundled-model preparation once; later starts find it done or under way."""
    with database(settings) as session:
        existing = session.scalar(
            select(Job).where(
                Job.kind == PREPARE_KIND,
                Job.state.in_([JobState.QUEUED.value, JobState.RUNNING.value, JobState.SUCCEEDED.value]),
            )
        )
        if existing is not None:
            console.print(f"Demo models: job {existing.id} is {existing.state}.")
            return
        job = jobs_service.submit_job(session, kind=PREPARE_KIND, name="Prepare bundled demo models")
        console.print(
            f"Demo models: preparing in job {job.id} (watch it under Jobs, or `llmore jobs show {job.id} --wait`)."
        )
