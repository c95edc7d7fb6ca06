"""Health, readiness, Prometheus metrics, dashboard counts and the console fallback."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from llmore.server import create_app
from llmore.settings import Settings
from tests.conftest import Account


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json()["status"] == "ok"
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"


def test_unmigrated_database_is_not_ready_and_says_what_to_do(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, database_url=f"sqlite:///{tmp_path / 'empty.db'}")
    with TestClient(create_app(settings, run_dispatcher=False)) as client:
        response = client.get("/readyz")
    assert response.status_code == 503
    assert "llmore db upgrade" in response.json()["error"]["message"]


def test_prometheus_metrics_count_requests_by_route_template(client: TestClient, admin: Account) -> None:
    client.get(f"/api/users/{admin.user.id}", headers=admin.headers)
    text = client.get("/metrics", headers=admin.headers).text
    assert 'llmore_http_requests_total{method="GET",route="/api/users/{user_id}",status="200"} 1.0' in text
    assert "llmore_http_request_seconds_bucket" in text


def test_dashboard_counts_are_real_and_missing_modules_are_null(
    client: TestClient, make_account: Callable[..., Account]
) -> None:
    dev = make_account("developer")
    client.post("/api/jobs", headers=dev.headers, json={"kind": "demo.gradient_descent"})
    counts = client.get("/api/dashboard", headers=dev.headers).json()
    assert counts["users"] == 1
    assert counts["jobs_by_state"]["queued"] == 1
    assert counts["datasets"] == 0
    assert counts["models"] == 0
    assert counts["deployments"] is None


def test_config_is_shown_to_admins_with_secrets_masked(tmp_path: Path, client: TestClient, admin: Account) -> None:
    shown = client.get("/api/system/config", headers=admin.headers).json()
    assert shown["secret_key"] == "(not set)"
    assert shown["admin_password"] == "(not set)"


def test_console_routes_fall_back_to_index_and_assets_are_cached(tmp_path: Path, settings: Settings) -> None:
    console = tmp_path / "console"
    (console / "assets").mkdir(parents=True)
    (console / "index.html").write_text("<div id=root></div>")
    (console / "assets" / "app-1a2b.js").write_text("console.log(1)")
    (tmp_path / "outside.txt").write_text("private")
    with TestClient(create_app(settings, run_dispatcher=False, console_dir=console)) as client:
        deep = client.get("/jobs/42")
        assert deep.text == "<div id=root></div>"
        assert deep.headers["cache-control"] == "no-cache"
        asset = client.get("/assets/app-1a2b.js")
        assert "immutable" in asset.headers["cache-control"]
        assert client.get("/api/unknown").status_code == 404
        assert "private" not in client.get("/..%2Foutside.txt").text


def test_without_a_console_build_the_root_points_at_the_api_docs(tmp_path: Path, settings: Settings) -> None:
    with TestClient(create_app(settings, run_dispatcher=False, console_dir=tmp_path / "none")) as client:
        page = client.get("/")
    assert page.status_code == 200
    assert 'href="/docs"' in page.text


def test_openapi_schema_names_are_unique(app: FastAPI) -> None:
    """Two pydantic models with one name get module-qualified names, which break the console's typed client."""
    names = app.openapi()["components"]["schemas"]
    qualified = sorted(name for name in names if "__" in name)
    assert qualified == [], f"rename the clashing schemas: {qualified}"
