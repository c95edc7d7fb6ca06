"""Tables of the jobs domain."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from llmore.db.base import Base, Record
from llmore.db.types import UTCDateTime, utcnow
from llmore.jobs.states import JobState


class Job(Record):
    """One long operation: what to run, where it runs, how far it got and what it produced."""

    __tablename__ = "jobs"
    # Every list query filters out soft-deleted rows, so deleted_at sits in each index: counts and
    # pages are then answered from the index alone (benchmarks/api_latency.py, 100k rows).
    __table_args__ = (
        Index("ix_jobs_live_created", "deleted_at", "created_at"),
        Index("ix_jobs_state_live_created", "state", "deleted_at", "created_at"),
        Index("ix_jobs_kind_live_created", "kind", "deleted_at", "created_at"),
        Index("ix_jobs_live_name_kind", "deleted_at", "name", "kind"),
    )

    kind: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200), default="")
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(16), default=JobState.QUEUED.value)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    progress_message: Mapped[str] = mapped_column(String(500), default="")
    eta_seconds: Mapped[float | None] = mapped_column(Float, default=None)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=1)
    timeout_seconds: Mapped[float | None] = mapped_column(Float, default=None)
    gpus: Mapped[int] = mapped_column(Integer, default=0)
    assigned_gpus: Mapped[str | None] = mapped_column(String(64), default=None)
    executor: Mapped[str] = mapped_column(String(32), default="local")
    executor_ref: Mapped[str | None] = mapped_column(String(255), default=None)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    cancel_reason: Mapped[str | None] = mapped_column(String(16), default=None)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    exit_code: Mapped[int | None] = mapped_column(Integer, default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class JobMetric(Base):
    """One point of a job's metric series (loss, learning rate, tokens/s, ...).

    Append-only and high-volume, so it skips the versioning and soft-delete columns of
    :class:`Record`: points are never edited, and they go when their job is purged.
    """

    __tablename__ = "job_metrics"
    __table_args__ = (Index("ix_job_metrics_job_id_name_step", "job_id", "name", "step"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id"))
    name: Mapped[str] = mapped_column(String(64))
    step: Mapped[int] = mapped_column(Integer)
    value: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Lease(Base):
    """A named lock with an expiry; the dispatcher holds ``dispatcher`` to be the only leader."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(128))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
