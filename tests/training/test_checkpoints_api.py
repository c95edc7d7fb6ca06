"""GET /api/training/runs/{id}/checkpoints: the saves a run has in its job folder, for the console's run page."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from llmore.jobs.context import job_dir
from llmore.settings import Settings
from tests.conftest import Account


def test_a_runs_checkpoints_are_listed_by_step(
    client: TestClient, settings: Settings, make_account: Callable[..., Account]
) -> None:
    dev = make_account("developer")
    run = client.post("/api/jobs", headers=dev.headers, json={
        "kind": "training.sft", "params": {"base_model": "/models/base", "dataset_id": 1, "number": 1}})
    assert run.status_code == 201, run.text
    run_id = run.json()["id"]
    url = f"/api/training/runs/{run_id}/checkpoints"
    assert client.get(url, headers=dev.headers).json() == []  # nothing saved yet

    folder = job_dir(settings, run_id) / "checkpoints"
    for step, size in ((100, 7), (50, 3)):
        (folder / f"checkpoint-{step}").mkdir(parents=True)
        (folder / f"checkpoint-{step}" / "adapter_model.safetensors").write_bytes(b"x" * size)
    (folder / "runs").mkdir()  # not a checkpoint: ignored
    listed = client.get(url, headers=dev.headers).json()
    assert [(c["step"], c["size_bytes"]) for c in listed] == [(50, 3), (100, 7)]
    assert listed[1]["path"] == str(folder / "checkpoint-100")


def test_other_jobs_and_unknown_ids_are_refused_by_name(client: TestClient, admin: Account) -> None:
    demo = client.post("/api/jobs", headers=admin.headers, json={"kind": "demo.gradient_descent"}).json()
    refused = client.get(f"/api/training/runs/{demo['id']}/checkpoints", headers=admin.headers)
    assert refused.status_code == 404
    assert "demo.gradient_descent job, not a training run" in refused.json()["error"]["message"]
    assert client.get("/api/training/runs/999999/checkpoints", headers=admin.headers).status_code == 404
