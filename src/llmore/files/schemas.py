"""Bodies of the OpenAI-compatible ``/v1/files`` API, shaped as OpenAI's SDKs parse them."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel

FILE_ID_PREFIX = "file-"


class FilePurpose(StrEnum):
    """What a file is for, as OpenAI names it; JSONL purposes are checked line by line on upload."""

    FINE_TUNE = "fine-tune"
    BATCH = "batch"
    EVALS = "evals"
    USER_DATA = "user_data"
    ASSISTANTS = "assistants"


JSONL_PURPOSES = frozenset({FilePurpose.FINE_TUNE, FilePurpose.BATCH, FilePurpose.EVALS})


class FileObject(BaseModel):
    """One uploaded file (OpenAI's ``file`` object)."""

    id: str
    object: Literal["file"] = "file"
    bytes: int
    created_at: int
    filename: str
    purpose: str
    status: str = "processed"
    status_details: str | None = None


class FileList(BaseModel):
    """A page of files, newest first unless ``order=asc``."""

    object: Literal["list"] = "list"
    data: list[FileObject]
    first_id: str | None = None
    last_id: str | None = None
    has_more: bool = False


class FileDeleted(BaseModel):
    """The answer to a delete."""

    id: str
    object: Literal["file"] = "file"
    deleted: bool = True
