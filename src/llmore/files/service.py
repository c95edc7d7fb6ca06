"""Logic of the files domain: upload (checked, content-addressed), list, read, delete, import as a dataset."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from llmore.auth.service import Principal
from llmore.datasets import service as data_service
from llmore.datasets import versions
from llmore.datasets.formats import DataFileError, iter_records_from
from llmore.datasets.importing import convert_records
from llmore.datasets.models import DatasetVersion
from llmore.errors import AppError, NotFound
from llmore.files.models import UploadedFile
from llmore.files.paging import cursor_page, parse_id
from llmore.files.schemas import FILE_ID_PREFIX, JSONL_PURPOSES, FileObject, FilePurpose
from llmore.settings import Settings

ADMIN_ROLE = "admin"
CHUNK_BYTES = 1024 * 1024


class UploadTooLarge(AppError):
    """An upload over ``max_upload_bytes``."""

    status_code = 413
    code = "payload_too_large"


def file_object(row: UploadedFile) -> FileObject:
    """The OpenAI ``file`` object of a row."""
    return FileObject(id=f"{FILE_ID_PREFIX}{row.id}", bytes=row.bytes, created_at=int(row.created_at.timestamp()),
                      filename=row.filename, purpose=row.purpose, status=row.status)


def _chunks(stream: BinaryIO) -> Iterator[bytes]:
    stream.seek(0)
    while chunk := stream.read(CHUNK_BYTES):
        yield chunk


def _measure(stream: BinaryIO, filename: str, limit: int) -> int:
    """The stream's size, refused when empty or over ``limit``."""
    stream.seek(0, 2)
    size = stream.tell()
    if size == 0:
        raise AppError(f"'{filename}' is empty (0 bytes); upload a file with data.", code="empty_file",
                       details=[{"field": "file", "message": "0 bytes"}])
    if size > limit:
        raise UploadTooLarge(f"'{filename}' has {size} bytes, over the limit of {limit}; split it or ask an admin "
                             "to raise LLMORE_MAX_UPLOAD_BYTES.", details=[{"field": "file", "message": "too large"}])
    return size


def _count_json_lines(stream: BinaryIO, filename: str) -> int:
    """How many JSON objects the JSONL stream holds; the first line that is not one is refused by number."""
    stream.seek(0)
    lines = 0
    try:
        for record in iter_records_from(stream, name=filename, fmt="jsonl"):
            if record.error is not None:
                raise record.error_for(filename)
            lines += 1
    except DataFileError as exc:
        line = exc.details[0].get("line") if exc.details else None
        raise AppError(f"{exc.message}. Every line of a JSONL file must be one JSON object; fix the file and upload "
                       "it again.", code="invalid_file",
                       details=[{"field": "file", "line": line, "message": exc.problem}]) from exc
    return lines


def upload(settings: Settings, session: Session, *, stream: BinaryIO, filename: str,
           purpose: FilePurpose) -> UploadedFile:
    """Check the upload (size; for JSONL purposes every line) and store its bytes once by content."""
    size = _measure(stream, filename, settings.max_upload_bytes)
    lines = _count_json_lines(stream, filename) if purpose in JSONL_PURPOSES else 0
    blob = data_service.artifact_store(settings).put_stream(_chunks(stream))
    row = UploadedFile(filename=filename[:255], purpose=purpose.value, bytes=size, sha256=blob.sha256, lines=lines,
                       status="processed", dataset_versions={})
    session.add(row)
    session.flush()
    return row


def _visible(stmt: Select[tuple[UploadedFile]], principal: Principal) -> Select[tuple[UploadedFile]]:
    """Each user sees their own files; admins see all."""
    return stmt if ADMIN_ROLE in principal.roles else stmt.where(UploadedFile.created_by == principal.user_id)


def get_file(session: Session, principal: Principal, file_id: str, *, param: str = "file_id") -> UploadedFile:
    """A file the caller may see, by its OpenAI id; others' files answer 404 as if absent."""
    row_id = parse_id(file_id, FILE_ID_PREFIX, param=param, what="file")
    row = session.scalar(_visible(select(UploadedFile).where(UploadedFile.id == row_id), principal))
    if row is None:
        raise NotFound(f"No file with id '{file_id}'; upload it with POST /v1/files first.",
                       details=[{"field": param, "message": "unknown file id"}])
    return row


def list_files(session: Session, principal: Principal, *, purpose: str | None, after: str | None, limit: int,
               descending: bool) -> tuple[list[UploadedFile], bool]:
    stmt = _visible(select(UploadedFile), principal)
    if purpose:
        stmt = stmt.where(UploadedFile.purpose == purpose)
    after_id = parse_id(after, FILE_ID_PREFIX, param="after", what="file") if after else None
    return cursor_page(session, stmt, UploadedFile.id, after=after_id, limit=limit, descending=descending)


def delete_file(session: Session, principal: Principal, file_id: str) -> UploadedFile:
    """Soft-delete: the blob stays (other files and dataset versions may share its content)."""
    row = get_file(session, principal, file_id)
    row.soft_delete()
    session.flush()
    return row


def content(settings: Settings, row: UploadedFile) -> Iterator[bytes]:
    """The file's bytes, streamed from the store."""
    with data_service.artifact_store(settings).open(row.sha256) as stream:
        yield from iter(lambda: stream.read(CHUNK_BYTES), b"")


def dataset_version(settings: Settings, session: Session, principal: Principal, row: UploadedFile, *,
                    source_schema: str, param: str, adapt: Callable[[dict[str, Any]], dict[str, Any]] | None = None
                    ) -> DatasetVersion:
    """The dataset version holding the file's records read as ``source_schema`` (imported on first use).

    ``adapt`` reshapes each record first (OpenAI's DPO rows into preference pairs). A row that does
    not fit the schema stops the import with its line and field, named under ``param``.
    """
    known = row.dataset_versions.get(source_schema)
    if known:
        dataset = data_service.get_dataset(session, dataset_id=known["dataset_id"], principal=principal)
        return data_service.get_version(session, dataset=dataset, number=known["number"])
    store = data_service.artifact_store(settings)
    with store.open(row.sha256) as stream:
        try:
            records = iter_records_from(stream, name=row.filename, fmt="jsonl")
            if adapt is not None:
                records = (replace(r, data=adapt(r.data)) if r.data is not None else r for r in records)
            converted = convert_records(records,
                                        file_name=row.filename, source_schema=source_schema, stop_on_invalid=True)
            settings.uploads_dir.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryDirectory(dir=settings.uploads_dir) as scratch:
                written = versions.write_rows(store, converted.rows, parent=None, scratch=Path(scratch))
        except AppError as exc:
            problem = exc.details[0] if exc.details else {}
            raise AppError(f"{exc.message.split(' — ')[0]} (read as the '{source_schema}' schema).",
                           code="invalid_file",
                           details=[{"field": param, "line": problem.get("line"),
                                     "message": problem.get("message", exc.message)}]) from exc
    file_id = f"{FILE_ID_PREFIX}{row.id}"
    dataset = data_service.create_dataset(
        session, principal=principal, name=f"{file_id} {row.filename} ({source_schema})"[:200],
        description=f"Imported from the uploaded file {file_id} ({row.filename}) for fine-tuning.")
    version = data_service.record_version(
        session, dataset_id=dataset.id, parent=None, operation="import", params={"on_invalid": "stop"},
        data_schema=converted.data_schema.value, written=written,
        source={"kind": "file", "file_id": file_id, "filename": row.filename,
                "file_format": "jsonl", "source_schema": source_schema},
        stats={"read": converted.stats.read, "invalid_rows": 0, "errors": []})
    row.dataset_versions = {**row.dataset_versions, source_schema: {"dataset_id": dataset.id, "number": version.number}}
    session.flush()
    return version

