"""``llmore up`` as a real process: first-start password, sign-in over HTTP, a protected route."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.conftest import wait_for
from tests.e2e.conftest import LiveServer, start_server, stop_server

pytestmark = pytest.mark.e2e


def test_first_start_prints_a_password_that_signs_in(live_server: LiveServer) -> None:
    assert len(live_server.admin_password) >= 16
    anonymous = httpx.get(f"{live_server.url}/api/users")
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "unauthenticated"
    with live_server.login() as client:
        users = client.get("/api/users").json()
        assert [u["username"] for u in users["items"]] == ["admin"]
        assert client.get("/docs").status_code == 200
        assert client.get("/readyz").json()["status"] == "ready"


def test_wrong_password_is_refused(live_server: LiveServer) -> None:
    response = httpx.post(f"{live_server.url}/api/auth/login", json={"username": "admin", "password": "guess-123456"})
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "Wrong username or password."


def test_second_start_keeps_the_admin_and_prints_no_password(tmp_path: Path) -> None:
    first = start_server(tmp_path)
    password = first.admin_password
    stop_server(first)
    second = start_server(tmp_path)
    try:
        assert second.admin_password == ""
        assert "one-time admin password" not in "".join(second.output)
        with second.login(password=password) as client:
            assert client.get("/api/auth/me").json()["username"] == "admin"
    finally:
        stop_server(second)


def _cancel_and_wait(client: httpx.Client, job_id: int) -> None:
    """Stop a demo job (the conversion itself is tested in tests/models) and wait until it ended."""
    client.post(f"/api/jobs/{job_id}/cancel")
    wait_for(lambda: client.get(f"/api/jobs/{job_id}").json()["state"] == "cancelled", what="the demo job to stop")


def test_demo_queues_the_bundled_model_preparation_once(tmp_path: Path) -> None:
    first = start_server(tmp_path, "--demo")
    try:
        with first.login() as client:
            jobs = client.get("/api/jobs", params={"kind": "models.prepare_bundled"}).json()["items"]
            assert len(jobs) == 1
            assert jobs[0]["name"] == "Prepare bundled demo models"
            _cancel_and_wait(client, jobs[0]["id"])
    finally:
        stop_server(first)
    second = start_server(tmp_path, "--demo")
    try:
        with second.login(password=first.admin_password) as client:
            jobs = client.get("/api/jobs", params={"kind": "models.prepare_bundled"}).json()["items"]
            assert [job["state"] for job in jobs][1:] == ["cancelled"]  # a new one, since nothing is prepared
            assert "Demo models: preparing in job" in "".join(second.output)
            _cancel_and_wait(client, jobs[0]["id"])
    finally:
        stop_server(second)
