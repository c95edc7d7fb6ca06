"""A deploy gate on a real evaluation run: the tiny base and its LoRA adapter answer the general suite in a job,
then the adapter's gate judges the stored scores and the lifecycle moves each version."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from llmore.settings import Settings
from tests.conftest import Account
from tests.evaluation.eval_runs import finished_run, register_pair
from tests.fixtures.dispatcher import RunningDispatcher
from tests.models.test_registry_api import tiny_adapter  # noqa: F401 - a fixture

DIMENSIONS = ["reasoning", "instruction"]


def test_a_gate_decides_on_the_scores_a_real_run_stored(
    client: TestClient, make_account: Callable[..., Account], running_dispatcher: RunningDispatcher,
    settings: Settings, tiny_causal_lm: Path, tiny_adapter: Path,  # noqa: F811
) -> None:
    if not settings.effective_database_url.startswith("sqlite"):
        pytest.skip("the job touches the database only through its rows; it runs once, on SQLite")
    dev = make_account("developer")
    base, adapter = register_pair(client, dev, settings, tiny_causal_lm, tiny_adapter)
    run = finished_run(client, dev, running_dispatcher, settings, {
        "models": [base, adapter], "generation": {"max_new_tokens": 6},
        "suite": {"dimensions": DIMENSIONS, "per_dimension": 2, "seed": 1}})
    assert run["baseline"] == base
    ids = {entry["label"]: entry["model_id"] for entry in run["models"]}

    # Bounds every score meets: the adapter passes whatever the random weights answered.
    rules = [{"max_dimension_drop": 100}, {"metric": "suite_overall", "min": 0}]
    assert client.put(f"/api/evaluation/gates/{ids[adapter]}", json={"rules": rules},
                      headers=dev.headers).status_code == 200
    decision = client.post(f"/api/evaluation/gates/{ids[adapter]}/check", json={"run_id": run["id"]},
                           headers=dev.headers).json()
    assert (decision["label"], decision["baseline"], decision["passed"]) == (adapter, base, True)
    assert (decision["from_state"], decision["to_state"]) == ("evaluated", "approved")
    values = {(r["kind"], r["subject"]): (r["value"], r["baseline"]) for r in decision["results"]}
    assert values == {
        **{("dimension_drop", name): (run["dimensions"][adapter][name], run["dimensions"][base][name])
           for name in DIMENSIONS},
        ("metric_min", "suite_overall"): (run["summary"][adapter]["suite_overall"], None),
    }

    # The base cannot be held against itself, and no score exceeds 100: its own gate rejects it.
    assert client.put(f"/api/evaluation/gates/{ids[base]}", json={"rules": [{"max_dimension_drop": 5}]},
                      headers=dev.headers).status_code == 200
    itself = client.post(f"/api/evaluation/gates/{ids[base]}/check", json={"run_id": run["id"]}, headers=dev.headers)
    assert itself.status_code == 400
    assert "is the run's baseline itself" in itself.json()["error"]["details"][0]["message"]
    gate = client.get(f"/api/evaluation/gates/{ids[base]}", headers=dev.headers).json()
    assert client.put(f"/api/evaluation/gates/{ids[base]}", headers=dev.headers, json={
        "rules": [{"metric": "suite_overall", "min": 101}], "version": gate["version"]}).status_code == 200
    rejected = client.post(f"/api/evaluation/gates/{ids[base]}/check", json={"run_id": run["id"]},
                           headers=dev.headers).json()
    assert (rejected["passed"], rejected["from_state"], rejected["to_state"]) == (False, "evaluated", "rejected")
    assert rejected["results"][0]["value"] == run["summary"][base]["suite_overall"]
    assert client.get(f"/api/models/{ids[base]}/versions/1", headers=dev.headers).json()["state"] == "rejected"
