"""HTTP routes of the data domain."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import anyio
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse
from sqlalchemy.orm import Session
from starlette.background import BackgroundTask

from llmore.auth.permissions import Perm
from llmore.auth.service import Principal
from llmore.datasets import exporting, previews, schemas
from llmore.datasets import service as data_service
from llmore.datasets.models import Dataset, DatasetVersion
from llmore.deps import DB, get_settings, requires
from llmore.errors import AppError
from llmore.jobs import service as jobs_service
from llmore.jobs.models import Job
from llmore.jobs.schemas import JobOut
from llmore.pagination import MAX_PAGE_SIZE, Page, PageParams, page_params
from llmore.settings import Settings

router = APIRouter(prefix="/api/datasets", tags=["datasets"])

UPLOAD_PATH_SUFFIX = "/upload"


def _out(session: Session, datasets: list[Dataset]) -> list[schemas.DatasetOut]:
    latest = data_service.latest_versions(session, datasets)
    return [schemas.DatasetOut.model_validate(d).model_copy(update={
        "latest": schemas.VersionOut.model_validate(latest[d.id]) if d.id in latest else None}) for d in datasets]


def _version(db: Session, principal: Principal, dataset_id: int, number: int) -> tuple[Dataset, DatasetVersion]:
    dataset = data_service.get_dataset(db, dataset_id=dataset_id, principal=principal)
    return dataset, data_service.get_version(db, dataset=dataset, number=number)


def _job(db: Session, kind: str, name: str, params: dict[str, Any]) -> Job:
    return jobs_service.submit_job(db, kind=kind, name=name, params=params)


# ---------------------------------------------------------------- catalogues and preview


@router.get("/cleaning-rules", response_model=list[schemas.CatalogEntry], summary="Cleaning rules and their parameters")
def cleaning_rules(_: Principal = requires(Perm.DATASETS_READ)) -> list[dict[str, Any]]:
    from llmore.datasets.cleaning import RULE_CATALOG

    return list(RULE_CATALOG)


@router.get("/augmentations", response_model=list[schemas.CatalogEntry], summary="Augmentation methods")
def augmentations(_: Principal = requires(Perm.DATASETS_READ)) -> list[dict[str, Any]]:
    from llmore.datasets.augmentation import AUGMENTATION_CATALOG

    return list(AUGMENTATION_CATALOG)


@router.post("/preview", response_model=schemas.PreviewOut,
             summary="Detect format and schema of the first bytes of a file (raw body) and show the first rows")
async def preview(request: Request, filename: str = Query(min_length=1, max_length=255),
                  _: Principal = requires(Perm.DATASETS_WRITE)) -> schemas.PreviewOut:
    head = await request.body()
    return await anyio.to_thread.run_sync(lambda: previews.preview_bytes(head, filename=filename))


# ---------------------------------------------------------------- datasets


@router.get("", response_model=Page[schemas.DatasetOut], summary="List the datasets you can see")
def list_datasets(principal: Principal = requires(Perm.DATASETS_READ), params: PageParams = Depends(page_params),
                  q: str | None = Query(None, max_length=200), db: Session = DB) -> Page[schemas.DatasetOut]:
    rows, total = data_service.list_datasets(db, params, principal=principal, q=q)
    return Page(items=_out(db, rows), total=total, page=params.page, page_size=params.page_size)


@router.post("", response_model=schemas.DatasetOut, status_code=201, summary="Create an empty dataset")
def create_dataset(body: schemas.DatasetCreate, principal: Principal = requires(Perm.DATASETS_WRITE),
                   db: Session = DB) -> schemas.DatasetOut:
    dataset = data_service.create_dataset(db, principal=principal, **body.model_dump())
    return _out(db, [dataset])[0]


@router.get("/{dataset_id}", response_model=schemas.DatasetOut, summary="One dataset")
def get_dataset(dataset_id: int, principal: Principal = requires(Perm.DATASETS_READ), db: Session = DB
                ) -> schemas.DatasetOut:
    return _out(db, [data_service.get_dataset(db, dataset_id=dataset_id, principal=principal)])[0]


@router.patch("/{dataset_id}", response_model=schemas.DatasetOut, summary="Edit a dataset's settings")
def update_dataset(dataset_id: int, body: schemas.DatasetUpdate, principal: Principal = requires(Perm.DATASETS_WRITE),
                   db: Session = DB) -> schemas.DatasetOut:
    dataset = data_service.update_dataset(db, dataset_id=dataset_id, principal=principal,
                                          **body.model_dump(exclude_unset=True))
    return _out(db, [dataset])[0]


@router.delete("/{dataset_id}", response_model=schemas.DatasetOut, summary="Delete a dataset (soft: data is kept)")
def delete_dataset(dataset_id: int, principal: Principal = requires(Perm.DATASETS_WRITE), db: Session = DB
                   ) -> schemas.DatasetOut:
    return _out(db, [data_service.delete_dataset(db, dataset_id=dataset_id, principal=principal)])[0]


# ---------------------------------------------------------------- import


@router.put("/{dataset_id}" + UPLOAD_PATH_SUFFIX, response_model=JobOut, status_code=201,
            summary="Upload a file (raw request body) and import it as the next version")
async def upload(
    dataset_id: int,
    request: Request,
    filename: str = Query(min_length=1, max_length=255),
    on_invalid: schemas.InvalidRows = Query(schemas.InvalidRows.DROP),
    file_format: str | None = Query(None),
    source_schema: str | None = Query(None),
    principal: Principal = requires(Perm.DATASETS_WRITE),
    db: Session = DB,
    settings: Settings = Depends(get_settings),
) -> Job:
    data_service.get_dataset(db, dataset_id=dataset_id, principal=principal)
    target = data_service.save_upload(settings, dataset_id=dataset_id, filename=filename)
    size = 0
    async with await anyio.open_file(target, "wb") as out:
        async for chunk in request.stream():
            size += len(chunk)
            await out.write(chunk)
    if size == 0:
        target.unlink(missing_ok=True)
        raise AppError(f"The upload of '{filename}' is empty (0 bytes); choose a file with data.", code="empty_upload",
                       details=[{"field": "body", "message": "0 bytes"}])
    return _job(db, "datasets.import", f"Import {filename}", {
        "dataset_id": dataset_id, "source": "upload", "location": str(target), "filename": filename,
        "file_format": file_format, "source_schema": source_schema, "on_invalid": on_invalid.value})


@router.post("/{dataset_id}/imports", response_model=JobOut, status_code=201,
             summary="Import from a URL, a server path, an fsspec location or a Hugging Face dataset")
def import_reference(dataset_id: int, body: schemas.ImportRequest, principal: Principal = requires(Perm.DATASETS_WRITE),
                     db: Session = DB, settings: Settings = Depends(get_settings)) -> Job:
    data_service.get_dataset(db, dataset_id=dataset_id, principal=principal)
    location = body.location
    if body.source is schemas.ImportSource.PATH:
        location = str(data_service.check_import_path(settings, body.location))
    elif body.source is schemas.ImportSource.URL and not body.location.startswith(("http://", "https://")):
        raise AppError("A URL import needs an http:// or https:// address.",
                       details=[{"field": "body.location", "message": "not an http(s) URL"}])
    elif body.source is schemas.ImportSource.FSSPEC:
        data_service.check_remote_location(body.location)
    return _job(db, "datasets.import", f"Import {body.location[-80:]}", {
        "dataset_id": dataset_id, "source": body.source.value, "location": location,
        "file_format": body.file_format, "source_schema": body.source_schema, "on_invalid": body.on_invalid.value,
        "hf_split": body.hf_split})


# ---------------------------------------------------------------- versions and rows


@router.get("/{dataset_id}/versions", response_model=list[schemas.VersionOut], summary="Versions, newest first")
def list_versions(dataset_id: int, principal: Principal = requires(Perm.DATASETS_READ), db: Session = DB
                  ) -> list[DatasetVersion]:
    dataset = data_service.get_dataset(db, dataset_id=dataset_id, principal=principal)
    return data_service.list_versions(db, dataset=dataset)


@router.get("/{dataset_id}/versions/{number}", response_model=schemas.VersionOut, summary="One version")
def get_version(dataset_id: int, number: int, principal: Principal = requires(Perm.DATASETS_READ), db: Session = DB
                ) -> DatasetVersion:
    return _version(db, principal, dataset_id, number)[1]


@router.get("/{dataset_id}/versions/{number}/rows", response_model=schemas.RowsPage, summary="A page of rows")
def rows(
    dataset_id: int,
    number: int,
    principal: Principal = requires(Perm.DATASETS_READ),
    page: int = Query(1, ge=1),
    page_size: int = Query(20, ge=1, le=MAX_PAGE_SIZE),
    q: str | None = Query(None, max_length=200, description="Case-insensitive text search."),
    split: str | None = Query(None, pattern="^(train|dev|test)$"),
    db: Session = DB,
    settings: Settings = Depends(get_settings),
) -> schemas.RowsPage:
    _, version = _version(db, principal, dataset_id, number)
    items, total = data_service.rows_page(settings, version, page=page, page_size=page_size, q=q, split=split)
    return schemas.RowsPage(items=items, total=total, page=page, page_size=page_size)


@router.get("/{dataset_id}/versions/{number}/export", summary="Download a version in any supported format")
async def export(
    dataset_id: int,
    number: int,
    principal: Principal = requires(Perm.DATASETS_READ),
    file_format: str = Query("jsonl", pattern="^(jsonl|json|csv|parquet)$"),
    target_schema: str = Query("canonical", max_length=32),
    split: str | None = Query(None, pattern="^(train|dev|test)$"),
    db: Session = DB,
    settings: Settings = Depends(get_settings),
) -> FileResponse:
    dataset, version = _version(db, principal, dataset_id, number)
    scratch = Path(tempfile.mkstemp(suffix=f".{file_format}")[1])
    await anyio.to_thread.run_sync(lambda: exporting.export_version(
        settings, version, scratch, file_format=file_format, target_schema=target_schema, split=split))
    suffix = f"-{split}" if split else ""
    return FileResponse(scratch, filename=f"{dataset.name}-v{number}{suffix}.{file_format}",
                        background=BackgroundTask(scratch.unlink, missing_ok=True))


# ---------------------------------------------------------------- operations


@router.post("/{dataset_id}/versions/{number}/report", response_model=JobOut, status_code=201,
             summary="Start a quality report of a version")
def start_report(dataset_id: int, number: int, principal: Principal = requires(Perm.DATASETS_WRITE),
                 tokenizer_path: str | None = Query(None, description="Folder of a tokenizer for token counts."),
                 db: Session = DB) -> Job:
    dataset, _ = _version(db, principal, dataset_id, number)
    return _job(db, "datasets.report", f"Quality report {dataset.name} v{number}",
                {"dataset_id": dataset_id, "number": number, "tokenizer_path": tokenizer_path})


@router.get("/{dataset_id}/versions/{number}/report", summary="The newest quality report of a version")
def get_report(dataset_id: int, number: int, principal: Principal = requires(Perm.DATASETS_READ), db: Session = DB,
               settings: Settings = Depends(get_settings)) -> dict[str, Any]:
    _, version = _version(db, principal, dataset_id, number)
    return data_service.report_document(settings, data_service.latest_report(db, version=version))


@router.post("/{dataset_id}/versions/{number}/clean/preview", summary="What a rule set would change on the first rows")
def clean_preview(dataset_id: int, number: int, body: schemas.RuleSet,
                  principal: Principal = requires(Perm.DATASETS_WRITE), db: Session = DB,
                  settings: Settings = Depends(get_settings)) -> dict[str, Any]:
    _, version = _version(db, principal, dataset_id, number)
    return previews.preview_cleaning(settings, version, body.rules)


@router.post("/{dataset_id}/versions/{number}/clean", response_model=JobOut, status_code=201,
             summary="Clean a version into a new version")
def clean(dataset_id: int, number: int, body: schemas.RuleSet, principal: Principal = requires(Perm.DATASETS_WRITE),
          db: Session = DB) -> Job:
    dataset, _ = _version(db, principal, dataset_id, number)
    previews.check_rules(body.rules)
    return _job(db, "datasets.clean", f"Clean {dataset.name} v{number}",
                {"dataset_id": dataset_id, "number": number, "rules": body.rules})


@router.post("/{dataset_id}/versions/{number}/augment", response_model=JobOut, status_code=201,
             summary="Augment a version into a new version")
def augment(dataset_id: int, number: int, body: schemas.AugmentRequest,
            principal: Principal = requires(Perm.DATASETS_WRITE), db: Session = DB) -> Job:
    dataset, _ = _version(db, principal, dataset_id, number)
    previews.check_methods(body.methods)
    return _job(db, "datasets.augment", f"Augment {dataset.name} v{number}",
                {"dataset_id": dataset_id, "number": number, "methods": body.methods, "seed": body.seed})


@router.post("/{dataset_id}/versions/{number}/split", response_model=JobOut, status_code=201,
             summary="Split a version into train/dev/test (a new version)")
def split(dataset_id: int, number: int, body: schemas.SplitRequest,
          principal: Principal = requires(Perm.DATASETS_WRITE), db: Session = DB) -> Job:
    dataset, _ = _version(db, principal, dataset_id, number)
    return _job(db, "datasets.split", f"Split {dataset.name} v{number}",
                {"dataset_id": dataset_id, "number": number, **body.model_dump()})
