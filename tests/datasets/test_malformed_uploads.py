"""The malformed-file corpus pushed through the HTTP API: clear job errors, a healthy server, intact versions."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from llmore.settings import Settings
from tests.conftest import Account
from tests.datasets.malformed import build_corpus
from tests.fixtures.dispatcher import RunningDispatcher

GOOD = '{"instruction": "你好", "input": "", "output": "Hello"}\n'


def test_every_malformed_upload_fails_clearly_and_loses_nothing(
    client: TestClient,
    make_account: Callable[..., Account],
    running_dispatcher: RunningDispatcher,
    settings: Settings,
    tmp_path: Path,
) -> None:
    if not settings.effective_database_url.startswith("sqlite"):
        pytest.skip("the corpus tests file handling, which does not depend on the database; run once on SQLite")
    dev = make_account("developer")
    headers = dev.headers
    dataset = client.post("/api/datasets", json={"name": "kept"}, headers=headers).json()
    first = client.put(
        f"/api/datasets/{dataset['id']}/upload",
        params={"filename": "good.jsonl"},
        content=GOOD.encode(),
        headers=headers,
    )
    running_dispatcher.wait_state(first.json()["id"], "succeeded")
    before = client.get(f"/api/datasets/{dataset['id']}/versions/1", headers=headers).json()

    cases = build_corpus(tmp_path / "corpus")
    jobs: dict[str, int] = {}
    for case in cases:
        body = (tmp_path / "corpus" / case.name).read_bytes()
        response = client.put(
            f"/api/datasets/{dataset['id']}/upload",
            headers=headers,
            content=body,
            params={"filename": case.name, "on_invalid": "stop"},
        )
        if not body:
            assert response.status_code == 400, case.name  # refused before any job
            assert response.json()["error"]["code"] == "empty_upload"
            continue
        assert response.status_code == 201, f"{case.name}: {response.text}"
        jobs[case.name] = response.json()["id"]

    for case in cases:
        if case.name not in jobs:
            continue
        job = running_dispatcher.wait_state(jobs[case.name], "succeeded", "failed", timeout=120)
        assert job.state == "failed", f"{case.name} ({case.problem}) was imported"
        assert job.error is not None
        assert "Traceback" not in job.error
        assert "Error:" not in job.error.split(":")[0], job.error  # a message for people, not an exception name
        assert all(fragment in job.error for fragment in case.expect), f"{case.name}: {job.error!r} lacks {case.expect}"

    assert client.get("/healthz").status_code == 200
    versions = client.get(f"/api/datasets/{dataset['id']}/versions", headers=headers).json()
    assert [(v["number"], v["sha256"]) for v in versions] == [(1, before["sha256"])]
    rows = client.get(f"/api/datasets/{dataset['id']}/versions/1/rows", headers=headers).json()
    assert rows["items"][0]["messages"][0]["content"] == "你好"
