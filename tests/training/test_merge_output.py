"""merge: true after a LoRA run registers merged weights too, child of the adapter version, equal to base + adapter."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from llmore.jobs.context import log_path
from llmore.settings import Settings
from tests.conftest import Account
from tests.fixtures.dispatcher import RunningDispatcher
from tests.training.test_base_models import register_folder, upload_pingpong


@pytest.mark.slow
def test_a_lora_run_with_merge_registers_the_merged_weights_with_lineage(
    client: TestClient, make_account: Callable[..., Account], running_dispatcher: RunningDispatcher,
    settings: Settings, tiny_causal_lm: Path,
) -> None:
    if not settings.effective_database_url.startswith("sqlite"):
        pytest.skip("training touches the database only through the job row; it runs once, on SQLite")
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    dev = make_account("developer")
    base = register_folder(client, dev, settings, "tiny-base", tiny_causal_lm)
    dataset_id = upload_pingpong(client, dev, running_dispatcher)
    started = client.post("/api/training/runs", headers=dev.headers, json={
        "base_model": "tiny-base:1", "dataset_id": dataset_id, "number": 1, "max_steps": 4, "merge": True,
        "overrides": {"learning_rate": 1e-2, "per_device_batch_size": 4, "gradient_accumulation_steps": 1}})
    assert started.status_code == 201, started.text
    job = running_dispatcher.wait_state(started.json()["id"], "succeeded", "failed", timeout=300)
    assert job.state == "succeeded", log_path(settings, job.id).read_text()[-3000:]
    assert job.result["base_model"] == "tiny-base:1"

    def resolve(ref: str) -> dict[str, object]:
        response = client.get("/api/models/resolve", params={"ref": ref}, headers=dev.headers)
        assert response.status_code == 200, response.text
        return dict(response.json())

    adapter = resolve(job.result["model"])
    merged = resolve(job.result["merged_model"])
    assert job.result["model"] == "tiny-base-sft:1"
    assert (adapter["kind"], adapter["base_version_id"]) == ("adapter", base["id"])
    assert (merged["kind"], merged["parent_id"], merged["base_version_id"]) == ("merged", adapter["id"], base["id"])

    tokens = torch.tensor([[1, 5, 9, 14, 3]])
    with torch.no_grad():
        plain = AutoModelForCausalLM.from_pretrained(tiny_causal_lm)
        adapted = PeftModel.from_pretrained(plain, job.result["output_path"])(tokens).logits
        merged_logits = AutoModelForCausalLM.from_pretrained(job.result["merged_path"])(tokens).logits
        base_logits = AutoModelForCausalLM.from_pretrained(tiny_causal_lm)(tokens).logits
    assert torch.allclose(merged_logits, adapted, atol=1e-4)
    assert not torch.allclose(merged_logits, base_logits, atol=1e-4)  # the adapter changed something
