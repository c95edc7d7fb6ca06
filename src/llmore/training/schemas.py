"""Request bodies of the training API."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from llmore.training.advisor import Method, Recipe
from llmore.training.job_kinds import (
    BASE_MODEL_HELP,
    CHECKPOINT_HELP,
    EVAL_EVERY_HELP,
    EVAL_SPLIT_HELP,
    MERGE_HELP,
    PATIENCE_HELP,
    REWARDS_HELP,
)
from llmore.training.rewards import RewardSpec


class RunRequest(BaseModel):
    """A fine-tuning run: base model, dataset version, recipe and method, and edits to the advice."""

    model_config = ConfigDict(extra="forbid")

    base_model: str = Field(min_length=1, description=BASE_MODEL_HELP)
    dataset_id: int
    number: int = Field(ge=1, description="Dataset version number.")
    split: str | None = Field(default=None, pattern="^(train|dev|test)$")
    recipe: Recipe = Recipe.SFT
    method: Method = Method.LORA
    overrides: dict[str, Any] = Field(default_factory=dict)
    max_steps: int | None = Field(default=None, ge=1)
    output_model: str | None = Field(default=None, max_length=200, description="Registry model for the result.")
    auto_stop: bool = Field(default=False, description="Stop when a diagnosis recommends it.")
    checkpoint_every: int = Field(default=50, ge=1, description=CHECKPOINT_HELP)
    merge: bool = Field(default=False, description=MERGE_HELP)
    rewards: list[RewardSpec] = Field(default_factory=list, description=REWARDS_HELP)
    eval_split: str | None = Field(default=None, description=EVAL_SPLIT_HELP)
    eval_every: int | None = Field(default=None, ge=1, description=EVAL_EVERY_HELP)
    early_stopping_patience: int | None = Field(default=None, ge=1, description=PATIENCE_HELP)
