"""Request and response bodies of the jobs API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from llmore.jobs.states import JobState
from llmore.schemas import RecordOut


class JobCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str = Field(min_length=1, max_length=64, description="A kind listed by GET /api/jobs/kinds.")
    params: dict[str, Any] = Field(default_factory=dict, description="Parameters of the kind.")
    name: str = Field(default="", max_length=200)
    priority: int = Field(default=0, ge=-100, le=100, description="Higher runs first.")
    max_attempts: int = Field(default=1, ge=1, le=10, description="Runs before a failure is final.")
    timeout_seconds: float | None = Field(default=None, gt=0, description="Stop the job after this long.")
    gpus: int = Field(default=0, ge=0, le=64, description="GPUs the job needs.")


class JobOut(RecordOut):
    kind: str
    name: str
    params: dict[str, Any]
    state: JobState
    priority: int
    progress: float
    progress_message: str
    eta_seconds: float | None
    attempts: int
    max_attempts: int
    timeout_seconds: float | None
    gpus: int
    assigned_gpus: str | None
    cancel_requested: bool
    cancel_reason: str | None
    queued_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    exit_code: int | None
    error: str | None
    result: dict[str, Any]


class JobKindOut(BaseModel):
    name: str
    description: str
    params_schema: dict[str, Any]


class LogChunk(BaseModel):
    text: str = Field(description="Log text from `offset` on (UTF-8; may end mid-line).")
    offset: int = Field(description="Byte offset this chunk starts at.")
    next_offset: int = Field(description="Pass as `offset` to read on.")
    complete: bool = Field(description="The job has finished and the log has been read to its end.")


class MetricPoint(BaseModel):
    step: int
    value: float


class MetricSeries(BaseModel):
    series: dict[str, list[MetricPoint]]
