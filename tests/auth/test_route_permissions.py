"""Every route declares an access rule; guarded routes refuse anonymous (401) and unprivileged (403) callers."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi import FastAPI
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from fastapi.testclient import TestClient

from llmore.auth.permissions import Perm
from llmore.deps import PermissionRule
from tests.conftest import Account

PUBLIC_PATHS = {"/api/auth/login", "/healthz", "/readyz", "/{path:path}"}


def _rule(route: RouteContext) -> PermissionRule | None:
    """The route's access rule: its first dependency, which must be a PermissionRule."""
    rules = [dep.call for dep in route.dependant.dependencies if isinstance(dep.call, PermissionRule)]
    assert len(rules) == 1, f"{route.path} declares {len(rules)} access rules; it needs exactly one"
    first = route.dependant.dependencies[0].call
    assert first is rules[0], f"{route.path}: the access rule must be the first dependency"
    return rules[0]


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "999999", path)


def _routes(app: FastAPI) -> list[tuple[str, str, PermissionRule]]:
    found = []
    # iter_route_contexts resolves included routers into routes with their full paths.
    for route in iter_route_contexts(app.routes):
        if isinstance(route.original_route, APIRoute):
            rule = _rule(route)
            assert rule is not None
            for method in sorted((route.methods or set()) - {"HEAD"}):
                found.append((method, route.path or "", rule))
    return found


def test_every_route_declares_one_rule_and_public_ones_are_the_known_few(app: FastAPI) -> None:
    routes = _routes(app)
    assert len(routes) > 20
    public = {path for _, path, rule in routes if rule.permission is None}
    assert public == PUBLIC_PATHS


def test_guarded_routes_refuse_anonymous_callers(app: FastAPI, client: TestClient) -> None:
    for method, path, rule in _routes(app):
        if rule.permission is None:
            continue
        response = client.request(method, _concrete(path), json={})
        assert response.status_code == 401, f"{method} {path} answered {response.status_code}"
        assert response.json()["error"]["code"] == "unauthenticated"


def test_guarded_routes_refuse_callers_without_the_permission(
    app: FastAPI, client: TestClient, make_account: Callable[..., Account]
) -> None:
    nobody = make_account()  # signed in, no roles: holds only "self"
    checked = 0
    for method, path, rule in _routes(app):
        if rule.permission in (None, Perm.SELF):
            continue
        response = client.request(method, _concrete(path), json={}, headers=nobody.headers)
        assert response.status_code == 403, f"{method} {path} answered {response.status_code}"
        assert rule.permission.value in response.json()["error"]["message"]
        checked += 1
    assert checked > 10


def test_a_revoked_or_bogus_token_is_refused(client: TestClient, admin: Account) -> None:
    assert client.get("/api/auth/me", headers=admin.headers).status_code == 200
    assert client.post("/api/auth/logout", headers=admin.headers).status_code == 204
    response = client.get("/api/auth/me", headers=admin.headers)
    assert response.status_code == 401
    assert "sign in again" in response.json()["error"]["message"]
    bogus = client.get("/api/auth/me", headers={"Authorization": "Bearer llm-not-a-real-key"})
    assert bogus.status_code == 401
