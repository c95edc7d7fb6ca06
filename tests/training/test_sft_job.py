"""A real LoRA SFT job on the tiny model: advice in the log, falling loss, a saved adapter that loads."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from llmore.jobs import service as jobs_service
from llmore.jobs.context import log_path
from llmore.settings import Settings
from tests.conftest import Account
from tests.fixtures.dispatcher import RunningDispatcher
from tests.training.datasets import upload_dataset

ROWS = [{"messages": [{"role": "user", "content": f"ping {i}"}, {"role": "assistant", "content": "pong pong pong"}]}
        for i in range(40)]


def _dataset_version(client: TestClient, account: Account, dispatcher: RunningDispatcher) -> int:
    return upload_dataset(client, account, dispatcher, "pingpong", ROWS)


def test_lora_sft_learns_a_pattern_and_saves_an_adapter(
    client: TestClient, make_account: Callable[..., Account], running_dispatcher: RunningDispatcher,
    session_factory: sessionmaker[Session], settings: Settings, tiny_causal_lm: Path,
) -> None:
    if not settings.effective_database_url.startswith("sqlite"):
        pytest.skip("training touches the database only through the job row; it runs once, on SQLite")
    dev = make_account("developer")
    dataset_id = _dataset_version(client, dev, running_dispatcher)
    with session_factory.begin() as session:
        job_id = jobs_service.submit_job(session, kind="training.sft", params={
            "base_model": str(tiny_causal_lm), "dataset_id": dataset_id, "number": 1, "max_steps": 40,
            "overrides": {"learning_rate": 1e-2, "per_device_batch_size": 8, "gradient_accumulation_steps": 1}}).id
    job = running_dispatcher.wait_state(job_id, "succeeded", "failed", timeout=300)
    log = log_path(settings, job_id).read_text()
    assert job.state == "succeeded", log[-3000:]
    assert "learning_rate = 0.01  (set by you)" in log
    assert "lora_alpha = 16  (alpha = 2r" in log
    series = client.get(f"/api/jobs/{job_id}/metrics", headers=dev.headers).json()["series"]
    loss, accuracy = series["loss"], series["mean_token_accuracy"]
    assert len(loss) >= 30
    assert loss[-1]["value"] < loss[0]["value"]
    # The tiny random model's logits stay flat (its loss plateaus near ln(vocab)), but the argmax learns the answer.
    assert accuracy[0]["value"] < 0.8
    assert accuracy[-1]["value"] > 0.95
    assert series["system_rss_gb"][0]["value"] > 0
    output = Path(job.result["output_path"])
    assert (output / "adapter_config.json").is_file()
    assert job.result["model"] == f"{tiny_causal_lm.name}-sft:1"
    registered = client.get("/api/models/resolve", params={"ref": job.result["model"]}, headers=dev.headers).json()
    assert (registered["kind"], registered["state"]) == ("adapter", "trained")
    assert registered["source"]["job_id"] == job_id
    assert registered["source"]["dataset_version"] == 1

    from peft import AutoPeftModelForCausalLM
    from transformers import AutoTokenizer

    model = AutoPeftModelForCausalLM.from_pretrained(output)
    tokenizer = AutoTokenizer.from_pretrained(output)
    prompt = tokenizer.apply_chat_template([{"role": "user", "content": "ping 7"}], add_generation_prompt=True,
                                           return_tensors="pt", return_dict=True)
    generated = model.generate(**prompt, max_new_tokens=6, do_sample=False)
    assert "pong" in tokenizer.decode(generated[0][prompt["input_ids"].shape[1]:], skip_special_tokens=True)


def test_impossible_run_is_refused_naming_the_field(
    client: TestClient, make_account: Callable[..., Account], running_dispatcher: RunningDispatcher,
    session_factory: sessionmaker[Session], settings: Settings, tiny_causal_lm: Path,
) -> None:
    if not settings.effective_database_url.startswith("sqlite"):
        pytest.skip("training touches the database only through the job row; it runs once, on SQLite")
    dev = make_account("developer")
    dataset_id = _dataset_version(client, dev, running_dispatcher)
    with session_factory.begin() as session:
        job_id = jobs_service.submit_job(session, kind="training.sft", params={
            "base_model": str(tiny_causal_lm), "dataset_id": dataset_id, "number": 1,
            "overrides": {"learning_rate": -1.0}}).id
    job = running_dispatcher.wait_state(job_id, "succeeded", "failed", timeout=120)
    assert job.state == "failed"
    assert job.error is not None
    assert "learning_rate: the learning rate must be positive" in job.error


def test_advice_and_refusal_before_any_job_starts(
    client: TestClient, make_account: Callable[..., Account], running_dispatcher: RunningDispatcher,
    tiny_causal_lm: Path,
) -> None:
    dev = make_account("developer")
    dataset_id = _dataset_version(client, dev, running_dispatcher)
    run = {"base_model": str(tiny_causal_lm), "dataset_id": dataset_id, "number": 1}
    advice = client.post("/api/training/advice", json=run, headers=dev.headers)
    assert advice.status_code == 200, advice.text
    choices = advice.json()["choices"]
    assert choices["lora_alpha"]["value"] == 2 * choices["lora_r"]["value"]
    assert choices["max_length"]["reason"].startswith("covers 99 % of rows")
    assert (advice.json()["launch"]["strategy"], advice.json()["launch"]["processes"]) == ("single", 1)
    jobs_before = client.get("/api/jobs", headers=dev.headers).json()["total"]
    refused = client.post("/api/training/runs", headers=dev.headers,
                          json={**run, "overrides": {"learning_rate": -0.1, "max_length": 0}})
    assert refused.status_code == 400
    fields = {d["field"] for d in refused.json()["error"]["details"]}
    assert fields == {"body.learning_rate", "body.max_length"}
    qlora = client.post("/api/training/runs", headers=dev.headers, json={**run, "method": "qlora"})
    assert "CUDA GPU" in qlora.json()["error"]["details"][0]["message"]
    unknown = client.post("/api/training/runs", headers=dev.headers, json={**run, "base_model": "/nowhere"})
    assert unknown.status_code == 400
    assert unknown.json()["error"]["details"][0]["field"] == "body.base_model"
    assert client.get("/api/jobs", headers=dev.headers).json()["total"] == jobs_before
    started = client.post("/api/training/runs", headers=dev.headers, json={**run, "max_steps": 1})
    assert started.status_code == 201
    assert started.json()["kind"] == "training.sft"
    client.post(f"/api/jobs/{started.json()['id']}/cancel", headers=dev.headers)
