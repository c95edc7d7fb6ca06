"""Bridges the transformers Trainer to the job system: metrics, progress with ETA, and logs."""

from __future__ import annotations

import math
from typing import Any

from transformers import TrainerCallback, TrainerControl, TrainerState, TrainingArguments

from llmore.jobs.context import JobContext

REPORTED = {
    "loss",
    "eval_loss",
    "learning_rate",
    "grad_norm",
    "epoch",
    "train_tokens_per_second",
    "mean_token_accuracy",
}


class JobReporter(TrainerCallback):
    """Sends every logged number to the job's metric series and the step count to its progress bar."""

    def __init__(self, ctx: JobContext):
        self.ctx = ctx

    def on_log(
        self,
        args: TrainingArguments,
        state: TrainerState,
        control: TrainerControl,
        logs: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        numbers = {
            name: float(value)
            for name, value in (logs or {}).items()
            if name in REPORTED and isinstance(value, int | float) and math.isfinite(float(value))
        }
        if numbers:
            self.ctx.metrics(numbers, step=state.global_step)
            self.ctx.log(
                f"step {state.global_step}/{state.max_steps} "
                + " ".join(f"{name}={value:.4g}" for name, value in sorted(numbers.items()))
            )

    def on_step_end(self, args: TrainingArguments, state: TrainerState, control: TrainerControl, **kwargs: Any) -> None:
        self.ctx.progress(state.global_step, max(state.max_steps, 1), f"step {state.global_step}/{state.max_steps}")
