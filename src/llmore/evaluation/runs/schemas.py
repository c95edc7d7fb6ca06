"""Request and response bodies of evaluation runs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from llmore.evaluation.metrics.tokenize import ChineseTokenization
from llmore.evaluation.suite import Dimension

MODEL_REF_HELP = "A registered model version: name:N, name@alias or name."


class TaskSpec(BaseModel):
    """The task part of a run: a dataset version whose rows become prompts, and the metrics that score the answers."""

    model_config = ConfigDict(extra="forbid")

    dataset_id: int
    number: int = Field(ge=1, description="Dataset version number.")
    split: str | None = Field(default=None, pattern="^(train|dev|test)$",
                              description="Rows of this split; default test when the version has one, else all rows.")
    prompt_template: str | None = Field(
        default=None, max_length=20000,
        description="User message built from a row's fields, e.g. 'Classify: {text}'; default the row's own prompt.")
    metrics: list[str] | None = Field(
        default=None, description="Metric names; default accuracy and f1 for short labels, else text metrics.")
    limit: int | None = Field(default=None, ge=1, description="Evaluate at most this many rows.")
    chinese: ChineseTokenization = Field(default=ChineseTokenization.JIEBA, description="How Chinese is tokenised.")


class SuiteSpec(BaseModel):
    """The general five-dimension suite (and local benchmark files) to catch forgotten abilities."""

    model_config = ConfigDict(extra="forbid")

    dimensions: list[Dimension] | None = Field(default=None, description="The dimensions to test; default all five.")
    per_dimension: int = Field(default=10, ge=0, le=1000, description="Items per dimension.")
    seed: int = 0
    judge_model: str | None = Field(default=None, description="A served model that grades creativity answers.")
    benchmark_files: list[str] = Field(default_factory=list,
                                       description="Server paths of C-Eval / CMMLU / MMLU multiple-choice CSV files.")


class GenerationSpec(BaseModel):
    """How every model answers; greedy (temperature 0) by default so runs are repeatable."""

    model_config = ConfigDict(extra="forbid")

    max_new_tokens: int = Field(default=128, ge=1, le=8192)
    temperature: float = Field(default=0.0, ge=0, le=2, description="0 means greedy decoding.")
    top_p: float | None = Field(default=None, gt=0, le=1)
    top_k: int | None = Field(default=None, ge=0)
    repetition_penalty: float | None = Field(default=None, gt=0)
    seed: int | None = None


class EvalRunRequest(BaseModel):
    """An evaluation run: model versions, a task and/or the general suite, and generation settings."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, max_length=200)
    models: list[str] = Field(min_length=1, max_length=8, description=MODEL_REF_HELP)
    baseline: str | None = Field(default=None, description="The model the others are compared with.")
    task: TaskSpec | None = None
    suite: SuiteSpec | None = None
    generation: GenerationSpec = Field(default_factory=GenerationSpec)


class RunModel(BaseModel):
    """One evaluated model version inside a run."""

    label: str
    model_id: int
    version_number: int
    kind: str


class EvalRunOut(BaseModel):
    """A run with its job's state and progress, its models, and the scores so far."""

    id: int
    name: str
    job_id: int
    state: str
    progress: float
    eta_seconds: float | None = None
    error: str | None = None
    created_at: datetime
    models: list[RunModel]
    baseline: str
    config: dict[str, Any]
    summary: dict[str, dict[str, float]]
    dimensions: dict[str, dict[str, float]]
    details: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="Per model: per_label precision/recall/F1 and unknown_predictions.")


class EvalRecordOut(BaseModel):
    """One model's answer to one item, with its scores."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    model_label: str
    item_index: int
    source: str
    dimension: str | None
    input: list[dict[str, Any]]
    reference: str | None
    output: str
    scores: dict[str, float | None]


class RecordsPage(BaseModel):
    """A slice of a run's records and how many match the filters."""

    total: int
    items: list[EvalRecordOut]


class CompareRow(BaseModel):
    """One model of one run, with every metric and dimension value it has."""

    run_id: int
    run_name: str
    label: str
    values: dict[str, float]


class CompareOut(BaseModel):
    """Runs side by side: one row per (run, model), one column per metric or dimension."""

    columns: list[str]
    rows: list[CompareRow]
