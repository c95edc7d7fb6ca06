"""The OpenAI-compatible ``/v1/fine_tuning/jobs`` routes: create, list, retrieve, cancel, events.

A job here is an ordinary training job (``/api/jobs`` shows it too) plus the OpenAI request that
started it; :mod:`llmore.files.fine_tuning` holds the logic. Errors use OpenAI's shape, with
``param`` naming the request field.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

from llmore.auth.permissions import Perm
from llmore.auth.service import Principal
from llmore.deps import DB, get_settings, requires
from llmore.files import fine_tuning
from llmore.files.fine_tuning_schemas import (
    FineTuningCheckpointList,
    FineTuningEventList,
    FineTuningJobCreate,
    FineTuningJobList,
    FineTuningJobOut,
)
from llmore.settings import Settings

router = APIRouter(prefix="/v1/fine_tuning/jobs", tags=["openai"])


@router.post("", response_model=FineTuningJobOut, summary="Create a fine-tuning job (OpenAI)")
async def create_job(
    body: FineTuningJobCreate,
    principal: Principal = requires(Perm.JOBS_WRITE),
    db: Session = DB,
    settings: Settings = Depends(get_settings),
) -> FineTuningJobOut:
    # Importing the file and measuring its tokens block; keep them off the event loop.
    row = await run_in_threadpool(fine_tuning.create, settings, db, principal, body)
    return fine_tuning.to_openai(db, row)


@router.get("", response_model=FineTuningJobList, summary="List your fine-tuning jobs, newest first (OpenAI)")
def list_jobs(
    principal: Principal = requires(Perm.JOBS_READ),
    after: str | None = Query(None, description="Cursor: the last job id of the previous page."),
    limit: int = Query(20, ge=1, le=100),
    db: Session = DB,
) -> FineTuningJobList:
    rows, has_more = fine_tuning.list_jobs(db, principal, after=after, limit=limit)
    return FineTuningJobList(data=[fine_tuning.to_openai(db, row) for row in rows], has_more=has_more)


@router.get("/{fine_tuning_job_id}", response_model=FineTuningJobOut, summary="One fine-tuning job (OpenAI)")
def retrieve_job(fine_tuning_job_id: str, principal: Principal = requires(Perm.JOBS_READ),
                 db: Session = DB) -> FineTuningJobOut:
    return fine_tuning.to_openai(db, fine_tuning.get(db, principal, fine_tuning_job_id))


@router.post("/{fine_tuning_job_id}/cancel", response_model=FineTuningJobOut, summary="Cancel a job (OpenAI)")
def cancel_job(fine_tuning_job_id: str, principal: Principal = requires(Perm.JOBS_WRITE),
               db: Session = DB) -> FineTuningJobOut:
    return fine_tuning.to_openai(db, fine_tuning.cancel(db, principal, fine_tuning_job_id))


@router.get("/{fine_tuning_job_id}/events", response_model=FineTuningEventList,
            summary="The job's log lines and per-step metrics, newest first (OpenAI)")
def list_events(
    fine_tuning_job_id: str,
    principal: Principal = requires(Perm.JOBS_READ),
    after: str | None = Query(None, description="Cursor: the last event id of the previous page."),
    limit: int = Query(20, ge=1, le=1000),
    db: Session = DB,
    settings: Settings = Depends(get_settings),
) -> FineTuningEventList:
    row = fine_tuning.get(db, principal, fine_tuning_job_id)
    found, has_more = fine_tuning.events(settings, db, row, after=after, limit=limit)
    return FineTuningEventList(data=found, has_more=has_more)


@router.get("/{fine_tuning_job_id}/checkpoints", response_model=FineTuningCheckpointList,
            summary="The run's saved checkpoints, newest first (OpenAI)")
def list_checkpoints(
    fine_tuning_job_id: str,
    principal: Principal = requires(Perm.JOBS_READ),
    after: str | None = Query(None, description="Cursor: the last checkpoint id of the previous page."),
    limit: int = Query(10, ge=1, le=100),
    db: Session = DB,
    settings: Settings = Depends(get_settings),
) -> FineTuningCheckpointList:
    row = fine_tuning.get(db, principal, fine_tuning_job_id)
    found, has_more = fine_tuning.checkpoints(settings, row, after=after, limit=limit)
    return FineTuningCheckpointList(data=found, first_id=found[0].id if found else None,
                                    last_id=found[-1].id if found else None, has_more=has_more)
