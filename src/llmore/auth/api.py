"""HTTP routes of the auth domain: sign-in, the caller, users, departments, API keys."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy.orm import Session

from llmore.auth import schemas
from llmore.auth import service as auth_service
from llmore.auth.models import User
from llmore.auth.permissions import Perm, Role
from llmore.auth.ratelimit import LoginThrottle
from llmore.auth.service import Principal
from llmore.db.crud import get_or_404
from llmore.deps import DB, SESSION_COOKIE, get_settings, public, requires
from llmore.errors import Unauthenticated
from llmore.pagination import Page, PageParams, page_params
from llmore.settings import Settings

router = APIRouter(prefix="/api", tags=["auth"])


def _me(user: User) -> schemas.MeOut:
    from llmore.auth.permissions import permissions_of

    return schemas.MeOut.model_validate(
        {
            **schemas.UserOut.model_validate(user).model_dump(),
            "permissions": sorted(p.value for p in permissions_of(user.roles)),
        }
    )


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.post("/auth/login", response_model=schemas.LoginOut, summary="Sign in and get a session token")
def login(
    body: schemas.LoginIn,
    request: Request,
    response: Response,
    _: None = public(),
    db: Session = DB,
    settings: Settings = Depends(get_settings),
) -> schemas.LoginOut:
    throttle: LoginThrottle = request.app.state.login_throttle
    client = _client(request)
    throttle.check(body.username, client)
    try:
        user = auth_service.authenticate(db, username=body.username, password=body.password)
    except Unauthenticated:
        throttle.record_failure(body.username, client)
        raise
    throttle.reset(body.username)
    ttl = timedelta(hours=settings.session_ttl_hours)
    token, row = auth_service.open_session(db, user=user, ttl=ttl, client=request.headers.get("user-agent", ""))
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(ttl.total_seconds()),
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )
    return schemas.LoginOut(token=token, expires_at=row.expires_at, user=_me(user))


@router.post("/auth/logout", status_code=204, summary="End the current session")
def logout(response: Response, principal: Principal = requires(Perm.SELF), db: Session = DB) -> None:
    if principal.via == "session":
        auth_service.close_session(db, session_id=principal.credential_id)
    response.delete_cookie(SESSION_COOKIE, path="/")


@router.get("/auth/me", response_model=schemas.MeOut, summary="The signed-in user and their permissions")
def me(principal: Principal = requires(Perm.SELF), db: Session = DB) -> schemas.MeOut:
    return _me(get_or_404(db, User, principal.user_id))


@router.post("/auth/me/password", status_code=204, summary="Change your own password")
def change_password(
    body: schemas.ChangeOwnPassword, principal: Principal = requires(Perm.SELF), db: Session = DB
) -> None:
    auth_service.change_own_password(
        db, user_id=principal.user_id, current_password=body.current_password, password=body.password
    )


@router.get("/users", response_model=Page[schemas.UserOut], summary="List users")
def list_users(
    _: Principal = requires(Perm.USERS_READ),
    params: PageParams = Depends(page_params),
    q: str | None = Query(None, max_length=64, description="Substring of username or display name."),
    role: Role | None = Query(None),
    is_active: bool | None = Query(None),
    db: Session = DB,
) -> Page[schemas.UserOut]:
    users, total = auth_service.list_users(db, params, q=q, role=role, is_active=is_active)
    return Page(
        items=[schemas.UserOut.model_validate(u) for u in users],
        total=total,
        page=params.page,
        page_size=params.page_size,
    )


@router.post("/users", response_model=schemas.UserOut, status_code=201, summary="Create a user")
def create_user(body: schemas.UserCreate, _: Principal = requires(Perm.USERS_WRITE), db: Session = DB) -> User:
    return auth_service.create_user(db, **body.model_dump())


@router.get("/users/{user_id}", response_model=schemas.UserOut, summary="One user")
def get_user(user_id: int, _: Principal = requires(Perm.USERS_READ), db: Session = DB) -> User:
    return get_or_404(db, User, user_id)


@router.patch(
    "/users/{user_id}",
    response_model=schemas.UserOut,
    summary="Edit a user (send the version you loaded; a stale one answers 409)",
)
def update_user(
    user_id: int,
    body: schemas.UserUpdate,
    principal: Principal = requires(Perm.USERS_WRITE),
    db: Session = DB,
) -> User:
    return auth_service.update_user(db, user_id=user_id, actor=principal, **body.model_dump(exclude_unset=True))


@router.post("/users/{user_id}/password", status_code=204, summary="Reset a user's password")
def reset_password(
    user_id: int, body: schemas.Password, _: Principal = requires(Perm.USERS_WRITE), db: Session = DB
) -> None:
    auth_service.set_password(db, user_id=user_id, password=body.password)


@router.get("/departments", response_model=Page[schemas.DepartmentOut], summary="List departments")
def list_departments(
    _: Principal = requires(Perm.DEPARTMENTS_READ),
    params: PageParams = Depends(page_params),
    db: Session = DB,
) -> Page[schemas.DepartmentOut]:
    rows, total = auth_service.list_departments(db, params)
    return Page(
        items=[schemas.DepartmentOut.model_validate(r) for r in rows],
        total=total,
        page=params.page,
        page_size=params.page_size,
    )


@router.post("/departments", response_model=schemas.DepartmentOut, status_code=201, summary="Create a department")
def create_department(
    body: schemas.DepartmentCreate, _: Principal = requires(Perm.DEPARTMENTS_WRITE), db: Session = DB
) -> object:
    return auth_service.create_department(db, **body.model_dump())


@router.get("/api-keys", response_model=Page[schemas.ApiKeyOut], summary="Your API keys")
def list_api_keys(
    principal: Principal = requires(Perm.SELF),
    params: PageParams = Depends(page_params),
    db: Session = DB,
) -> Page[schemas.ApiKeyOut]:
    rows, total = auth_service.list_api_keys(db, user_id=principal.user_id, params=params)
    return Page(
        items=[schemas.ApiKeyOut.model_validate(r) for r in rows],
        total=total,
        page=params.page,
        page_size=params.page_size,
    )


@router.post(
    "/api-keys",
    response_model=schemas.ApiKeyCreated,
    status_code=201,
    summary="Create an API key (the key is shown only in this response)",
)
def create_api_key(
    body: schemas.ApiKeyCreate, principal: Principal = requires(Perm.SELF), db: Session = DB
) -> schemas.ApiKeyCreated:
    key, row = auth_service.create_api_key(db, user_id=principal.user_id, name=body.name, expires_at=body.expires_at)
    return schemas.ApiKeyCreated.model_validate({**schemas.ApiKeyOut.model_validate(row).model_dump(), "key": key})


@router.delete("/api-keys/{key_id}", response_model=schemas.ApiKeyOut, summary="Revoke an API key")
def revoke_api_key(key_id: int, principal: Principal = requires(Perm.SELF), db: Session = DB) -> object:
    return auth_service.revoke_api_key(db, key_id=key_id, actor=principal)
