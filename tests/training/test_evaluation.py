"""Held-out evaluation: eval loss as a series, the advisor's interval, early stopping and the overfitting alert."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from fastapi.testclient import TestClient
from safetensors.torch import load_file
from sqlalchemy.orm import Session, sessionmaker

from llmore.jobs.context import log_path
from llmore.monitoring.diagnosis import overfitting
from llmore.settings import Settings
from tests.conftest import Account
from tests.fixtures.dispatcher import RunningDispatcher
from tests.training.datasets import only_sqlite, split_by, split_dataset, upload_dataset
from tests.training.test_recipe_jobs import run_job
from tests.training.test_recipe_refusals import refusal

WORDS = ["amber", "birch", "cobalt", "delta", "ember", "fjord", "garnet", "harbor", "indigo", "jasper", "kelp",
         "lumen", "maple", "nickel", "onyx"]


def random_answers(count: int) -> list[dict[str, Any]]:
    """Chat rows whose answers are seeded random words: nothing in one row predicts another's answer.

    Training on them can only memorise, so with a high learning rate the dev loss falls while the
    model learns the words and the format, then climbs while the train loss keeps falling: overfitting.
    """
    chooser = random.Random(7)
    return [chat(f"code {i}", " ".join(chooser.choices(WORDS, k=6))) for i in range(count)]


def chat(prompt: str, answer: str) -> dict[str, Any]:
    return {"messages": [{"role": "user", "content": prompt}, {"role": "assistant", "content": answer}]}


PONG = [chat(f"ping {i}", "pong") for i in range(32)]
WEATHER = [chat(f"ping {i}", "The weather in Lisbon is mild all year.") for i in range(32, 40)]
FAST = {"learning_rate": 3e-2, "per_device_batch_size": 4, "gradient_accumulation_steps": 1, "warmup_ratio": 0.0}


def test_dev_split_is_evaluated_by_default_and_eval_every_is_advised(
    client: TestClient, make_account: Callable[..., Account], running_dispatcher: RunningDispatcher,
    session_factory: sessionmaker[Session], settings: Settings, tiny_causal_lm: Path,
) -> None:
    only_sqlite(settings)
    dev = make_account("developer")
    dataset_id = upload_dataset(client, dev, running_dispatcher, "split-chat", random_answers(40))
    number = split_dataset(client, dev, running_dispatcher, dataset_id, dev=0.2)
    run = {"base_model": str(tiny_causal_lm), "dataset_id": dataset_id, "number": number, "max_steps": 6}
    advice = client.post("/api/training/advice", json=run, headers=dev.headers).json()
    assert advice["choices"]["eval_every"]["value"] == 1  # ~10 evaluations over the 6 steps asked for
    assert "8 held-out rows over 6 steps" in advice["choices"]["eval_every"]["reason"]

    job = run_job("sft", tiny_causal_lm, dataset_id, {"number": number, "eval_every": 2}, FAST, 6, session_factory,
                  running_dispatcher, settings, timeout=300)
    series = client.get(f"/api/jobs/{job.id}/metrics", headers=dev.headers).json()["series"]
    assert [point["step"] for point in series["eval_loss"]] == [2, 4, 6]
    assert [point["step"] for point in series["eval_mean_token_accuracy"]] == [2, 4, 6]
    assert "eval_runtime" not in series  # only numbers about the model, not about the evaluation's speed
    assert job.result["eval_split"] == "dev"
    assert job.result["best_eval_loss"] == min(point["value"] for point in series["eval_loss"])
    assert job.result["stopped_early"] is False
    assert "evaluating on 8 rows of split 'dev' every 2 steps" in log_path(settings, job.id).read_text()


def test_early_stopping_ends_the_run_at_the_best_eval_loss_and_overfitting_is_diagnosed(
    client: TestClient, make_account: Callable[..., Account], running_dispatcher: RunningDispatcher,
    session_factory: sessionmaker[Session], settings: Settings, tiny_causal_lm: Path,
) -> None:
    only_sqlite(settings)
    dev = make_account("developer")
    # Trained on "pong" only, full fine-tuning at a high learning rate, the model soon scores the dev answers (about
    # the weather) worse with every step: dev loss rises from the second step while train loss keeps falling.
    dataset_id = upload_dataset(client, dev, running_dispatcher, "overfit-chat", PONG + WEATHER)
    number = split_by(settings, session_factory, dataset_id,
                      lambda row: "train" if row["messages"][-1]["content"] == "pong" else "dev")
    patience = {"number": number, "method": "full", "eval_every": 1, "early_stopping_patience": 3}
    job = run_job("sft", tiny_causal_lm, dataset_id, patience, {**FAST, "learning_rate": 1e-2}, 30,
                  session_factory, running_dispatcher, settings, timeout=300)
    series = client.get(f"/api/jobs/{job.id}/metrics", headers=dev.headers).json()["series"]
    evals = [(point["step"], point["value"]) for point in series["eval_loss"]]
    best_step, best_loss = min(evals, key=lambda point: point[1])
    assert job.result["stopped_early"] is True
    assert job.result["steps"] == evals[-1][0] == best_step + 3 < 30  # three evaluations without improvement
    assert (job.result["best_step"], job.result["best_eval_loss"]) == (best_step, best_loss)
    log = log_path(settings, job.id).read_text()
    assert "ALERT [warning] Overfitting" in log
    assert "early stopping after 3 evaluations without a better eval loss" in log
    alert = next(alert for alert in job.result["alerts"] if alert["code"] == "overfitting")
    assert alert["step"] in dict(evals)
    # the stored series alone give the same diagnosis
    stored = {name: [(point["step"], point["value"]) for point in series[name]] for name in ("loss", "eval_loss")}
    assert overfitting(stored) is not None
    # the saved weights are the best checkpoint's, not the last step's
    saved = load_file(Path(job.result["output_path"]) / "model.safetensors")
    best = load_file(Path(settings.home) / "jobs" / str(job.id) / "checkpoints" / f"checkpoint-{best_step}"
                     / "model.safetensors")
    assert all(torch.equal(saved[name], best[name]) for name in best)


def test_eval_settings_that_cannot_work_are_refused_naming_the_field(
    client: TestClient, make_account: Callable[..., Account], running_dispatcher: RunningDispatcher,
    settings: Settings, tiny_causal_lm: Path,
) -> None:
    only_sqlite(settings)
    dev = make_account("developer")
    dataset_id = upload_dataset(client, dev, running_dispatcher, "refuse-split", random_answers(10))
    unsplit = {"base_model": str(tiny_causal_lm), "dataset_id": dataset_id, "number": 1}
    split = {**unsplit, "number": split_dataset(client, dev, running_dispatcher, dataset_id, dev=0.2)}
    jobs_before = client.get("/api/jobs", headers=dev.headers).json()["total"]

    assert refusal(client, dev, {**split, "eval_split": "validation"}) == {
        "body.eval_split": "the dataset version has no split 'validation'; it has: dev, train."}
    assert "the split this run trains on" in refusal(client, dev, {**split, "eval_split": "train"})["body.eval_split"]
    assert refusal(client, dev, {**unsplit, "early_stopping_patience": 2}) == {
        "body.early_stopping_patience": "early stopping watches the eval loss, and this run has no eval split: split "
        "the dataset version, or remove early_stopping_patience."}
    assert "eval_every" not in client.post("/api/training/advice", json=unsplit, headers=dev.headers).json()["choices"]
    assert client.post("/api/training/runs", json={**split, "eval_every": 0}, headers=dev.headers).status_code == 422
    assert client.get("/api/jobs", headers=dev.headers).json()["total"] == jobs_before
