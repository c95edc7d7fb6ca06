"""Reward-model training as a real job: it scores chosen answers above rejected ones and registers as a reward model."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from fastapi.testclient import TestClient
from peft import PeftModel
from sqlalchemy.orm import Session, sessionmaker
from transformers import AutoModelForSequenceClassification, AutoTokenizer

from llmore.settings import Settings
from tests.conftest import Account
from tests.fixtures.dispatcher import RunningDispatcher
from tests.training.datasets import only_sqlite, upload_dataset
from tests.training.test_recipe_jobs import run_job
from tests.training.test_recipe_refusals import refusal

PAIRS = [{"prompt": f"ping {i}", "chosen": "pong", "rejected": "I do not know, sorry."} for i in range(16)]


def scores(base: Path, adapter: Path, rows: list[dict[str, Any]], answer: str) -> list[float]:
    """The trained reward model's score of each row's ``answer`` (chosen or rejected) to its prompt."""
    tokenizer = AutoTokenizer.from_pretrained(adapter)
    model = PeftModel.from_pretrained(AutoModelForSequenceClassification.from_pretrained(base, num_labels=1), adapter)
    model.eval()
    values = []
    for row in rows:
        messages = [{"role": "user", "content": row["prompt"]}, {"role": "assistant", "content": row[answer]}]
        ids = tokenizer.apply_chat_template(messages, return_tensors="pt", return_dict=True)["input_ids"]
        with torch.no_grad():
            values.append(float(model(input_ids=ids).logits[0, 0]))
    return values


def test_reward_model_ranks_chosen_above_rejected_and_is_registered_as_one(
    client: TestClient, make_account: Callable[..., Account], running_dispatcher: RunningDispatcher,
    session_factory: sessionmaker[Session], settings: Settings, tiny_causal_lm: Path,
) -> None:
    only_sqlite(settings)
    dev = make_account("developer")
    dataset_id = upload_dataset(client, dev, running_dispatcher, "reward-pairs", PAIRS)
    output = Path(settings.home) / "models" / "trained"
    untrained = {"base_model": str(tiny_causal_lm), "dataset_id": dataset_id, "number": 1, "recipe": "reward"}
    assert "reward models are not merged" in refusal(client, dev, {**untrained, "merge": True})["body.merge"]

    job = run_job("reward", tiny_causal_lm, dataset_id, {}, {"learning_rate": 5e-3, "per_device_batch_size": 8,
                  "gradient_accumulation_steps": 1}, 8, session_factory, running_dispatcher, settings, timeout=300)
    adapter = Path(job.result["output_path"])
    assert adapter.parent == output
    chosen, rejected = scores(tiny_causal_lm, adapter, PAIRS, "chosen"), scores(tiny_causal_lm, adapter, PAIRS,
                                                                                  "rejected")
    assert min(good - bad for good, bad in zip(chosen, rejected, strict=True)) > 1.0, (chosen, rejected)
    series = client.get(f"/api/jobs/{job.id}/metrics", headers=dev.headers).json()["series"]
    # the untrained head (seeded) ranks the pairs the wrong way round; training turns it
    assert [series["accuracy"][0]["value"], series["accuracy"][-1]["value"]] == [0.0, 1.0]
    registered = client.get("/api/models/resolve", params={"ref": job.result["model"]}, headers=dev.headers).json()
    assert job.result["model"] == f"{tiny_causal_lm.name}-reward:1"
    assert (registered["kind"], registered["state"]) == ("adapter", "trained")
    assert (registered["source"]["recipe"], registered["source"]["task"]) == ("reward", "reward-model")
    model = client.get(f"/api/models/{registered['model_id']}", headers=dev.headers).json()
    assert "reward-model" in model["tags"]
