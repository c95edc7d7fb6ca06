"""HTTP routes of evaluation runs: start one, follow it, browse and export its records, compare runs."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from sqlalchemy.orm import Session

from llmore.auth.permissions import Perm
from llmore.auth.service import Principal
from llmore.deps import DB, get_settings, requires
from llmore.errors import AppError
from llmore.evaluation.runs import service
from llmore.evaluation.runs.export import MEDIA_TYPES, RecordFormat, render
from llmore.evaluation.runs.schemas import CompareOut, EvalRunOut, EvalRunRequest, RecordsPage
from llmore.jobs.models import Job
from llmore.pagination import MAX_PAGE_SIZE, Page, PageParams, page_params
from llmore.settings import Settings

router = APIRouter(prefix="/api/evaluation", tags=["evaluation"])


def record_filter(
    model: str | None = Query(None, description="Only this model's records (its label, name:N)."),
    source: str | None = Query(None, description="task, suite or benchmark:<file>."),
    dimension: str | None = Query(None, description="Only this suite dimension."),
    q: str | None = Query(None, description="Text in the input, reference or output."),
    score: str | None = Query(None, description="The score max_score applies to."),
    max_score: float | None = Query(None, description="Only records whose score is at most this (failures)."),
) -> service.RecordFilter:
    """FastAPI dependency reading the record filters."""
    return service.RecordFilter(model=model, source=source, dimension=dimension, q=q, score=score,
                                max_score=max_score)


@router.post("/runs", response_model=EvalRunOut, status_code=201, summary="Start an evaluation run")
def create_run(
    body: EvalRunRequest,
    principal: Principal = requires(Perm.EVALUATION_WRITE),
    db: Session = DB,
    settings: Settings = Depends(get_settings),
) -> EvalRunOut:
    run = service.create_run(settings, db, principal, body)
    return service.run_out(run, db.get_one(Job, run.job_id))


@router.get("/runs", response_model=Page[EvalRunOut], summary="List evaluation runs")
def list_runs(
    _: Principal = requires(Perm.EVALUATION_READ),
    q: str | None = Query(None, description="Text in the run's name."),
    params: PageParams = Depends(page_params),
    db: Session = DB,
) -> Page[EvalRunOut]:
    items, total = service.list_runs(db, params, q=q)
    return Page(items=items, total=total, page=params.page, page_size=params.page_size)


@router.get("/runs/{run_id}", response_model=EvalRunOut, summary="One evaluation run with its scores")
def get_run(run_id: int, _: Principal = requires(Perm.EVALUATION_READ), db: Session = DB) -> EvalRunOut:
    return service.get_run(db, run_id)


@router.get("/runs/{run_id}/records", response_model=RecordsPage, summary="A run's per-example records")
def list_records(
    run_id: int,
    _: Principal = requires(Perm.EVALUATION_READ),
    where: service.RecordFilter = Depends(record_filter),
    offset: int = Query(0, ge=0),
    limit: int = Query(50, ge=1, le=MAX_PAGE_SIZE),
    db: Session = DB,
) -> RecordsPage:
    return service.list_records(db, run_id, where, offset=offset, limit=limit)


@router.get("/runs/{run_id}/records/export", summary="Download a run's records as JSON lines or CSV",
            response_class=Response)
def export_records(
    run_id: int,
    _: Principal = requires(Perm.EVALUATION_READ),
    format: RecordFormat = Query(RecordFormat.JSONL),
    where: service.RecordFilter = Depends(record_filter),
    db: Session = DB,
) -> Response:
    body = render(service.iter_records(db, run_id, where), format)
    return Response(body, media_type=MEDIA_TYPES[format], headers={
        "Content-Disposition": f'attachment; filename="eval-run-{run_id}.{format.value}"'})


@router.get("/compare", response_model=CompareOut, summary="Runs side by side: metrics and dimensions per model")
def compare(
    _: Principal = requires(Perm.EVALUATION_READ),
    runs: str = Query(..., description="Comma-separated run ids, e.g. 1,2."),
    db: Session = DB,
) -> CompareOut:
    parts = [part.strip() for part in runs.split(",") if part.strip()]
    if not all(part.isdigit() for part in parts):
        raise AppError(f"runs must be comma-separated run ids, not {runs!r}.",
                       details=[{"field": "query.runs", "message": "e.g. runs=1,2"}])
    return service.compare(db, [int(part) for part in parts])
