"""HTTP routes of the jobs domain, including the live log stream (SSE)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from fastapi import APIRouter, Depends, Query, Request
from fastapi.sse import EventSourceResponse, ServerSentEvent
from sqlalchemy.orm import Session

from llmore.auth.permissions import Perm
from llmore.auth.service import Principal
from llmore.db.crud import get_or_404
from llmore.deps import DB, get_settings, requires
from llmore.jobs import schemas
from llmore.jobs import service as jobs_service
from llmore.jobs.models import Job
from llmore.jobs.registry import all_kinds
from llmore.jobs.states import TERMINAL, JobState
from llmore.pagination import Page, PageParams, page_params
from llmore.settings import Settings

router = APIRouter(prefix="/api/jobs", tags=["jobs"])

STREAM_POLL_SECONDS = 0.5


@router.get("", response_model=Page[schemas.JobOut], summary="List jobs")
def list_jobs(
    _: Principal = requires(Perm.JOBS_READ),
    params: PageParams = Depends(page_params),
    state: JobState | None = Query(None),
    kind: str | None = Query(None, max_length=64),
    kind_prefix: str | None = Query(
        None, max_length=64, description="Only kinds that start with this, e.g. 'training.' for every training run."
    ),
    q: str | None = Query(None, max_length=200, description="Substring of the job's name or kind."),
    db: Session = DB,
) -> Page[schemas.JobOut]:
    rows, total = jobs_service.list_jobs(db, params, state=state, kind=kind, kind_prefix=kind_prefix, q=q)
    return Page(
        items=[schemas.JobOut.model_validate(r) for r in rows],
        total=total,
        page=params.page,
        page_size=params.page_size,
    )


@router.post("", response_model=schemas.JobOut, status_code=201, summary="Submit a job")
def submit_job(body: schemas.JobCreate, _: Principal = requires(Perm.JOBS_WRITE), db: Session = DB) -> Job:
    return jobs_service.submit_job(db, **body.model_dump())


@router.get("/kinds", response_model=list[schemas.JobKindOut], summary="Job kinds and their parameters")
def list_kinds(_: Principal = requires(Perm.JOBS_READ)) -> list[schemas.JobKindOut]:
    return [
        schemas.JobKindOut(name=k.name, description=k.description, params_schema=k.params.model_json_schema())
        for k in sorted(all_kinds().values(), key=lambda k: k.name)
    ]


@router.get("/{job_id}", response_model=schemas.JobOut, summary="One job")
def get_job(job_id: int, _: Principal = requires(Perm.JOBS_READ), db: Session = DB) -> Job:
    return get_or_404(db, Job, job_id)


@router.post("/{job_id}/cancel", response_model=schemas.JobOut, summary="Cancel a queued or running job")
def cancel_job(job_id: int, _: Principal = requires(Perm.JOBS_WRITE), db: Session = DB) -> Job:
    return jobs_service.cancel_job(db, job_id=job_id)


@router.post("/{job_id}/retry", response_model=schemas.JobOut, summary="Run a finished job again")
def retry_job(job_id: int, _: Principal = requires(Perm.JOBS_WRITE), db: Session = DB) -> Job:
    return jobs_service.retry_job(db, job_id=job_id)


@router.get("/{job_id}/logs", response_model=schemas.LogChunk, summary="Read the job's log from a byte offset")
def read_log(
    job_id: int,
    offset: int = Query(0, ge=0),
    _: Principal = requires(Perm.JOBS_READ),
    db: Session = DB,
    settings: Settings = Depends(get_settings),
) -> schemas.LogChunk:
    job = get_or_404(db, Job, job_id)
    text, next_offset, complete = jobs_service.read_log(settings, job, offset=offset)
    return schemas.LogChunk(text=text, offset=offset, next_offset=next_offset, complete=complete)


@router.get(
    "/{job_id}/logs/stream",
    response_class=EventSourceResponse,
    summary="Follow the job's log live (Server-Sent Events: log, state, end)",
)
async def stream_log(
    job_id: int,
    request: Request,
    offset: int = Query(0, ge=0),
    _: Principal = requires(Perm.JOBS_READ),
    db: Session = DB,
    settings: Settings = Depends(get_settings),
) -> AsyncIterator[ServerSentEvent]:
    get_or_404(db, Job, job_id)
    factory = request.app.state.session_factory
    position = offset
    last_state: tuple[str, float] | None = None
    while True:
        # A fresh short session per poll: the request's session would hold a transaction open.
        with factory() as session:
            job = get_or_404(session, Job, job_id)
            text, position, complete = jobs_service.read_log(settings, job, offset=position)
            snapshot = schemas.JobOut.model_validate(job)
        if text:
            yield ServerSentEvent(event="log", id=str(position), data={"text": text, "offset": position})
        if (snapshot.state, snapshot.progress) != last_state:
            last_state = (snapshot.state, snapshot.progress)
            yield ServerSentEvent(event="state", data=snapshot.model_dump(mode="json"))
        if complete and snapshot.state in TERMINAL:
            yield ServerSentEvent(event="end", data={"state": snapshot.state})
            return
        if await request.is_disconnected():
            return
        if not text:
            await asyncio.sleep(STREAM_POLL_SECONDS)


@router.get("/{job_id}/metrics", response_model=schemas.MetricSeries, summary="The job's metric series")
def metrics(job_id: int, _: Principal = requires(Perm.JOBS_READ), db: Session = DB) -> schemas.MetricSeries:
    return schemas.MetricSeries.model_validate({"series": jobs_service.metric_series(db, job_id=job_id)})
