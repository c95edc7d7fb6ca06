"""Bridges the transformers Trainer to the job system: metrics, system load, diagnosis, progress with ETA."""

from __future__ import annotations

import importlib.util
import json
import math
import os
import time
from collections import defaultdict
from typing import Any

import psutil
from transformers import TrainerCallback, TrainerControl, TrainerState, TrainingArguments

from llmore.jobs.context import JobContext
from llmore.monitoring.diagnosis import Alert, diagnose
from llmore.monitoring.gpus import gpu_metrics, visible_gpu_indices

REPORTED = {
    "loss",  # also as eval_loss, and any of these as eval_<name> when the run evaluates on held-out rows
    "learning_rate",
    "grad_norm",
    "epoch",
    "train_tokens_per_second",
    "num_tokens",  # TRL's count of real (non-padding) tokens trained on so far
    "train_runtime",  # seconds in the training loop, logged once at the end
    "mean_token_accuracy",
    # DPO: how often and by how much the chosen answer beats the rejected one
    "rewards/accuracies",
    "rewards/margins",
    # GRPO: the total reward, its spread within groups, answer length, distance from the reference
    "reward",
    "reward_std",
    "completions/mean_length",
    "kl",
    # reward models: how often and by how much chosen outscores rejected
    "accuracy",
    "margin",
}
REPORTED_PREFIXES = ("rewards/",)  # GRPO's per-function means: rewards/<function>/mean
SYSTEM_EVERY_S = 5.0


def _reported(name: str) -> bool:
    return name in REPORTED or name.startswith(REPORTED_PREFIXES)


class JobReporter(TrainerCallback):
    """Sends logged numbers and system load to the job's metric series, diagnoses the curves as they grow.

    With ``auto_stop`` an alert that recommends stopping (divergence, overfitting) ends training
    after the current step; the last checkpoint and the saved model stay usable.
    """

    def __init__(self, ctx: JobContext, *, auto_stop: bool = False):
        self.ctx = ctx
        self.auto_stop = auto_stop
        self.series: dict[str, list[tuple[int, float]]] = defaultdict(list)
        self.alerts: dict[str, Alert] = {}
        self._last_system = 0.0
        self._process = psutil.Process()
        self._gpus = visible_gpu_indices()

    def on_log(
        self,
        args: TrainingArguments,
        state: TrainerState,
        control: TrainerControl,
        logs: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        logs = logs or {}
        # An evaluation logs its own numbers as eval_<name> beside the epoch the last training log already holds.
        evaluation = "eval_loss" in logs
        numbers = {
            name: float(value)
            for name, value in logs.items()
            if isinstance(value, int | float)
            and (name.startswith("eval_") or not evaluation)
            and _reported(name.removeprefix("eval_") if evaluation else name)
        }
        if not numbers:
            return
        for name, value in numbers.items():
            self.series[name].append((state.global_step, value))
        # Every process of a multi-process run sees the same (gathered) numbers and diagnoses them, so an
        # auto-stop stops all of them at the same step; rank 0 alone reports.
        reporting = state.is_world_process_zero
        if reporting:
            self._report(numbers, state)
        self._diagnose(control, reporting)

    def _report(self, numbers: dict[str, float], state: TrainerState) -> None:
        finite = {name: value for name, value in numbers.items() if math.isfinite(value)}
        if finite:
            self.ctx.metrics(finite, step=state.global_step)
        self.ctx.log(
            f"step {state.global_step}/{state.max_steps} "
            + " ".join(f"{name}={value:.4g}" for name, value in sorted(numbers.items()))
        )

    def _diagnose(self, control: TrainerControl, reporting: bool) -> None:
        for alert in diagnose(self.series):
            if alert.code in self.alerts:
                continue
            self.alerts[alert.code] = alert
            if reporting:
                self.ctx.log(f"ALERT [{alert.severity}] {alert.title_en} — {alert.advice_en}")
                self.ctx.add_result(alerts=[a.model_dump(mode="json") for a in self.alerts.values()])
            if self.auto_stop and alert.stop_recommended:
                if reporting:
                    self.ctx.log("stopping early, as asked (auto_stop)")
                control.should_training_stop = True

    def on_step_end(self, args: TrainingArguments, state: TrainerState, control: TrainerControl, **kwargs: Any) -> None:
        if not state.is_world_process_zero:
            return
        self.ctx.progress(state.global_step, max(state.max_steps, 1), f"step {state.global_step}/{state.max_steps}")
        now = time.monotonic()
        if now - self._last_system >= SYSTEM_EVERY_S:
            self._last_system = now
            gpus = gpu_metrics(self._gpus)
            self.ctx.metrics(
                {
                    "system_cpu_percent": psutil.cpu_percent(),
                    "system_rss_gb": self._process.memory_info().rss / 2**30,
                    "system_ram_used_percent": psutil.virtual_memory().percent,
                    **gpus,
                },
                step=state.global_step,
            )
            if gpus:  # the idle-GPU rule judges utilisation; only this (first) process samples it
                for name, value in gpus.items():
                    self.series[name].append((state.global_step, value))
                self._diagnose(control, reporting=True)


def trackers(ctx: JobContext) -> list[str]:
    """The trainer's ``report_to``: TensorBoard event files in the job's folder always, MLflow when configured.

    transformers reads both integrations' places from the environment; the job is its own process, so
    setting them here touches no other run.
    """
    chosen = []
    if importlib.util.find_spec("tensorboard") is not None:
        os.environ["TENSORBOARD_LOGGING_DIR"] = str(ctx.workdir / "tensorboard")
        chosen.append("tensorboard")
    else:
        ctx.log("TensorBoard files are not written: the tensorboard package is missing (pip install 'llmore[ml]').")
    uri = ctx.settings.mlflow_tracking_uri
    if uri and importlib.util.find_spec("mlflow") is not None:
        os.environ["MLFLOW_TRACKING_URI"] = uri
        os.environ.setdefault("MLFLOW_EXPERIMENT_NAME", "llmore")
        os.environ["MLFLOW_TAGS"] = json.dumps({"llmore.job_id": str(ctx.job_id)})
        chosen.append("mlflow")
        ctx.log(f"logging to MLflow at {uri} (experiment {os.environ['MLFLOW_EXPERIMENT_NAME']}, tag llmore.job_id)")
    elif uri:
        ctx.log(f"Not logging to MLflow at {uri}: the mlflow package is missing (pip install mlflow).")
    return chosen
