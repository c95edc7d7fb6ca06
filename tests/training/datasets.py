"""Uploading small datasets of any canonical shape for training tests, through the real import job."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import Account
from tests.fixtures.dispatcher import RunningDispatcher


def upload_dataset(
    client: TestClient, account: Account, dispatcher: RunningDispatcher, name: str, rows: list[dict[str, Any]]
) -> int:
    """A new dataset whose version 1 holds ``rows`` (imported as JSONL); returns its id."""
    dataset = client.post("/api/datasets", json={"name": name}, headers=account.headers).json()
    body = "".join(json.dumps(row) + "\n" for row in rows).encode()
    job = client.put(f"/api/datasets/{dataset['id']}/upload", params={"filename": f"{name}.jsonl"}, content=body,
                     headers=account.headers).json()
    assert dispatcher.wait_state(job["id"], "succeeded", "failed").state == "succeeded"
    return int(dataset["id"])
