"""Small datasets of any canonical shape for training tests: uploaded through the real import job, split."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from llmore.datasets import versions
from llmore.datasets.canonical import SPLIT, Row
from llmore.datasets.models import DatasetVersion
from llmore.datasets.service import artifact_store, record_version
from llmore.settings import Settings
from tests.conftest import Account
from tests.fixtures.dispatcher import RunningDispatcher


def only_sqlite(settings: Settings) -> None:
    """Skip on the other databases: a training job touches the database only through its job row."""
    if not settings.effective_database_url.startswith("sqlite"):
        pytest.skip("training touches the database only through the job row; it runs once, on SQLite")


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


def split_dataset(client: TestClient, account: Account, dispatcher: RunningDispatcher, dataset_id: int,
                  dev: float) -> int:
    """Split version 1 into train and dev (no test) with the real split job; returns the new version's number."""
    job = client.post(f"/api/datasets/{dataset_id}/versions/1/split", json={"train": 1 - dev, "dev": dev, "test": 0},
                      headers=account.headers).json()
    assert dispatcher.wait_state(job["id"], "succeeded", "failed").state == "succeeded"
    return int(dispatcher.wait_state(job["id"], "succeeded").result["version"])


def split_by(settings: Settings, session_factory: sessionmaker[Session], dataset_id: int,
             split_of: Callable[[Row], str]) -> int:
    """A new version of version 1 whose rows sit in the split ``split_of`` names: a split the user chose row by row.

    (The split job assigns rows at random; a test of what a dev split unlike the training rows does needs its own.)
    """
    store = artifact_store(settings)
    with session_factory.begin() as session:
        first = session.scalar(select(DatasetVersion).where(DatasetVersion.dataset_id == dataset_id,
                                                            DatasetVersion.number == 1))
        assert first is not None
        rows = ({**row, SPLIT: split_of(row)} for row in versions.iter_rows(store, first.sha256))
        written = versions.write_rows(store, rows, parent=None, scratch=settings.home / "scratch")
        return record_version(session, dataset_id=dataset_id, parent=first, operation="split", params={},
                              data_schema=first.data_schema, written=written).number
