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
EVAL_SPLIT_HELP = (
    "Split to compute eval loss on; default the version's validation/eval/dev split when it has one, else none."
)
EVAL_EVERY_HELP = "Steps between evaluations; default from the advisor (about 10 per run)."
PATIENCE_HELP = (
    "Stop when eval loss has not improved for this many evaluations, keeping the best model (needs an eval split)."
)
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
    eval_split: str | None = Field(default=None, description=EVAL_SPLIT_HELP)
    eval_every: int | None = Field(default=None, ge=1, description=EVAL_EVERY_HELP)
    early_stopping_patience: int | None = Field(default=None, ge=1, description=PATIENCE_HELP)


def edits(overrides: dict[str, Any], eval_every: int | None) -> dict[str, Any]:
    """The user's edits to the advice: the overrides, and the evaluation interval when given."""
    return {**overrides, **({"eval_every": eval_every} if eval_every is not None else {})}


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
    JobKind(
        name="training.reward",
        target="llmore.training.jobs:reward_job",
        params=TrainParams,
        description="Reward model: the base with a score head, trained to rank chosen answers above rejected ones.",
    ),
]
