"""Sign-in, users, departments and API keys as a user of the HTTP API sees them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from llmore.auth.models import ApiKey, User
from llmore.auth.service import ensure_admin
from tests.conftest import PASSWORD, Account


def test_login_returns_a_token_and_a_cookie_that_both_authenticate(client: TestClient, admin: Account) -> None:
    response = client.post("/api/auth/login", json={"username": "root-admin", "password": PASSWORD})
    assert response.status_code == 200
    assert response.cookies.get("llmore_session") == response.json()["token"]
    assert "users:write" in response.json()["user"]["permissions"]
    assert client.get("/api/auth/me").json()["username"] == "root-admin"  # via the cookie
    client.cookies.clear()
    assert client.get("/api/auth/me").status_code == 401


def test_passwords_and_keys_are_stored_only_as_hashes(client: TestClient, admin: Account, db: Session) -> None:
    key = client.post("/api/api-keys", json={"name": "ci"}, headers=admin.headers).json()["key"]
    stored_user = db.scalar(select(User).where(User.username == "root-admin"))
    assert stored_user is not None
    assert stored_user.password_hash.startswith("$argon2id$")
    dump = " ".join(str(row) for row in db.execute(text("SELECT * FROM users")).all())
    dump += " ".join(str(row) for row in db.execute(text("SELECT * FROM api_keys")).all())
    dump += " ".join(str(row) for row in db.execute(text("SELECT * FROM auth_sessions")).all())
    assert PASSWORD not in dump
    assert key not in dump
    assert admin.token not in dump


def test_repeated_wrong_passwords_are_rate_limited(client: TestClient, admin: Account) -> None:
    for _ in range(5):
        assert (
            client.post("/api/auth/login", json={"username": "root-admin", "password": "nope-nope-1"}).status_code
            == 401
        )
    blocked = client.post("/api/auth/login", json={"username": "root-admin", "password": PASSWORD})
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    assert blocked.json()["error"]["code"] == "rate_limited"


def test_admin_creates_a_user_who_can_sign_in_with_their_roles(client: TestClient, admin: Account) -> None:
    created = client.post(
        "/api/users",
        headers=admin.headers,
        json={"username": "dev1", "password": "long enough pass", "roles": ["developer"], "display_name": "Dev One"},
    )
    assert created.status_code == 201, created.text
    assert created.json()["roles"] == ["developer"]
    login = client.post("/api/auth/login", json={"username": "dev1", "password": "long enough pass"})
    assert set(login.json()["user"]["permissions"]) >= {"jobs:write", "jobs:read"}
    assert "users:read" not in login.json()["user"]["permissions"]


def test_duplicate_username_names_the_field(client: TestClient, admin: Account) -> None:
    response = client.post(
        "/api/users", headers=admin.headers, json={"username": "root-admin", "password": "long enough pass"}
    )
    assert response.status_code == 409
    assert response.json()["error"]["details"] == [{"field": "body.username", "message": "already exists"}]


def test_short_password_and_bad_username_are_reported_per_field(client: TestClient, admin: Account) -> None:
    response = client.post("/api/users", headers=admin.headers, json={"username": "a b", "password": "short"})
    assert response.status_code == 422
    fields = {d["field"] for d in response.json()["error"]["details"]}
    assert fields == {"body.username", "body.password"}


def test_stale_version_is_refused_and_changes_nothing(
    client: TestClient, admin: Account, make_account: Callable[..., Account]
) -> None:
    target = make_account("developer").user
    loaded = client.get(f"/api/users/{target.id}", headers=admin.headers).json()
    first = client.patch(
        f"/api/users/{target.id}",
        headers=admin.headers,
        json={"version": loaded["version"], "display_name": "First edit"},
    )
    assert first.status_code == 200
    assert first.json()["version"] == loaded["version"] + 1
    stale = client.patch(
        f"/api/users/{target.id}",
        headers=admin.headers,
        json={"version": loaded["version"], "display_name": "Lost update"},
    )
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "stale_version"
    assert client.get(f"/api/users/{target.id}", headers=admin.headers).json()["display_name"] == "First edit"


def test_disabling_a_user_ends_their_sessions_and_keys(
    client: TestClient, admin: Account, make_account: Callable[..., Account]
) -> None:
    dev = make_account("developer")
    key = client.post("/api/api-keys", json={"name": "script"}, headers=dev.headers).json()["key"]
    version = client.get(f"/api/users/{dev.user.id}", headers=admin.headers).json()["version"]
    client.patch(f"/api/users/{dev.user.id}", headers=admin.headers, json={"version": version, "is_active": False})
    assert client.get("/api/auth/me", headers=dev.headers).status_code == 401
    assert client.get("/api/auth/me", headers={"Authorization": f"Bearer {key}"}).status_code == 401


def test_admin_cannot_lock_themselves_out(client: TestClient, admin: Account) -> None:
    version = client.get(f"/api/users/{admin.user.id}", headers=admin.headers).json()["version"]
    response = client.patch(
        f"/api/users/{admin.user.id}", headers=admin.headers, json={"version": version, "is_active": False}
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "self_lockout"


def test_password_reset_signs_the_user_out(
    client: TestClient, admin: Account, make_account: Callable[..., Account]
) -> None:
    dev = make_account("developer")
    assert (
        client.post(
            f"/api/users/{dev.user.id}/password", headers=admin.headers, json={"password": "brand new password"}
        ).status_code
        == 204
    )
    assert client.get("/api/auth/me", headers=dev.headers).status_code == 401
    assert (
        client.post(
            "/api/auth/login", json={"username": dev.user.username, "password": "brand new password"}
        ).status_code
        == 200
    )


def test_change_own_password_requires_the_current_one(client: TestClient, make_account: Callable[..., Account]) -> None:
    dev = make_account("developer")
    wrong = client.post(
        "/api/auth/me/password",
        headers=dev.headers,
        json={"current_password": "not it at all", "password": "another long one"},
    )
    assert wrong.status_code == 400
    assert wrong.json()["error"]["details"][0]["field"] == "body.current_password"


def test_user_list_paginates_filters_and_sorts(
    client: TestClient, admin: Account, make_account: Callable[..., Account]
) -> None:
    for index in range(3):
        make_account("annotator", username=f"anno{index}")
    page = client.get(
        "/api/users", headers=admin.headers, params={"role": "annotator", "page_size": 2, "sort": "username"}
    ).json()
    assert page["total"] == 3
    assert [u["username"] for u in page["items"]] == ["anno0", "anno1"]
    second = client.get(
        "/api/users", headers=admin.headers, params={"role": "annotator", "page_size": 2, "page": 2, "sort": "username"}
    ).json()
    assert [u["username"] for u in second["items"]] == ["anno2"]
    searched = client.get("/api/users", headers=admin.headers, params={"q": "root"}).json()
    assert [u["username"] for u in searched["items"]] == ["root-admin"]


def test_departments_can_be_created_and_assigned(
    client: TestClient, admin: Account, make_account: Callable[..., Account]
) -> None:
    dept = client.post("/api/departments", headers=admin.headers, json={"name": "Support"}).json()
    dev = make_account("developer")
    version = client.get(f"/api/users/{dev.user.id}", headers=admin.headers).json()["version"]
    moved = client.patch(
        f"/api/users/{dev.user.id}", headers=admin.headers, json={"version": version, "department_id": dept["id"]}
    )
    assert moved.json()["department_id"] == dept["id"]
    unknown = client.patch(
        f"/api/users/{dev.user.id}",
        headers=admin.headers,
        json={"version": moved.json()["version"], "department_id": 424242},
    )
    assert unknown.status_code == 404


def test_api_key_is_shown_once_works_and_can_be_revoked(
    client: TestClient, make_account: Callable[..., Account]
) -> None:
    dev = make_account("developer")
    created = client.post("/api/api-keys", json={"name": "notebook"}, headers=dev.headers)
    assert created.status_code == 201
    key = created.json()["key"]
    assert key.startswith("llm-")
    assert key[4:12] == created.json()["prefix"]
    listed = client.get("/api/api-keys", headers=dev.headers).json()["items"]
    assert "key" not in listed[0]
    as_key = {"Authorization": f"Bearer {key}"}
    assert client.get("/api/jobs", headers=as_key).status_code == 200
    assert client.delete(f"/api/api-keys/{created.json()['id']}", headers=dev.headers).status_code == 200
    assert client.get("/api/jobs", headers=as_key).status_code == 401


def test_expired_api_key_is_refused(client: TestClient, make_account: Callable[..., Account], db: Session) -> None:
    dev = make_account("developer")
    soon = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    created = client.post("/api/api-keys", json={"name": "short", "expires_at": soon}, headers=dev.headers).json()
    row = db.get(ApiKey, created["id"])
    assert row is not None
    row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    db.commit()
    assert client.get("/api/auth/me", headers={"Authorization": f"Bearer {created['key']}"}).status_code == 401
    past = client.post("/api/api-keys", json={"name": "old", "expires_at": "2001-01-01T00:00:00Z"}, headers=dev.headers)
    assert past.status_code == 400
    assert past.json()["error"]["details"][0]["field"] == "body.expires_at"


def test_someone_elses_api_key_cannot_be_revoked(client: TestClient, make_account: Callable[..., Account]) -> None:
    owner, other = make_account("developer"), make_account("developer")
    key_id = client.post("/api/api-keys", json={"name": "mine"}, headers=owner.headers).json()["id"]
    assert client.delete(f"/api/api-keys/{key_id}", headers=other.headers).status_code == 403


def test_first_admin_gets_a_generated_password_only_once(db: Session) -> None:
    generated = ensure_admin(db, password=None)
    assert generated is not None
    assert len(generated) >= 16
    assert ensure_admin(db, password=None) is None
    assert ensure_admin(db, password="x" * 12) is None  # an existing admin is never overwritten
