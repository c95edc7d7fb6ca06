"""Runs of every recipe that cannot work are refused through the HTTP API, naming the field, before any job starts."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from llmore.settings import Settings
from tests.conftest import Account
from tests.fixtures.dispatcher import RunningDispatcher
from tests.training.datasets import upload_dataset

CHAT_ROWS = [{"messages": [{"role": "user", "content": f"ping {i}"}, {"role": "assistant", "content": "pong"}]}
             for i in range(8)]
PREFERENCE_ROWS = [{"prompt": f"ping {i}", "chosen": "pong", "rejected": "bang"} for i in range(8)]
GOOD_REWARD = "def reward(completion, reference, prompt):\n    return float(reference in completion)\n"


def refusal(client: TestClient, account: Account, run: dict[str, Any], status: int = 400) -> dict[str, str]:
    """The refused run's problems as {field: message}."""
    answer = client.post("/api/training/runs", json=run, headers=account.headers)
    assert answer.status_code == status, answer.text
    return {detail["field"]: detail["message"] for detail in answer.json()["error"]["details"]}


def test_refusals_of_each_recipe_name_the_field_and_the_fix(
    client: TestClient, make_account: Callable[..., Account], running_dispatcher: RunningDispatcher,
    tiny_causal_lm: Path, settings: Settings,
) -> None:
    if not settings.effective_database_url.startswith("sqlite"):
        pytest.skip("the refusals come from the training service, not the database; they run once, on SQLite")
    dev = make_account("developer")
    chat = {"base_model": str(tiny_causal_lm), "number": 1,
            "dataset_id": upload_dataset(client, dev, running_dispatcher, "chat", CHAT_ROWS)}
    pairs = {**chat, "dataset_id": upload_dataset(client, dev, running_dispatcher, "pairs", PREFERENCE_ROWS)}
    jobs_before = client.get("/api/jobs", headers=dev.headers).json()["total"]

    advice = client.post("/api/training/advice", json={**chat, "recipe": "pretrain"}, headers=dev.headers).json()
    assert advice["problems"] == [{"field": "dataset", "message": "pretrain needs text rows; this dataset version "
                                   "holds chat rows."}]
    assert "preference" in refusal(client, dev, {**chat, "recipe": "dpo"})["body.dataset"]
    dpo = refusal(client, dev, {**pairs, "recipe": "dpo", "overrides": {"max_length": 0, "learning_rate": -1e-5}})
    assert dpo == {"body.max_length": "max_length must be positive.",
                   "body.learning_rate": "the learning rate must be positive (try the proposed value)."}
    assert "CUDA GPU" in refusal(client, dev, {**pairs, "recipe": "dpo", "method": "qlora"})["body.method"]

    grpo = {**chat, "recipe": "grpo"}
    assert "exact_match" in refusal(client, dev, grpo)["body.rewards"]
    with_reward = {**grpo, "rewards": [{"reward": "python", "code": GOOD_REWARD}]}
    assert "at least 2" in refusal(client, dev, {**with_reward, "overrides": {"num_generations": 1}})[
        "body.num_generations"]
    assert "GRPO only" in refusal(client, dev, {**pairs, "recipe": "dpo", "rewards": [{"reward": "exact_match"}]})[
        "body.rewards"]
    broken = {"reward": "python", "code": "def reward(completion, reference, prompt):\n    return (\n"}
    syntax = refusal(client, dev, {**grpo, "rewards": [broken]}, status=422)
    assert "line 2: syntax error" in syntax["body.rewards.0.python.code"]
    wrong = {"reward": "python", "code": "def reward(completion):\n    return 1.0\n"}
    assert "takes exactly three arguments" in refusal(client, dev, {**grpo, "rewards": [wrong]}, status=422)[
        "body.rewards.0.python.code"]
    text_answer = {"reward": "python", "code": "def reward(completion, reference, prompt):\n    return 'yes'\n"}
    assert "must return a finite number, not 'yes'" in refusal(client, dev, {**grpo, "rewards": [text_answer]})[
        "body.rewards.0.code"]
    assert client.get("/api/jobs", headers=dev.headers).json()["total"] == jobs_before

    started = client.post("/api/training/runs", json={**with_reward, "max_steps": 1}, headers=dev.headers)
    assert started.status_code == 201, started.text
    assert started.json()["kind"] == "training.grpo"
    assert started.json()["params"]["rewards"][0]["code"] == GOOD_REWARD
    client.post(f"/api/jobs/{started.json()['id']}/cancel", headers=dev.headers)
