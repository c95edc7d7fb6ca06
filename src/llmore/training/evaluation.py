"""Held-out evaluation of a training run: which split it evaluates on, how often, and early stopping.

Eval loss on rows the model does not train on is what tells overfitting from learning; the
overfitting alert and early stopping both read it. The split defaults to the version's validation
split (``validation``, ``eval`` or ``dev``) when it has one, so splitting a dataset is enough.
"""

from __future__ import annotations

from typing import Any

from llmore.errors import AppError
from llmore.training.advisor import Recipe

DEFAULT_EVAL_SPLITS = ("validation", "eval", "dev")
EVAL_ROWS_MAX = 512  # enough for a steady loss estimate; more only slows every evaluation down
NO_EVAL_RECIPES = (Recipe.GRPO,)  # GRPO scores generations with rewards; it has no held-out loss


def eval_split(
    *,
    requested: str | None,
    splits: dict[str, int] | None,
    train_split: str | None,
    recipe: Recipe,
    early_stopping_patience: int | None,
    prefix: str = "",
) -> str | None:
    """The split to compute eval loss on, or None; refuses a split the version lacks and early stopping without one.

    ``prefix`` names where the fields live in the caller's input (``body.`` for the API).
    """
    available = sorted(splits or {})
    if requested is not None:
        if requested not in available:
            have = f"it has: {', '.join(available)}" if available else "it is not split (split it first)"
            _refuse("eval_split", f"the dataset version has no split {requested!r}; {have}.", prefix)
        if requested == train_split:
            _refuse("eval_split", f"{requested!r} is the split this run trains on; evaluate on another one.", prefix)
        if recipe in NO_EVAL_RECIPES:
            _refuse("eval_split", f"{recipe.value} has no eval loss (its rewards are its measure); remove it.", prefix)
        return requested
    chosen = None
    if recipe not in NO_EVAL_RECIPES:
        chosen = next((name for name in DEFAULT_EVAL_SPLITS if name in available and name != train_split), None)
    if early_stopping_patience is not None and chosen is None:
        _refuse(
            "early_stopping_patience",
            "early stopping watches the eval loss, and this run has no eval split: "
            + (f"choose one of {', '.join(available)} as eval_split" if available else "split the dataset version")
            + ", or remove early_stopping_patience.",
            prefix,
        )
    return chosen


def _refuse(field: str, message: str, prefix: str) -> None:
    details = [{"field": f"{prefix}{field}", "message": message}]
    raise AppError(f"{field}: {message}", code="invalid_eval", details=details)


def eval_arguments(eval_every: int, batch: int, early_stopping_patience: int | None) -> dict[str, Any]:
    """TrainingArguments fields for evaluating every ``eval_every`` steps, and for keeping the best model.

    With early stopping a checkpoint is saved at every evaluation (transformers can only return to
    an evaluated step it saved) and the best one is loaded at the end, so the saved adapter or
    weights are the ones with the lowest eval loss, not the last, overfitted ones; the rotation
    (``save_total_limit``) always keeps the best checkpoint.
    """
    arguments: dict[str, Any] = {
        "eval_strategy": "steps",
        "eval_steps": eval_every,
        "per_device_eval_batch_size": batch,
    }
    if early_stopping_patience is not None:
        arguments |= {
            "save_steps": eval_every,
            "load_best_model_at_end": True,
            "metric_for_best_model": "eval_loss",
            "greater_is_better": False,
        }
    return arguments
