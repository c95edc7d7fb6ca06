"""Helpers for evaluation-run tests: register the tiny model and a LoRA adapter over it, start a run and wait."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from llmore.jobs.context import log_path
from llmore.settings import Settings
from tests.conftest import Account
from tests.fixtures.dispatcher import RunningDispatcher


def register(client: TestClient, account: Account, name: str, folder: Path) -> str:
    """Register ``folder`` as version 1 of a new model ``name``; returns its reference ``name:1``."""
    model = client.post("/api/models", json={"name": name}, headers=account.headers)
    assert model.status_code == 201, model.text
    imported = client.post(f"/api/models/{model.json()['id']}/imports",
                           json={"source": "path", "location": str(folder)}, headers=account.headers)
    assert imported.status_code == 201, imported.text
    return f"{name}:1"


def register_pair(client: TestClient, account: Account, settings: Settings, base: Path, adapter: Path
                  ) -> tuple[str, str]:
    """The tiny base and an adapter over it, registered (the adapter finds its base by path)."""
    settings.import_roots = [base.parent, adapter.parent]
    return register(client, account, "tiny", base), register(client, account, "tiny-lora", adapter)


def finished_run(client: TestClient, account: Account, dispatcher: RunningDispatcher, settings: Settings,
                 body: dict[str, Any]) -> dict[str, Any]:
    """Start a run, wait for its job to succeed (showing the log when it does not) and return the run."""
    response = client.post("/api/evaluation/runs", json=body, headers=account.headers)
    assert response.status_code == 201, response.text
    run = response.json()
    job = dispatcher.wait_state(run["job_id"], "succeeded", "failed", "cancelled", timeout=180)
    assert job.state == "succeeded", log_path(settings, job.id).read_text()[-3000:]
    return dict(client.get(f"/api/evaluation/runs/{run['id']}", headers=account.headers).json())
