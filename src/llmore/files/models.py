"""Tables of the OpenAI-compatible API: uploaded files (``/v1/files``) and fine-tuning jobs."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from llmore.db.base import Record


class UploadedFile(Record):
    """One uploaded file: its name and purpose, and the content-addressed blob holding its bytes.

    The OpenAI id is ``file-<id>``. ``dataset_versions`` remembers the dataset version each
    import of this file created, keyed by schema, so fine-tuning twice on one file imports it once.
    """

    __tablename__ = "files"

    filename: Mapped[str] = mapped_column(String(255))
    purpose: Mapped[str] = mapped_column(String(32), index=True)
    bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    lines: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default="processed")
    dataset_versions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class FineTuningJob(Record):
    """An OpenAI fine-tuning job: the request as the client sent it, and the platform job that runs it.

    The OpenAI id is ``ftjob-<job_id>``; state, progress, result and log live on the job.
    """

    __tablename__ = "fine_tuning_jobs"

    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id"), unique=True)
    model: Mapped[str] = mapped_column(String(300))
    training_file: Mapped[str] = mapped_column(String(40))
    validation_file: Mapped[str | None] = mapped_column(String(40), default=None)
    method: Mapped[str] = mapped_column(String(16))
    hyperparameters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    suffix: Mapped[str | None] = mapped_column(String(64), default=None)
    seed: Mapped[int] = mapped_column(Integer)
