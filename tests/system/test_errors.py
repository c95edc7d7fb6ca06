"""Bad input of every kind answers the one error shape with a 4xx, never a 500."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import Account


def _error(response) -> dict:  # type: ignore[no-untyped-def]
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    return body["error"]


def test_malformed_json_points_at_line_and_column(client: TestClient, admin: Account) -> None:
    response = client.post(
        "/api/users",
        headers={**admin.headers, "Content-Type": "application/json"},
        content=b'{\n  "username": "x",\n  "password": oops\n}',
    )
    assert response.status_code == 400
    error = _error(response)
    assert error["code"] == "malformed_json"
    assert error["details"][0]["line"] == 3
    assert error["details"][0]["column"] == 15


def test_wrong_types_name_each_field(client: TestClient, admin: Account) -> None:
    response = client.post("/api/jobs", headers=admin.headers, json={"kind": 5, "priority": "high"})
    assert response.status_code == 422
    fields = {d["field"] for d in _error(response)["details"]}
    assert fields == {"body.kind", "body.priority"}


def test_unknown_fields_are_refused(client: TestClient, admin: Account) -> None:
    response = client.post("/api/departments", headers=admin.headers, json={"name": "A", "colour": "red"})
    assert response.status_code == 422
    assert _error(response)["details"][0]["field"] == "body.colour"


def test_oversize_body_is_refused_with_413(client: TestClient, admin: Account) -> None:
    limit = client.app.state.settings.max_request_bytes  # type: ignore[attr-defined]
    response = client.post(
        "/api/departments", headers=admin.headers, json={"name": "A", "description": "x" * (limit + 1)}
    )
    assert response.status_code == 413
    assert _error(response)["code"] == "payload_too_large"


def test_oversize_chunked_body_is_refused_too(client: TestClient, admin: Account) -> None:
    limit = client.app.state.settings.max_request_bytes  # type: ignore[attr-defined]

    def chunks():  # type: ignore[no-untyped-def]
        for _ in range(limit // 65536 + 2):
            yield b" " * 65536

    response = client.post(
        "/api/departments", headers={**admin.headers, "Content-Type": "application/json"}, content=chunks()
    )
    assert response.status_code == 413


def test_unknown_ids_answer_404(client: TestClient, admin: Account) -> None:
    for path in ("/api/users/424242", "/api/jobs/424242", "/api/jobs/424242/logs", "/api/jobs/424242/metrics"):
        response = client.get(path, headers=admin.headers)
        assert response.status_code == 404, path
        assert _error(response)["code"] == "not_found"
    assert "424242" in _error(client.get("/api/jobs/424242", headers=admin.headers))["message"]


def test_non_numeric_id_is_a_validation_error(client: TestClient, admin: Account) -> None:
    response = client.get("/api/users/abc", headers=admin.headers)
    assert response.status_code == 422
    assert _error(response)["details"][0]["field"] == "path.user_id"


def test_unknown_api_route_and_wrong_method(client: TestClient, admin: Account) -> None:
    missing = client.get("/api/nothing-here", headers=admin.headers)
    assert missing.status_code == 404
    assert "/docs" in _error(missing)["message"]
    wrong = client.put("/api/jobs", headers=admin.headers, json={})
    assert wrong.status_code == 405


def test_bad_sort_and_page_size(client: TestClient, admin: Account) -> None:
    bad_sort = client.get("/api/jobs", headers=admin.headers, params={"sort": "password"})
    assert bad_sort.status_code == 400
    assert "created_at" in _error(bad_sort)["details"][0]["message"]
    huge = client.get("/api/jobs", headers=admin.headers, params={"page_size": 100000})
    assert huge.status_code == 422
    assert _error(huge)["details"][0]["field"] == "query.page_size"


def test_unknown_job_kind_lists_the_known_ones(client: TestClient, admin: Account) -> None:
    response = client.post("/api/jobs", headers=admin.headers, json={"kind": "train.magic"})
    assert response.status_code == 400
    assert "demo.gradient_descent" in _error(response)["details"][0]["message"]


def test_bad_job_params_point_into_params(client: TestClient, admin: Account) -> None:
    response = client.post(
        "/api/jobs",
        headers=admin.headers,
        json={"kind": "demo.gradient_descent", "params": {"steps": -1, "nonsense": 1}},
    )
    assert response.status_code == 400
    fields = {d["field"] for d in _error(response)["details"]}
    assert fields == {"body.params.steps", "body.params.nonsense"}
