"""Tables of the data domain: datasets, their immutable versions, and quality reports."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from llmore.db.base import Record


class Dataset(Record):
    """A named collection of data with owner, sensitivity and visibility; its content lives in versions."""

    __tablename__ = "datasets"

    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    data_type: Mapped[str] = mapped_column(String(16), default="text")
    sensitivity: Mapped[str] = mapped_column(String(16), default="internal")
    visibility: Mapped[str] = mapped_column(String(16), default="department")
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), default=None)
    latest_version: Mapped[int] = mapped_column(Integer, default=0)


class DatasetVersion(Record):
    """One immutable state of a dataset: canonical JSONL in the artifact store, plus where it came from.

    ``line_index`` holds the byte offset of every ``LINE_INDEX_STEP``-th row so a page of rows is
    read with one seek, however large the version.
    """

    __tablename__ = "dataset_versions"
    __table_args__ = (UniqueConstraint("dataset_id", "number"),)

    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("dataset_versions.id"), default=None)
    operation: Mapped[str] = mapped_column(String(32))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    data_schema: Mapped[str] = mapped_column(String(32))
    source: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    row_count: Mapped[int] = mapped_column(BigInteger, default=0)
    size_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    sha256: Mapped[str] = mapped_column(String(64))
    diff: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    splits: Mapped[dict[str, int] | None] = mapped_column(JSON, default=None)
    line_index: Mapped[list[int]] = mapped_column(JSON, default=list)
    stats: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id"), default=None)


class QualityReport(Record):
    """A quality report computed for a version (derived data, so kept apart from the immutable version)."""

    __tablename__ = "dataset_quality_reports"
    __table_args__ = (Index("ix_dataset_quality_reports_version_live", "version_id", "deleted_at"),)

    version_id: Mapped[int] = mapped_column(ForeignKey("dataset_versions.id"))
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id"), default=None)
    sha256: Mapped[str] = mapped_column(String(64))
    score: Mapped[float] = mapped_column(Float)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
