"""Logic of the auth domain: users, departments, sessions, API keys, credential checks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from llmore.auth.models import ApiKey, AuthSession, Department, User
from llmore.auth.permissions import Perm, Role, permissions_of
from llmore.auth.secrets import (
    API_KEY_PREFIX,
    hash_password,
    new_api_key,
    new_session_token,
    random_password,
    sha256_hex,
    verify_password,
)
from llmore.db.crud import check_version, get_or_404
from llmore.db.types import utcnow
from llmore.errors import AppError, Conflict, Forbidden, NotFound, Unauthenticated
from llmore.pagination import PageParams, paginate

ADMIN_USERNAME = "admin"


@dataclass(frozen=True)
class Principal:
    """Who is calling: the user, how they proved it, and what they may do."""

    user_id: int
    username: str
    roles: tuple[str, ...]
    permissions: frozenset[Perm]
    via: str  # "session" or "api_key"
    credential_id: int
    department_id: int | None = None

    def has(self, permission: Perm) -> bool:
        return permission in self.permissions


# ---------------------------------------------------------------- users


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    display_name: str = "",
    email: str | None = None,
    roles: list[Role] | list[str] | None = None,
    department_id: int | None = None,
) -> User:
    """Create an active user; the username must be new (deleted users keep theirs)."""
    taken = session.scalar(select(User.id).where(User.username == username).execution_options(include_deleted=True))
    if taken is not None:
        raise Conflict(
            f"The username '{username}' is taken.",
            code="duplicate",
            details=[{"field": "body.username", "message": "already exists"}],
        )
    if department_id is not None:
        get_or_404(session, Department, department_id)
    user = User(
        username=username,
        display_name=display_name or username,
        email=email,
        password_hash=hash_password(password),
        roles=[Role(r).value for r in (roles if roles is not None else [Role.DEVELOPER])],
        department_id=department_id,
    )
    session.add(user)
    session.flush()
    return user


def list_users(
    session: Session,
    params: PageParams,
    *,
    q: str | None = None,
    role: Role | None = None,
    is_active: bool | None = None,
) -> tuple[list[User], int]:
    stmt = select(User)
    if q:
        pattern = f"%{q}%"
        stmt = stmt.where(or_(User.username.ilike(pattern), User.display_name.ilike(pattern)))
    if is_active is not None:
        stmt = stmt.where(User.is_active.is_(is_active))
    rows, total = paginate(
        session,
        stmt,
        params,
        {
            "created_at": User.created_at,
            "username": User.username,
            "id": User.id,
        },
    )
    users = list(rows)
    if role is not None:
        # Roles live in a JSON list, which SQL dialects query differently; filter in Python
        # and report the filtered total (user tables are small).
        users = [u for u in session.scalars(stmt).all() if role.value in u.roles]
        total = len(users)
        start = (params.page - 1) * params.page_size
        users = users[start : start + params.page_size]
    return users, total


def update_user(session: Session, *, user_id: int, version: int, actor: Principal, **changes: object) -> User:
    """Apply ``changes`` (only keys with non-None values) to a user at ``version``."""
    user = get_or_404(session, User, user_id)
    check_version(user, version)
    if user.id == actor.user_id and (
        changes.get("is_active") is False
        or (
            changes.get("roles") is not None
            and Role.ADMIN.value not in [Role(r).value for r in changes["roles"]]
            and Role.ADMIN.value in user.roles
        )
    ):
        raise Conflict(
            "You cannot disable yourself or remove your own admin role; ask another admin.", code="self_lockout"
        )
    if changes.get("department_id") is not None:
        get_or_404(session, Department, changes["department_id"])  # type: ignore[arg-type]
    for field, value in changes.items():
        if value is None:
            continue
        if field == "roles":
            value = [Role(r).value for r in value]  # type: ignore[attr-defined]
        setattr(user, field, value)
    session.flush()
    if user.is_active is False:
        revoke_sessions(session, user_id=user.id)
    return user


def set_password(session: Session, *, user_id: int, password: str) -> User:
    """Replace a user's password and sign them out everywhere."""
    user = get_or_404(session, User, user_id)
    user.password_hash = hash_password(password)
    session.flush()
    revoke_sessions(session, user_id=user.id)
    return user


def change_own_password(session: Session, *, user_id: int, current_password: str, password: str) -> User:
    user = get_or_404(session, User, user_id)
    if not verify_password(user.password_hash, current_password):
        raise AppError(
            "The current password is wrong.",
            code="wrong_password",
            details=[{"field": "body.current_password", "message": "does not match"}],
        )
    return set_password(session, user_id=user_id, password=password)


def ensure_admin(session: Session, *, password: str | None) -> str | None:
    """Create the first ``admin`` when no admin exists; return the password only if it was generated.

    There is no default password: either the operator supplies one (LLMORE_ADMIN_PASSWORD) or a
    random one is generated and must be shown to them exactly once by the caller.
    """
    admins = [u for u in session.scalars(select(User).where(User.is_active.is_(True))) if Role.ADMIN in u.roles]
    if admins:
        return None
    generated = None if password else random_password()
    existing = session.scalar(
        select(User).where(User.username == ADMIN_USERNAME).execution_options(include_deleted=True)
    )
    if existing is not None:  # the admin account was disabled or stripped: restore it
        existing.deleted_at = None
        existing.is_active = True
        existing.roles = sorted({*existing.roles, Role.ADMIN.value})
        existing.password_hash = hash_password(password or generated or "")
        session.flush()
    else:
        create_user(
            session,
            username=ADMIN_USERNAME,
            password=password or generated or "",
            display_name="Administrator",
            roles=[Role.ADMIN],
        )
    return generated


# ---------------------------------------------------------------- departments


def create_department(
    session: Session, *, name: str, description: str = "", parent_id: int | None = None
) -> Department:
    if session.scalar(select(Department.id).where(Department.name == name)) is not None:
        raise Conflict(
            f"A department named '{name}' exists.",
            code="duplicate",
            details=[{"field": "body.name", "message": "already exists"}],
        )
    if parent_id is not None:
        get_or_404(session, Department, parent_id)
    department = Department(name=name, description=description, parent_id=parent_id)
    session.add(department)
    session.flush()
    return department


def list_departments(session: Session, params: PageParams) -> tuple[list[Department], int]:
    rows, total = paginate(
        session,
        select(Department),
        params,
        {"created_at": Department.created_at, "name": Department.name, "id": Department.id},
    )
    return list(rows), total


# ---------------------------------------------------------------- sessions


def authenticate(session: Session, *, username: str, password: str) -> User:
    """The active user with these credentials; one vague message for every failure."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.is_active or not verify_password(user.password_hash, password):
        raise Unauthenticated("Wrong username or password.", code="bad_credentials")
    return user


def open_session(session: Session, *, user: User, ttl: timedelta, client: str = "") -> tuple[str, AuthSession]:
    """Start a login session; returns the bearer token (never stored) and the row."""
    token = new_session_token()
    row = AuthSession(
        user_id=user.id,
        token_hash=sha256_hex(token),
        expires_at=utcnow() + ttl,
        client=client[:255],
        created_by=user.id,
    )
    user.last_login_at = utcnow()
    session.add(row)
    session.flush()
    return token, row


def revoke_sessions(session: Session, *, user_id: int) -> None:
    session.execute(
        update(AuthSession)
        .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=utcnow(), version=AuthSession.version + 1)
    )


def close_session(session: Session, *, session_id: int) -> None:
    row = session.get(AuthSession, session_id)
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
        session.flush()


def principal_for_token(session: Session, token: str) -> Principal | None:
    """Resolve a bearer token (session token or API key) to the calling principal."""
    now = utcnow()
    if token.startswith(API_KEY_PREFIX):
        key = session.scalar(select(ApiKey).where(ApiKey.key_hash == sha256_hex(token)))
        if key is None or key.revoked_at is not None or (key.expires_at and key.expires_at <= now):
            return None
        session.execute(
            update(ApiKey).where(ApiKey.id == key.id).values(last_used_at=now, use_count=ApiKey.use_count + 1)
        )
        return _principal(session, key.user_id, "api_key", key.id)
    row = session.scalar(select(AuthSession).where(AuthSession.token_hash == sha256_hex(token)))
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    return _principal(session, row.user_id, "session", row.id)


def _principal(session: Session, user_id: int, via: str, credential_id: int) -> Principal | None:
    user = session.get(User, user_id)
    if user is None or user.is_deleted or not user.is_active:
        return None
    return principal_of_user(user, via=via, credential_id=credential_id)


def principal_of_user(user: User, *, via: str, credential_id: int = 0) -> Principal:
    """The principal acting as ``user`` (for the server's own shell commands, ``via="cli"``)."""
    return Principal(
        user_id=user.id,
        username=user.username,
        roles=tuple(user.roles),
        permissions=permissions_of(user.roles),
        via=via,
        credential_id=credential_id,
        department_id=user.department_id,
    )


# ---------------------------------------------------------------- API keys


def create_api_key(session: Session, *, user_id: int, name: str, expires_at: datetime | None) -> tuple[str, ApiKey]:
    """Issue a key for ``user_id``; the full key is returned once and only its hash is kept."""
    if expires_at is not None:
        if expires_at.tzinfo is None:
            raise AppError(
                "expires_at needs a time zone, e.g. 2027-01-01T00:00:00Z.",
                details=[{"field": "body.expires_at", "message": "naive datetime"}],
            )
        if expires_at <= utcnow():
            raise AppError(
                "expires_at is in the past.", details=[{"field": "body.expires_at", "message": "must be in the future"}]
            )
    key, prefix = new_api_key()
    row = ApiKey(user_id=user_id, name=name, prefix=prefix, key_hash=sha256_hex(key), expires_at=expires_at)
    session.add(row)
    session.flush()
    return key, row


def list_api_keys(session: Session, *, user_id: int, params: PageParams) -> tuple[list[ApiKey], int]:
    rows, total = paginate(
        session,
        select(ApiKey).where(ApiKey.user_id == user_id),
        params,
        {"created_at": ApiKey.created_at, "name": ApiKey.name, "id": ApiKey.id},
    )
    return list(rows), total


def revoke_api_key(session: Session, *, key_id: int, actor: Principal) -> ApiKey:
    """Revoke a key; its owner or a user admin may do so."""
    key = session.get(ApiKey, key_id)
    if key is None or key.is_deleted:
        raise NotFound(f"No API key with id {key_id}.", details=[{"field": "id", "message": "unknown id"}])
    if key.user_id != actor.user_id and not actor.has(Perm.USERS_WRITE):
        raise Forbidden("This API key belongs to another user.")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        session.flush()
    return key
