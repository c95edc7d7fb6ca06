"""What the console's registry pages read: a version's lineage and the lifecycle's legal moves."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from llmore.jobs import service as jobs_service
from llmore.models.lifecycle import ALLOWED, State
from llmore.settings import Settings
from llmore.training.registration import register_output
from tests.conftest import Account


def _get(client: TestClient, account: Account, path: str) -> Any:
    response = client.get(path, headers=account.headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_lineage_links_base_job_dataset_and_children(
    client: TestClient, make_account: Callable[..., Account], settings: Settings,
    session_factory: sessionmaker[Session], tiny_causal_lm: Path, tmp_path: Path,
) -> None:
    dev = make_account("developer")
    settings.import_roots = [tiny_causal_lm.parent]
    base_model = client.post("/api/models", json={"name": "lineage-base"}, headers=dev.headers).json()
    imported = client.post(f"/api/models/{base_model['id']}/imports",
                           json={"source": "path", "location": str(tiny_causal_lm)}, headers=dev.headers)
    assert imported.status_code == 201, imported.text
    base = imported.json()["version"]

    # A training run registers its output the way the SFT job does: base folder, job, dataset version.
    output = shutil.copytree(tiny_causal_lm, tmp_path / "trained")
    with session_factory.begin() as session:
        job = jobs_service.submit_job(session, kind="demo.gradient_descent", name="fine-tune stand-in")
        job_id = job.id
        trained = register_output(session, output=output, model_name="lineage-tuned", base_model=str(tiny_causal_lm),
                                  job_id=job_id, lineage={"dataset_id": 7, "dataset_version": 3})
        tuned_model_id, tuned_number = trained.model_id, trained.number

    tuned = _get(client, dev, f"/api/models/{tuned_model_id}/versions/{tuned_number}/lineage")
    assert tuned["base"] == {"id": base["id"], "model_id": base_model["id"], "number": 1,
                             "reference": "lineage-base:1", "kind": "base", "state": "registered"}
    assert tuned["parent"] is None
    assert tuned["job"] == {"id": job_id, "kind": "demo.gradient_descent", "name": "fine-tune stand-in",
                            "state": "queued"}
    assert tuned["dataset"] == {"dataset_id": 7, "number": 3}
    assert tuned["children"] == []

    of_base = _get(client, dev, f"/api/models/{base_model['id']}/versions/1/lineage")
    assert [child["reference"] for child in of_base["children"]] == ["lineage-tuned:1"]
    assert (of_base["base"], of_base["parent"], of_base["job"], of_base["dataset"]) == (None, None, None, None)

    missing = client.get(f"/api/models/{base_model['id']}/versions/9/lineage", headers=dev.headers)
    assert missing.status_code == 404
    assert "has no version 9" in missing.json()["error"]["message"]


def test_lifecycle_lists_the_legal_moves_and_the_deploy_rule(
    client: TestClient, make_account: Callable[..., Account], settings: Settings
) -> None:
    reader = make_account("annotator")
    rules = _get(client, reader, "/api/models/lifecycle")
    assert rules["states"] == [state.value for state in State]
    assert {state: set(moves) for state, moves in rules["allowed"].items()} == {
        state.value: {move.value for move in moves} for state, moves in ALLOWED.items()}
    assert rules["allowed"]["retired"] == []
    assert rules["require_approval_to_deploy"] is True

    settings.require_approval_to_deploy = False
    assert _get(client, reader, "/api/models/lifecycle")["require_approval_to_deploy"] is False
