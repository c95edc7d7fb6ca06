"""Job kinds of the data domain: import, quality report, cleaning, augmentation, split."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from llmore.jobs.registry import JobKind


class _DataJobParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    dataset_id: int


class ImportParams(_DataJobParams):
    """Where the data comes from and how strictly rows are checked."""

    source: str = Field(description="upload, url, path, fsspec or huggingface")
    location: str = Field(description="Server-side upload path, URL, path, fsspec URL or HF id.")
    filename: str = ""
    file_format: str | None = None
    source_schema: str | None = None
    on_invalid: str = "drop"
    hf_split: str = "train"


class VersionParams(_DataJobParams):
    number: int = Field(ge=1)


class ReportParams(VersionParams):
    tokenizer_path: str | None = None


class CleanParams(VersionParams):
    rules: list[dict[str, Any]]


class AugmentParams(VersionParams):
    methods: list[dict[str, Any]]
    seed: int = 0


class SplitParams(VersionParams):
    train: float
    dev: float
    test: float
    seed: int
    stratify: bool = True


KINDS = [
    JobKind(name="datasets.import", target="llmore.datasets.jobs:import_job", params=ImportParams,
            description="Read a file into a new dataset version in the canonical format."),
    JobKind(name="datasets.report", target="llmore.datasets.jobs:report_job", params=ReportParams,
            description="Compute the quality report of a dataset version."),
    JobKind(name="datasets.clean", target="llmore.datasets.jobs:clean_job", params=CleanParams,
            description="Apply cleaning rules to a version, producing a new version."),
    JobKind(name="datasets.augment", target="llmore.datasets.jobs:augment_job", params=AugmentParams,
            description="Add augmented rows to a version, producing a new version."),
    JobKind(name="datasets.split", target="llmore.datasets.jobs:split_job", params=SplitParams,
            description="Assign rows to train/dev/test with a seed, producing a new version."),
]
