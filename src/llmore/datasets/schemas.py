"""Request and response bodies of the data API."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from llmore.datasets.canonical import DataSchema
from llmore.schemas import RecordOut, VersionedUpdate


class DataType(StrEnum):
    TEXT = "text"
    IMAGE = "image"
    AUDIO = "audio"
    VIDEO = "video"


class Sensitivity(StrEnum):
    PUBLIC = "public"
    INTERNAL = "internal"
    CONFIDENTIAL = "confidential"
    RESTRICTED = "restricted"


class Visibility(StrEnum):
    """Who sees a dataset: its owner (and admins), the owner's department, or everyone."""

    PRIVATE = "private"
    DEPARTMENT = "department"
    PUBLIC = "public"


class InvalidRows(StrEnum):
    """What an import does with rows that fail validation."""

    DROP = "drop"
    STOP = "stop"


class ImportSource(StrEnum):
    URL = "url"
    PATH = "path"
    FSSPEC = "fsspec"
    HUGGINGFACE = "huggingface"


class DatasetCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)
    data_type: DataType = DataType.TEXT
    sensitivity: Sensitivity = Sensitivity.INTERNAL
    visibility: Visibility = Visibility.DEPARTMENT
    department_id: int | None = Field(default=None, description="Defaults to the creator's department.")


class DatasetUpdate(VersionedUpdate):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    sensitivity: Sensitivity | None = None
    visibility: Visibility | None = None
    department_id: int | None = None


class VersionOut(RecordOut):
    dataset_id: int
    number: int
    parent_id: int | None
    operation: str
    params: dict[str, Any]
    data_schema: DataSchema
    source: dict[str, Any]
    row_count: int
    size_bytes: int
    sha256: str
    diff: dict[str, int]
    splits: dict[str, int] | None
    stats: dict[str, Any]
    job_id: int | None


class DatasetOut(RecordOut):
    name: str
    description: str
    data_type: DataType
    sensitivity: Sensitivity
    visibility: Visibility
    owner_id: int
    department_id: int | None
    latest_version: int = Field(description="Number of the newest version; 0 while the dataset is empty.")
    latest: VersionOut | None = None


class ImportRequest(BaseModel):
    """Import from somewhere the server can reach (an upload goes through PUT .../upload instead)."""

    model_config = ConfigDict(extra="forbid")

    source: ImportSource
    location: str = Field(min_length=1, max_length=2000, description="URL, server path, fsspec URL or HF id.")
    file_format: str | None = Field(
        default=None, description="jsonl, json, csv, tsv, parquet or txt; detected if omitted."
    )
    source_schema: str | None = Field(default=None, description="alpaca, sharegpt, openai, ...; detected if omitted.")
    on_invalid: InvalidRows = InvalidRows.DROP
    hf_split: str = Field(default="train", description="Split to read from a Hugging Face dataset.")


class RowsPage(BaseModel):
    items: list[dict[str, Any]]
    total: int
    page: int
    page_size: int


class PreviewOut(BaseModel):
    """What an import would produce: detected format and schema, the first rows, the first problems."""

    file_format: str
    source_schema: str
    data_schema: DataSchema
    reason: str
    rows: list[dict[str, Any]]
    errors: list[dict[str, Any]]
    scanned: int


class RuleSet(BaseModel):
    """Cleaning rules in the order they apply (see GET /api/datasets/cleaning-rules)."""

    model_config = ConfigDict(extra="forbid")

    rules: list[dict[str, Any]] = Field(min_length=1)


class AugmentRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    methods: list[dict[str, Any]] = Field(min_length=1)
    seed: int = 0


class SplitRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    train: float = Field(default=0.8, ge=0, le=1)
    dev: float = Field(default=0.1, ge=0, le=1)
    test: float = Field(default=0.1, ge=0, le=1)
    seed: int = 42
    stratify: bool = Field(default=True, description="Keep label proportions in every split (classification).")

    @model_validator(mode="after")
    def _sums_to_one(self) -> SplitRequest:
        if abs(self.train + self.dev + self.test - 1) > 1e-6:
            raise ValueError(f"train + dev + test must be 1, got {self.train + self.dev + self.test:g}")
        return self


class CatalogEntry(BaseModel):
    name: str
    description: str
    params_schema: dict[str, Any]
