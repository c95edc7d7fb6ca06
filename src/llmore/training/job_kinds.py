"""Job kinds of the training domain."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from llmore.jobs.registry import JobKind
from llmore.training.advisor import Method


class SftParams(BaseModel):
    """A supervised fine-tune: base model, dataset version, method, and any hyper-parameters to override."""

    model_config = ConfigDict(extra="forbid")

    base_model: str = Field(description="Folder of a transformers model.")
    dataset_id: int
    number: int = Field(ge=1, description="Dataset version number.")
    split: str | None = Field(default=None, description="Train on this split only (train when the version is split).")
    method: Method = Method.LORA
    overrides: dict[str, Any] = Field(default_factory=dict, description="Hyper-parameters that replace the advice.")
    max_steps: int | None = Field(default=None, ge=1, description="Stop after this many steps (a quick trial).")
    seed: int = 42
    output_model: str | None = Field(
        default=None, description="Registry model to add the result to; default '<base folder name>-sft'."
    )
    auto_stop: bool = Field(default=False, description="Stop when a diagnosis recommends it (divergence, overfitting).")


KINDS = [
    JobKind(
        name="training.sft",
        target="llmore.training.jobs:sft_job",
        params=SftParams,
        description="Supervised fine-tuning (LoRA or full) with the advisor's defaults; saves the adapter.",
    ),
]
