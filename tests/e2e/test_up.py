"""``llmore up`` as a real process: first-start password, sign-in over HTTP, a protected route."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

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
