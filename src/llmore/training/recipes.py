"""Each recipe's TRL trainer, built from the parts every run shares (see ``jobs.run_recipe``).

SFT and continued pre-training share ``SFTTrainer`` (conversational prompt/completion examples vs
``text`` documents, packed); DPO uses ``DPOTrainer`` with the adapter-less model as the reference
when training LoRA; GRPO uses ``GRPOTrainer`` with the run's reward functions; reward models use
``RewardTrainer`` (the base with a one-score sequence-classification head).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from llmore.settings import Settings
from llmore.training.advisor import Recipe
from llmore.training.job_kinds import GrpoParams, TrainParams
from llmore.training.rewards import reward_functions


@dataclass(frozen=True)
class TrainerParts:
    """What every recipe's trainer is made of: model folder, advice, shared arguments, data and callbacks."""

    model: str
    values: dict[str, Any]
    arguments: dict[str, Any]  # TrainingArguments fields every recipe sets the same way
    tokenizer: Any
    dataset: Any
    eval_dataset: Any  # held-out examples, or None when the run does not evaluate
    peft_config: Any
    callbacks: list[Any]
    params: TrainParams
    settings: Settings


def _trainer(trainer_class: Any, config: Any, parts: TrainerParts, **extra: Any) -> Any:
    return trainer_class(
        model=parts.model,
        args=config,
        train_dataset=parts.dataset,
        eval_dataset=parts.eval_dataset,
        processing_class=parts.tokenizer,
        peft_config=parts.peft_config,
        callbacks=parts.callbacks,
        **extra,
    )


def _sft(parts: TrainerParts) -> Any:
    from trl import SFTConfig, SFTTrainer

    config = SFTConfig(**parts.arguments, max_length=parts.values["max_length"], packing=parts.values["packing"])
    return _trainer(SFTTrainer, config, parts)


def _dpo(parts: TrainerParts) -> Any:
    from trl import DPOConfig, DPOTrainer

    config = DPOConfig(**parts.arguments, max_length=parts.values["max_length"], beta=parts.values["beta"])
    return _trainer(DPOTrainer, config, parts)


def _grpo(parts: TrainerParts) -> Any:
    from trl import GRPOConfig, GRPOTrainer

    assert isinstance(parts.params, GrpoParams)
    functions, weights = reward_functions(parts.params.rewards, parts.settings)
    config = GRPOConfig(
        **parts.arguments,
        num_generations=parts.values["num_generations"],
        max_completion_length=parts.values["max_completion_length"],
        beta=parts.values["beta"],
        reward_weights=weights,
    )
    return _trainer(GRPOTrainer, config, parts, reward_funcs=functions)


def _reward(parts: TrainerParts) -> Any:
    from trl import RewardConfig, RewardTrainer

    config = RewardConfig(**parts.arguments, max_length=parts.values["max_length"])
    return _trainer(RewardTrainer, config, parts)


TRAINERS: dict[Recipe, Callable[[TrainerParts], Any]] = {
    Recipe.SFT: _sft,
    Recipe.PRETRAIN: _sft,
    Recipe.DPO: _dpo,
    Recipe.GRPO: _grpo,
    Recipe.REWARD: _reward,
}
