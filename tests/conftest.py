"""Shared fixtures: isolated settings, real databases (SQLite, PostgreSQL, MariaDB), the app, users.

Database-backed tests run once per backend. PostgreSQL and MariaDB are the real servers of the
machine (override with LLMORE_TEST_POSTGRES_URL / LLMORE_TEST_MYSQL_URL); outside CI a backend
that cannot be reached is skipped with the reason, under ``CI=true`` it is a failure.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from llmore.auth import service as auth_service
from llmore.auth.models import User
from llmore.db.engine import make_engine, make_session_factory
from llmore.db.migrate import upgrade
from llmore.db.registry import load_all_models
from llmore.server import create_app
from llmore.settings import Settings

pytest_plugins = ["tests.fixtures.tiny_models", "tests.fixtures.dispatcher"]

# Rich fixes a console's width from COLUMNS when the console is made (when the CLI is imported);
# without it the width is read at each print, so the CLI tests' own COLUMNS per call decide.
os.environ.pop("COLUMNS", None)

SERVER_URLS = {
    "postgresql": os.environ.get("LLMORE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
    "mariadb": os.environ.get("LLMORE_TEST_MYSQL_URL", "mysql+pymysql://root@127.0.0.1:3306/test"),
}
BACKENDS = ["sqlite", *SERVER_URLS]
PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No test reads the developer's ~/.llmore or LLMORE_* variables."""
    for name in list(os.environ):
        if name.startswith("LLMORE_") and not name.startswith("LLMORE_TEST_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("LLMORE_HOME", str(tmp_path_factory.mktemp("default-home")))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


def _create_private_database(url: str) -> str:
    """A new, empty database on the server of ``url``, private to this test run (parallel runs don't clash)."""
    name = f"llmore_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    engine = make_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(f"CREATE DATABASE {name}"))
    finally:
        engine.dispose()
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def _drop_private_database(admin_url: str, private_url: str) -> None:
    name = make_url(private_url).database
    engine = make_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            force = " WITH (FORCE)" if connection.dialect.name == "postgresql" else ""
            connection.execute(text(f"DROP DATABASE IF EXISTS {name}{force}"))
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def migrated_urls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str | None]]:
    """Per backend: a freshly migrated private database URL, or None when the server is unreachable."""
    urls: dict[str, str | None] = {"sqlite": f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"}
    upgrade(urls["sqlite"] or "")
    created: dict[str, str] = {}
    for name, url in SERVER_URLS.items():
        try:
            created[url] = _create_private_database(url)
            upgrade(created[url])
            urls[name] = created[url]
        except Exception as exc:  # unreachable server: recorded, then skipped or failed per test
            urls[name] = None
            urls[f"{name}:error"] = f"{type(exc).__name__}: {exc}"
    yield urls
    for admin_url, private_url in created.items():
        _drop_private_database(admin_url, private_url)


def _truncate_all(engine: Engine) -> None:
    metadata = load_all_models()
    with engine.begin() as connection:
        if connection.dialect.name == "mysql":
            connection.execute(text("SET FOREIGN_KEY_CHECKS=0"))
        for table in reversed(metadata.sorted_tables):
            connection.execute(table.delete())
        if connection.dialect.name == "mysql":
            connection.execute(text("SET FOREIGN_KEY_CHECKS=1"))


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, migrated_urls: dict[str, str | None]) -> Iterator[str]:
    """A migrated, empty database on each backend in turn."""
    url = migrated_urls[request.param]
    if url is None:
        reason = f"{request.param} unreachable: {migrated_urls.get(request.param + ':error')}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason} (CI=true requires every backend)")
        pytest.skip(reason)
    engine = make_engine(url)
    _truncate_all(engine)
    yield url
    engine.dispose()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """Settings on a fresh home and database, with fast dispatcher timings for tests."""
    return Settings(
        home=tmp_path / "home",
        database_url=database_url,
        dispatcher_poll_seconds=0.1,
        job_heartbeat_seconds=0.5,
        job_cancel_grace_seconds=3,
        dispatcher_lease_seconds=5,
    )


@pytest.fixture
def session_factory(settings: Settings) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(settings.effective_database_url)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def db(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session for arranging and inspecting state directly."""
    with session_factory() as session:
        yield session


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return create_app(settings, run_dispatcher=False)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@dataclass
class Account:
    """A user created for a test, with a bearer header ready to use."""

    user: User
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture
def make_account(client: TestClient, session_factory: sessionmaker[Session]) -> Callable[..., Account]:
    """Create a user with ``roles`` and sign them in over HTTP."""
    counter = iter(range(1_000_000))

    def _make(*roles: str, username: str | None = None) -> Account:
        name = username or f"user{next(counter)}-{'-'.join(roles) or 'none'}"
        with session_factory.begin() as session:
            user = auth_service.create_user(session, username=name, password=PASSWORD, roles=list(roles))
        response = client.post("/api/auth/login", json={"username": name, "password": PASSWORD})
        assert response.status_code == 200, response.text
        return Account(user=user, token=response.json()["token"])

    return _make


@pytest.fixture
def admin(make_account: Callable[..., Account]) -> Account:
    return make_account("admin", username="root-admin")


def wait_for(
    predicate: Callable[[], object], *, timeout: float = 30.0, interval: float = 0.1, what: str = "condition"
) -> object:
    """Poll ``predicate`` until it returns something truthy; fail with ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")
