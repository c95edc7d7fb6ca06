"""Job kinds of the training domain."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from llmore.jobs.registry import JobKind
from llmore.training.advisor import Method
from llmore.training.rewards import REWARD_KINDS, RewardSpec

BASE_MODEL_HELP = "Server folder with config.json, a .gguf file, or a registered model: name, name:N or name@alias."
CHECKPOINT_HELP = "Save a checkpoint every this many steps; a retried job resumes from the last one."
MERGE_HELP = "After a LoRA run, also merge the adapter into the base and register the merged weights."
REWARDS_HELP = f"GRPO only: reward functions, each {{'reward': one of {', '.join(REWARD_KINDS)}, 'weight': 1.0, ...}}."


class TrainParams(BaseModel):
    """A fine-tuning run of any recipe: base model, dataset version, method, and any hyper-parameters to override."""

    model_config = ConfigDict(extra="forbid")

    base_model: str = Field(description=BASE_MODEL_HELP)
    dataset_id: int
    number: int = Field(ge=1, description="Dataset version number.")
    split: str | None = Field(default=None, description="Train on this split only (train when the version is split).")
    method: Method = Method.LORA
    overrides: dict[str, Any] = Field(default_factory=dict, description="Hyper-parameters that replace the advice.")
    max_steps: int | None = Field(default=None, ge=1, description="Stop after this many steps (a quick trial).")
    seed: int = 42
    output_model: str | None = Field(
        default=None, description="Registry model to add the result to; default '<base name>-<recipe>'."
    )
    auto_stop: bool = Field(default=False, description="Stop when a diagnosis recommends it (divergence, overfitting).")
    checkpoint_every: int = Field(default=50, ge=1, description=CHECKPOINT_HELP)
    merge: bool = Field(default=False, description=MERGE_HELP)


class GrpoParams(TrainParams):
    """A GRPO run: the common parameters and the reward functions that score each generated answer."""

    rewards: list[RewardSpec] = Field(min_length=1, description=REWARDS_HELP)


KINDS = [
    JobKind(
        name="training.sft",
        target="llmore.training.jobs:sft_job",
        params=TrainParams,
        description="Supervised fine-tuning (LoRA or full) with the advisor's defaults; saves the adapter.",
    ),
    JobKind(
        name="training.pretrain",
        target="llmore.training.jobs:pretrain_job",
        params=TrainParams,
        description="Continued pre-training on plain-text documents, packed into full-length blocks.",
    ),
    JobKind(
        name="training.dpo",
        target="llmore.training.jobs:dpo_job",
        params=TrainParams,
        description="Direct preference optimisation on chosen/rejected pairs (LoRA by default).",
    ),
    JobKind(
        name="training.grpo",
        target="llmore.training.jobs:grpo_job",
        params=GrpoParams,
        description="GRPO: the model answers each prompt several times and learns from the rewards' ranking.",
    ),
]
