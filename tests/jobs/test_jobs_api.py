"""The jobs API: submit, list with filters, cancel, retry, logs, live log stream, metrics."""

from __future__ import annotations

import json
from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.conftest import Account
from tests.fixtures.dispatcher import RunningDispatcher


def _submit(client: TestClient, account: Account, **params: object) -> dict:  # type: ignore[type-arg]
    response = client.post(
        "/api/jobs", headers=account.headers, json={"kind": "demo.gradient_descent", "params": params, "name": "gd"}
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_developer_submits_and_lists_jobs_with_filters(
    client: TestClient, make_account: Callable[..., Account]
) -> None:
    dev = make_account("developer")
    first = _submit(client, dev, steps=3)
    second = _submit(client, dev, steps=4)
    assert first["state"] == "queued"
    assert first["params"] == {"steps": 3, "step_seconds": 0.5, "learning_rate": 0.1, "fail_at_step": None}
    client.post(f"/api/jobs/{second['id']}/cancel", headers=dev.headers)
    everything = client.get("/api/jobs", headers=dev.headers).json()
    assert [job["id"] for job in everything["items"]] == [second["id"], first["id"]]
    queued = client.get("/api/jobs", headers=dev.headers, params={"state": "queued"}).json()
    assert [job["id"] for job in queued["items"]] == [first["id"]]
    oldest_first = client.get("/api/jobs", headers=dev.headers, params={"sort": "created_at"}).json()
    assert oldest_first["items"][0]["id"] == first["id"]


def test_annotator_may_not_submit_jobs(client: TestClient, make_account: Callable[..., Account]) -> None:
    annotator = make_account("annotator")
    response = client.post("/api/jobs", headers=annotator.headers, json={"kind": "demo.gradient_descent"})
    assert response.status_code == 403


def test_kind_prefix_lists_one_family_of_jobs(client: TestClient, admin: Account) -> None:
    """The console's training runs list asks for ``kind_prefix=training.``; here the same with ``demo.``."""
    demo = _submit(client, admin, steps=2)
    other = client.post("/api/jobs", headers=admin.headers, json={"kind": "models.prepare_bundled"}).json()
    listed = client.get("/api/jobs", headers=admin.headers, params={"kind_prefix": "demo."}).json()
    assert [job["id"] for job in listed["items"]] == [demo["id"]]
    models = client.get("/api/jobs", headers=admin.headers, params={"kind_prefix": "models."}).json()
    assert [job["id"] for job in models["items"]] == [other["id"]]
    # '_' is a literal character, not a LIKE wildcard that would match the '.' of "demo."
    assert client.get("/api/jobs", headers=admin.headers, params={"kind_prefix": "demo_"}).json()["total"] == 0


def test_kinds_describe_their_parameters(client: TestClient, admin: Account) -> None:
    kinds = {k["name"]: k for k in client.get("/api/jobs/kinds", headers=admin.headers).json()}
    assert "steps" in kinds["demo.gradient_descent"]["params_schema"]["properties"]
    assert "models.prepare_bundled" in kinds


def test_cancelled_job_cannot_be_cancelled_again_but_can_be_retried(client: TestClient, admin: Account) -> None:
    job = _submit(client, admin)
    assert client.post(f"/api/jobs/{job['id']}/cancel", headers=admin.headers).json()["state"] == "cancelled"
    again = client.post(f"/api/jobs/{job['id']}/cancel", headers=admin.headers)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "job_finished"
    retried = client.post(f"/api/jobs/{job['id']}/retry", headers=admin.headers).json()
    assert retried["state"] == "queued"
    not_finished = client.post(f"/api/jobs/{job['id']}/retry", headers=admin.headers)
    assert not_finished.status_code == 409


def test_log_stream_follows_a_running_job_to_its_end(
    client: TestClient, admin: Account, running_dispatcher: RunningDispatcher
) -> None:
    job = _submit(client, admin, steps=4, step_seconds=0.2)
    events: list[tuple[str, dict]] = []  # type: ignore[type-arg]
    with client.stream("GET", f"/api/jobs/{job['id']}/logs/stream", headers=admin.headers) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        event = ""
        for line in response.iter_lines():
            if line.startswith("event: "):
                event = line.removeprefix("event: ")
            elif line.startswith("data: "):
                events.append((event, json.loads(line.removeprefix("data: "))))
    names = [name for name, _ in events]
    assert names[-1] == "end"
    assert events[-1][1] == {"state": "succeeded"}
    log_text = "".join(data["text"] for name, data in events if name == "log")
    assert "step 4/4" in log_text
    assert "job succeeded" in log_text
    progress = [data["progress"] for name, data in events if name == "state"]
    assert progress[-1] == 1.0
    assert any(0 < p < 1 for p in progress)  # seen mid-run, not only at the end
    offset_read = client.get(f"/api/jobs/{job['id']}/logs", headers=admin.headers, params={"offset": 0}).json()
    assert offset_read["complete"] is True
    assert offset_read["text"] == log_text
    metrics = client.get(f"/api/jobs/{job['id']}/metrics", headers=admin.headers).json()["series"]
    assert [point["step"] for point in metrics["loss"]] == [1, 2, 3, 4]


def test_log_reads_resume_from_an_offset(
    client: TestClient, admin: Account, running_dispatcher: RunningDispatcher
) -> None:
    job = _submit(client, admin, steps=2, step_seconds=0)
    running_dispatcher.wait_state(job["id"], "succeeded")
    whole = client.get(f"/api/jobs/{job['id']}/logs", headers=admin.headers).json()
    half = len(whole["text"].encode()) // 2
    rest = client.get(f"/api/jobs/{job['id']}/logs", headers=admin.headers, params={"offset": half}).json()
    assert whole["text"].encode()[half:].decode(errors="ignore").endswith(rest["text"][-20:])
    assert rest["next_offset"] == whole["next_offset"]
