"""Continued pre-training, DPO and GRPO as real jobs: they finish, change the weights and register with lineage."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from safetensors.torch import load_file
from sqlalchemy.orm import Session, sessionmaker

from llmore.jobs import service as jobs_service
from llmore.jobs.context import log_path
from llmore.settings import Settings
from tests.conftest import Account
from tests.fixtures.dispatcher import RunningDispatcher
from tests.training.datasets import upload_dataset

TEXT_ROWS = [{"text": f"The order number is {i}. It will arrive on Monday and the box is blue."} for i in range(24)]
PREFERENCE_ROWS = [{"prompt": f"ping {i}", "chosen": "pong", "rejected": "I do not know."} for i in range(24)]
PROMPT_ROWS = [{"prompt": f"ping {i}", "answer": "pong"} for i in range(24)]
USER_REWARD = "def reward(completion, reference, prompt):\n    return float(reference in completion)\n"
GRPO_REWARDS = [
    {"reward": "exact_match"},
    {"reward": "regex", "pattern": "^p"},
    {"reward": "length", "min_chars": 2, "max_chars": 6, "weight": 2.0},
    {"reward": "python", "code": USER_REWARD},
]
SMALL_STEPS = {"per_device_batch_size": 4, "gradient_accumulation_steps": 1}
CASES = {
    "pretrain": (TEXT_ROWS, {}, {"learning_rate": 1e-2, **SMALL_STEPS}),
    "dpo": (PREFERENCE_ROWS, {}, {"learning_rate": 1e-2, **SMALL_STEPS}),
    "grpo": (PROMPT_ROWS, {"rewards": GRPO_REWARDS},
             {"learning_rate": 1e-2, "num_generations": 4, "max_completion_length": 8, **SMALL_STEPS}),
}
RECIPE_METRIC = {"pretrain": "mean_token_accuracy", "dpo": "rewards/accuracies", "grpo": "rewards/length/mean"}


def lora_b_norm(folder: Path) -> float:
    """Sum of |B| over the adapter's LoRA B matrices: zero at initialisation, so above zero once trained."""
    weights = load_file(folder / "adapter_model.safetensors")
    return sum(float(t.abs().sum()) for name, t in weights.items() if "lora_B" in name)


def run_job(
    recipe: str, base_model: Path, dataset_id: int, extra: dict[str, Any], overrides: dict[str, Any], steps: int,
    session_factory: sessionmaker[Session], dispatcher: RunningDispatcher, settings: Settings, timeout: float,
) -> Any:
    with session_factory.begin() as session:
        job_id = jobs_service.submit_job(session, kind=f"training.{recipe}", params={
            "base_model": str(base_model), "dataset_id": dataset_id, "number": 1, "max_steps": steps,
            "overrides": overrides, **extra}).id
    job = dispatcher.wait_state(job_id, "succeeded", "failed", timeout=timeout)
    assert job.state == "succeeded", log_path(settings, job_id).read_text()[-4000:]
    return job


@pytest.mark.parametrize("recipe", list(CASES))
def test_recipe_job_trains_and_registers(
    recipe: str, client: TestClient, make_account: Callable[..., Account], running_dispatcher: RunningDispatcher,
    session_factory: sessionmaker[Session], settings: Settings, tiny_causal_lm: Path,
) -> None:
    if not settings.effective_database_url.startswith("sqlite"):
        pytest.skip("training touches the database only through the job row; it runs once, on SQLite")
    dev = make_account("developer")
    rows, extra, overrides = CASES[recipe]
    dataset_id = upload_dataset(client, dev, running_dispatcher, f"{recipe}-rows", rows)
    job = run_job(recipe, tiny_causal_lm, dataset_id, extra, overrides, 4, session_factory, running_dispatcher,
                  settings, timeout=300)
    assert job.result["steps"] == 4
    assert lora_b_norm(Path(job.result["output_path"])) > 0
    series = client.get(f"/api/jobs/{job.id}/metrics", headers=dev.headers).json()["series"]
    assert len(series[RECIPE_METRIC[recipe]]) == 4
    registered = client.get("/api/models/resolve", params={"ref": job.result["model"]}, headers=dev.headers).json()
    assert job.result["model"] == f"{tiny_causal_lm.name}-{recipe}:1"
    assert (registered["kind"], registered["state"]) == ("adapter", "trained")
    assert (registered["source"]["recipe"], registered["source"]["job_id"]) == (recipe, job.id)
    log = log_path(settings, job.id).read_text()
    if recipe == "pretrain":
        assert "packing = True  (documents are concatenated" in log
    if recipe == "dpo":
        assert "beta = 0.1  (the usual DPO strength" in log
    if recipe == "grpo":
        assert [r["reward"] for r in registered["source"]["rewards"]] == [r["reward"] for r in GRPO_REWARDS]


CAPITALS = [("France", "Paris"), ("Japan", "Tokyo"), ("Italy", "Rome"), ("Egypt", "Cairo"), ("Peru", "Lima"),
            ("Kenya", "Nairobi"), ("Canada", "Ottawa"), ("Spain", "Madrid")]
SMOLLM2_CASES = {
    "dpo": ([{"prompt": f"What is the capital of {country}?", "chosen": f"The capital of {country} is {city}.",
              "rejected": "I am not sure."} for country, city in CAPITALS], {},
            {"per_device_batch_size": 2, "gradient_accumulation_steps": 1}),
    "grpo": ([{"prompt": f"What is the capital of {country}? One word.", "answer": city} for country, city in CAPITALS],
             {"rewards": [{"reward": "similarity"}, {"reward": "length", "min_chars": 3, "max_chars": 10}]},
             {"num_generations": 2, "max_completion_length": 12, "per_device_batch_size": 2,
              "gradient_accumulation_steps": 1}),
}


@pytest.mark.timeout(900)  # SmolLM2's conversion, the import and the job's start-up come first
@pytest.mark.parametrize("recipe", list(SMOLLM2_CASES))
def test_smollm2_preference_and_rl_jobs_change_the_model(
    recipe: str, client: TestClient, make_account: Callable[..., Account], running_dispatcher: RunningDispatcher,
    session_factory: sessionmaker[Session], settings: Settings, smollm2_dir: Path,
) -> None:
    if not settings.effective_database_url.startswith("sqlite"):
        pytest.skip("training touches the database only through the job row; it runs once, on SQLite")
    dev = make_account("developer")
    rows, extra, overrides = SMOLLM2_CASES[recipe]
    dataset_id = upload_dataset(client, dev, running_dispatcher, f"capitals-{recipe}", rows)
    job = run_job(recipe, smollm2_dir, dataset_id, extra, overrides, 2, session_factory, running_dispatcher,
                  settings, timeout=600)
    assert job.result["steps"] == 2
    assert lora_b_norm(Path(job.result["output_path"])) > 0
    assert job.result["hyperparameters"]["learning_rate"] < 2e-4  # the recipe's lower step, not SFT's
    series = client.get(f"/api/jobs/{job.id}/metrics", headers=dev.headers).json()["series"]
    metric = "rewards/margins" if recipe == "dpo" else "rewards/similarity/mean"
    assert len(series[metric]) == 2
