"""The checkpoints a training run has saved in its job folder (what a retry resumes from)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from llmore.db.crud import get_or_404
from llmore.errors import NotFound
from llmore.jobs.context import job_dir
from llmore.jobs.models import Job
from llmore.settings import Settings

TRAINING_KIND_PREFIX = "training."
# The Trainer names each save `checkpoint-<global step>` under the run's `checkpoints` folder.
CHECKPOINT_NAME = re.compile(r"^checkpoint-(\d+)$")


class CheckpointOut(BaseModel):
    step: int
    path: str = Field(description="Folder on the server (a retried run resumes from the newest).")
    size_bytes: int
    saved_at: datetime


def list_checkpoints(settings: Settings, session: Session, *, job_id: int) -> list[CheckpointOut]:
    """The run's saved checkpoints, oldest first; a job that is not a training run is refused."""
    job = get_or_404(session, Job, job_id)
    if not job.kind.startswith(TRAINING_KIND_PREFIX):
        raise NotFound(f"Job {job_id} is a {job.kind} job, not a training run; it has no checkpoints.")
    folder = job_dir(settings, job_id) / "checkpoints"
    found = []
    for entry in folder.iterdir() if folder.is_dir() else []:
        match = CHECKPOINT_NAME.match(entry.name)
        if match and entry.is_dir():
            files = [f.stat() for f in entry.rglob("*") if f.is_file()]
            # The newest file: the folder's own time changes only when entries are added or removed.
            newest = max((f.st_mtime for f in files), default=entry.stat().st_mtime)
            found.append(CheckpointOut(step=int(match.group(1)), path=str(entry),
                                       size_bytes=sum(f.st_size for f in files),
                                       saved_at=datetime.fromtimestamp(newest, tz=UTC)))
    return sorted(found, key=lambda checkpoint: checkpoint.step)
