"""FastAPI dependencies shared by every router: settings, the database session, the caller.

Every route declares exactly one access rule as its first dependency: ``requires(Perm.X)`` or
``public()``. ``tests/auth/test_route_permissions.py`` enumerates the app's routes and fails
when one declares neither, and proves that each guarded route refuses anonymous (401) and
unprivileged (403) callers.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from llmore.auth import service as auth_service
from llmore.auth.permissions import Perm
from llmore.auth.service import Principal
from llmore.db.base import ACTOR_ID
from llmore.errors import Forbidden, Unauthenticated
from llmore.settings import Settings

SESSION_COOKIE = "llmore_session"


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_db(request: Request) -> Iterator[Session]:
    """A session per request: committed when the handler returns, rolled back on error."""
    session: Session = request.app.state.session_factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


DB: Any = Depends(get_db, scope="function")
"""Parameter default for the request's database session. ``scope="function"`` commits when the
handler returns and *before* the response is sent, so a client reading right after a write sees it."""


def bearer_token(request: Request) -> str | None:
    """The token from ``Authorization: Bearer``, else from the console's session cookie."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.cookies.get(SESSION_COOKIE) or None


class PermissionRule:
    """Dependency: resolves the caller and enforces one permission (or none for public routes)."""

    def __init__(self, permission: Perm | None):
        self.permission = permission

    def __call__(self, request: Request, db: Session = DB) -> Principal | None:
        token = bearer_token(request)
        principal = auth_service.principal_for_token(db, token) if token else None
        if self.permission is None:
            return principal
        if principal is None:
            raise Unauthenticated(
                "Sign in first: send 'Authorization: Bearer <session token or API key>'."
                if token is None
                else "The session or API key is invalid, expired or revoked; sign in again."
            )
        if not principal.has(self.permission):
            raise Forbidden(
                f"Your roles ({', '.join(principal.roles) or 'none'}) lack the permission "
                f"'{self.permission.value}'; ask an admin."
            )
        db.info[ACTOR_ID] = principal.user_id
        request.state.principal = principal
        return principal


def requires(permission: Perm) -> Any:
    """Route parameter default: the signed-in caller holding ``permission``."""
    return Depends(PermissionRule(permission))


def public() -> Any:
    """Route dependency of a deliberately public route (health checks, login)."""
    return Depends(PermissionRule(None))
