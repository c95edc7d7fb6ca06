"""Request and response bodies of the auth API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from llmore.auth.permissions import Role
from llmore.auth.secrets import MIN_PASSWORD_LENGTH
from llmore.schemas import RecordOut, VersionedUpdate

USERNAME_PATTERN = r"^[A-Za-z0-9_.\-]{2,64}$"


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class Password(BaseModel):
    """A new password; length is checked here so the error names the field."""

    model_config = ConfigDict(extra="forbid")

    password: str = Field(min_length=MIN_PASSWORD_LENGTH, max_length=1024)


class ChangeOwnPassword(Password):
    current_password: str = Field(min_length=1, max_length=1024)


class UserOut(RecordOut):
    username: str
    display_name: str
    email: str | None
    roles: list[Role]
    department_id: int | None
    is_active: bool
    last_login_at: datetime | None


class MeOut(UserOut):
    permissions: list[str]


class LoginOut(BaseModel):
    token: str
    expires_at: datetime
    user: MeOut


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(pattern=USERNAME_PATTERN, description="2-64 letters, digits, '_', '.', '-'.")
    password: str = Field(min_length=MIN_PASSWORD_LENGTH, max_length=1024)
    display_name: str = Field(default="", max_length=120)
    email: str | None = Field(default=None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")
    roles: list[Role] = Field(default_factory=lambda: [Role.DEVELOPER])
    department_id: int | None = None

    @field_validator("roles")
    @classmethod
    def _unique_roles(cls, roles: list[Role]) -> list[Role]:
        return list(dict.fromkeys(roles))


class UserUpdate(VersionedUpdate):
    display_name: str | None = Field(default=None, max_length=120)
    email: str | None = Field(default=None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")
    roles: list[Role] | None = None
    department_id: int | None = None
    is_active: bool | None = None


class DepartmentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=120)
    description: str = Field(default="", max_length=500)
    parent_id: int | None = None


class DepartmentOut(RecordOut):
    name: str
    description: str
    parent_id: int | None


class ApiKeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=120)
    expires_at: datetime | None = Field(default=None, description="Aware datetime; omitted means no expiry.")


class ApiKeyOut(RecordOut):
    name: str
    prefix: str
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None
    use_count: int


class ApiKeyCreated(ApiKeyOut):
    key: str = Field(description="The full key. It is shown only in this response; store it now.")
