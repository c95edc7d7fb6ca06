"""Request bodies of the training API."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from llmore.training.advisor import Method, Recipe
from llmore.training.job_kinds import REWARDS_HELP
from llmore.training.rewards import RewardSpec


class RunRequest(BaseModel):
    """A fine-tuning run: base model, dataset version, recipe and method, and edits to the advice."""

    model_config = ConfigDict(extra="forbid")

    base_model: str = Field(min_length=1, description="Folder of a transformers model on the server.")
    dataset_id: int
    number: int = Field(ge=1, description="Dataset version number.")
    split: str | None = Field(default=None, pattern="^(train|dev|test)$")
    recipe: Recipe = Recipe.SFT
    method: Method = Method.LORA
    overrides: dict[str, Any] = Field(default_factory=dict)
    max_steps: int | None = Field(default=None, ge=1)
    output_model: str | None = Field(default=None, max_length=200, description="Registry model for the result.")
    auto_stop: bool = Field(default=False, description="Stop when a diagnosis recommends it.")
    rewards: list[RewardSpec] = Field(default_factory=list, description=REWARDS_HELP)
