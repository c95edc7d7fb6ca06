"""The OpenAI-compatible ``/v1/files`` routes: upload, list, retrieve, delete, download.

Authenticated like every ``/v1`` route (an API key or session token); errors use OpenAI's shape.
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session

from llmore.auth.permissions import Perm
from llmore.auth.service import Principal
from llmore.deps import DB, get_settings, requires
from llmore.files import service
from llmore.files.schemas import FileDeleted, FileList, FileObject, FilePurpose
from llmore.settings import Settings

FILES_UPLOAD_PATH = "/v1/files"
router = APIRouter(prefix=FILES_UPLOAD_PATH, tags=["openai"])


@router.post("", response_model=FileObject, summary="Upload a file (OpenAI)")
async def upload_file(
    _: Principal = requires(Perm.DATASETS_WRITE),
    file: UploadFile = File(description="The file; JSONL for fine-tune, batch and evals."),
    purpose: FilePurpose = Form(description="What the file is for."),
    db: Session = DB,
    settings: Settings = Depends(get_settings),
) -> FileObject:
    # The multipart parser already spooled the body to a temporary file; checking and storing it block.
    row = await run_in_threadpool(service.upload, settings, db, stream=file.file,
                                  filename=file.filename or "upload.jsonl", purpose=purpose)
    return service.file_object(row)


@router.get("", response_model=FileList, summary="List your files (OpenAI)")
def list_files(
    principal: Principal = requires(Perm.DATASETS_READ),
    purpose: str | None = Query(None, description="Only files of this purpose."),
    after: str | None = Query(None, description="Cursor: the last file id of the previous page."),
    limit: int = Query(10000, ge=1, le=10000),
    order: Literal["asc", "desc"] = Query("desc", description="By creation time."),
    db: Session = DB,
) -> FileList:
    rows, has_more = service.list_files(db, principal, purpose=purpose, after=after, limit=limit,
                                        descending=order == "desc")
    data = [service.file_object(row) for row in rows]
    return FileList(data=data, first_id=data[0].id if data else None, last_id=data[-1].id if data else None,
                    has_more=has_more)


@router.get("/{file_id}", response_model=FileObject, summary="One file (OpenAI)")
def retrieve_file(file_id: str, principal: Principal = requires(Perm.DATASETS_READ), db: Session = DB) -> FileObject:
    return service.file_object(service.get_file(db, principal, file_id))


@router.delete("/{file_id}", response_model=FileDeleted, summary="Delete a file (OpenAI)")
def delete_file(file_id: str, principal: Principal = requires(Perm.DATASETS_WRITE), db: Session = DB) -> FileDeleted:
    return FileDeleted(id=service.file_object(service.delete_file(db, principal, file_id)).id)


@router.get("/{file_id}/content", summary="The file's bytes (OpenAI)", response_class=StreamingResponse)
def file_content(file_id: str, principal: Principal = requires(Perm.DATASETS_READ), db: Session = DB,
                 settings: Settings = Depends(get_settings)) -> StreamingResponse:
    row = service.get_file(db, principal, file_id)
    return StreamingResponse(service.content(settings, row), media_type="application/octet-stream",
                             headers={"Content-Disposition": f"attachment; filename*=utf-8''{quote(row.filename)}"})
