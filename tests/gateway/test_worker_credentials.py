"""Worker registration issues the gateway secret; the control plane keeps nothing that opens a worker."""

from __future__ import annotations

from fastapi.testclient import TestClient

from llmore.serving.worker_auth import WorkerAuth, gateway_secret
from llmore.settings import Settings
from tests.conftest import Account

REGISTRATION = {"name": "tiny@w1", "url": "http://10.0.0.7:8001", "engine": "transformers", "models": ["tiny"]}


def test_each_registration_issues_a_fresh_secret_that_is_never_listed(client: TestClient, admin: Account,
                                                                      settings: Settings) -> None:
    first = client.post("/api/workers/register", json=REGISTRATION, headers=admin.headers)
    assert first.status_code == 201, first.text
    again = client.post("/api/workers/register", json=REGISTRATION, headers=admin.headers)
    assert again.json()["id"] == first.json()["id"]  # same URL: the same row
    secrets = [first.json()["gateway_secret"], again.json()["gateway_secret"]]
    assert secrets[0] != secrets[1]
    assert len(secrets[1]) == 64

    listed = client.get("/api/workers", headers=admin.headers).json()
    text = str(listed)
    assert all(secret not in text for secret in secrets)
    assert "gateway_secret" not in listed[0]
    assert "gateway_nonce" not in listed[0]["info"]
    # A different platform secret key derives a different secret for the same worker and nonce.
    assert gateway_secret(settings.resolved_secret_key() + "x", first.json()["id"], "n") != gateway_secret(
        settings.resolved_secret_key(), first.json()["id"], "n")


def test_registering_needs_workers_manage(client: TestClient, make_account) -> None:  # type: ignore[no-untyped-def]
    annotator = make_account("annotator")
    refused = client.post("/api/workers/register", json=REGISTRATION, headers=annotator.headers)
    assert refused.status_code == 403


def test_worker_auth_accepts_its_key_and_the_latest_gateway_secret_only() -> None:
    auth = WorkerAuth("wk-own")
    assert auth.allows("wk-own")
    assert not auth.allows(None)
    assert not auth.allows("")
    assert not auth.allows("wk-other")
    auth.accept_gateway_secret("first")
    assert auth.allows("first")
    auth.accept_gateway_secret("second")
    assert auth.allows("second")
    assert not auth.allows("first")
    assert WorkerAuth(None, required=False).allows(None)
    assert not WorkerAuth(None).allows("anything")
