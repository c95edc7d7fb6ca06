"""HTTP routes of the training domain: advice and launch."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from llmore.auth.permissions import Perm
from llmore.auth.service import Principal
from llmore.deps import DB, get_settings, requires
from llmore.jobs.models import Job
from llmore.jobs.schemas import JobOut
from llmore.settings import Settings
from llmore.training import service
from llmore.training.advisor import Proposal
from llmore.training.checkpoints import CheckpointOut, list_checkpoints
from llmore.training.schemas import RunRequest

router = APIRouter(prefix="/api/training", tags=["training"])


@router.post("/advice", response_model=Proposal, summary="Proposed hyper-parameters with reasons and estimates")
def advice(
    body: RunRequest,
    principal: Principal = requires(Perm.JOBS_WRITE),
    db: Session = DB,
    settings: Settings = Depends(get_settings),
) -> Proposal:
    return service.advise(settings, db, principal, body)


@router.post("/runs", response_model=JobOut, status_code=201, summary="Start a fine-tuning run (refused if impossible)")
def start_run(
    body: RunRequest,
    principal: Principal = requires(Perm.JOBS_WRITE),
    db: Session = DB,
    settings: Settings = Depends(get_settings),
) -> Job:
    return service.start(settings, db, principal, body)


@router.get("/runs/{job_id}/checkpoints", response_model=list[CheckpointOut], summary="A run's saved checkpoints")
def checkpoints(
    job_id: int,
    _: Principal = requires(Perm.JOBS_READ),
    db: Session = DB,
    settings: Settings = Depends(get_settings),
) -> list[CheckpointOut]:
    return list_checkpoints(settings, db, job_id=job_id)
