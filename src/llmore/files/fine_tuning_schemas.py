"""Bodies of the OpenAI-compatible ``/v1/fine_tuning/jobs`` API, shaped as OpenAI's SDKs send and parse them."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

FT_JOB_PREFIX = "ftjob-"
Auto = Literal["auto"]


class FineTuningHyperparameters(BaseModel):
    """OpenAI's hyper-parameters; ``auto`` (or leaving one out) keeps the advisor's choice."""

    model_config = ConfigDict(extra="forbid")

    n_epochs: int | Auto = Field(default="auto", description="Epochs (an integer ≥ 1) or auto.")
    batch_size: int | Auto = Field(default="auto", description="Examples per optimizer step, or auto.")
    learning_rate_multiplier: float | Auto = Field(default="auto",
                                                   description="Scales the advisor's learning rate, or auto.")
    beta: float | Auto = Field(default="auto", description="DPO only: the strength of the preference penalty.")


class FineTuningMethodSettings(BaseModel):
    """The hyper-parameters of one method."""

    model_config = ConfigDict(extra="forbid")

    hyperparameters: FineTuningHyperparameters = Field(default_factory=FineTuningHyperparameters)


class FineTuningMethod(BaseModel):
    """How to fine-tune: ``supervised`` (SFT on chat rows) or ``dpo`` (preference pairs)."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["supervised", "dpo", "reinforcement"]
    supervised: FineTuningMethodSettings | None = None
    dpo: FineTuningMethodSettings | None = None
    reinforcement: dict[str, Any] | None = None


class FineTuningJobCreate(BaseModel):
    """A fine-tuning request as OpenAI's API takes it."""

    model_config = ConfigDict(extra="forbid")

    model: str = Field(min_length=1, max_length=300,
                       description="Base model: a registry reference (name, name:N, name@alias) or a bundled model.")
    training_file: str = Field(description="Id of an uploaded JSONL file (purpose fine-tune).")
    validation_file: str | None = None
    hyperparameters: FineTuningHyperparameters | None = Field(default=None,
                                                              description="Deprecated by OpenAI; use method.")
    method: FineTuningMethod | None = None
    suffix: str | None = Field(default=None, max_length=64, pattern=r"^[A-Za-z0-9._-]+$",
                               description="Added to the registry model name of the result.")
    seed: int | None = Field(default=None, ge=0, le=2**31 - 1)
    metadata: dict[str, str] | None = None
    integrations: list[dict[str, Any]] | None = None


class FineTuningJobError(BaseModel):
    code: str
    message: str
    param: str | None = None


class FineTuningHyperparametersOut(BaseModel):
    n_epochs: int | Auto | None = None
    batch_size: int | Auto | None = None
    learning_rate_multiplier: float | Auto | None = None
    beta: float | Auto | None = None


class FineTuningMethodOut(BaseModel):
    type: str
    supervised: dict[str, Any] | None = None
    dpo: dict[str, Any] | None = None


class FineTuningJobOut(BaseModel):
    """OpenAI's ``fine_tuning.job`` object; ``fine_tuned_model`` is the registry reference of the result."""

    id: str
    object: Literal["fine_tuning.job"] = "fine_tuning.job"
    created_at: int
    error: FineTuningJobError | None = None
    fine_tuned_model: str | None = None
    finished_at: int | None = None
    hyperparameters: FineTuningHyperparametersOut
    model: str
    organization_id: str = "llmore"
    result_files: list[str] = Field(default_factory=list)
    seed: int
    status: Literal["validating_files", "queued", "running", "succeeded", "failed", "cancelled"]
    trained_tokens: int | None = None
    training_file: str
    validation_file: str | None = None
    estimated_finish: int | None = None
    integrations: list[dict[str, Any]] | None = None
    metadata: dict[str, str] | None = None
    method: FineTuningMethodOut


class FineTuningJobList(BaseModel):
    object: Literal["list"] = "list"
    data: list[FineTuningJobOut]
    has_more: bool = False


class FineTuningEvent(BaseModel):
    """One ``fine_tuning.job.event``: a log line (``message``) or one step's numbers (``metrics``)."""

    id: str
    object: Literal["fine_tuning.job.event"] = "fine_tuning.job.event"
    created_at: int
    level: Literal["info", "warn", "error"] = "info"
    message: str
    data: dict[str, Any] | None = None
    type: Literal["message", "metrics"] = "message"


class FineTuningEventList(BaseModel):
    object: Literal["list"] = "list"
    data: list[FineTuningEvent]
    has_more: bool = False


class FineTuningCheckpoint(BaseModel):
    """A ``fine_tuning.job.checkpoint``: a saved step of the run; the model is the folder on the server."""

    id: str
    object: Literal["fine_tuning.job.checkpoint"] = "fine_tuning.job.checkpoint"
    created_at: int
    fine_tuned_model_checkpoint: str
    fine_tuning_job_id: str
    metrics: dict[str, float | None]
    step_number: int


class FineTuningCheckpointList(BaseModel):
    object: Literal["list"] = "list"
    data: list[FineTuningCheckpoint]
    first_id: str | None = None
    last_id: str | None = None
    has_more: bool = False
