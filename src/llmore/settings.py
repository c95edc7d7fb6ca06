"""Effective configuration of an LLMore process.

Sources, highest precedence first: CLI flags (passed to :func:`load_settings` as overrides),
environment variables ``LLMORE_*``, the YAML config file (``$LLMORE_HOME/config.yaml`` or
``LLMORE_CONFIG``), then the defaults below.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    YamlConfigSettingsSource,
)

SECRET_MASK = "********"


def _default_home() -> Path:
    return Path(os.environ.get("LLMORE_HOME", "~/.llmore")).expanduser()


def _config_file() -> Path:
    explicit = os.environ.get("LLMORE_CONFIG")
    return Path(explicit).expanduser() if explicit else _default_home() / "config.yaml"


class Settings(BaseSettings):
    """Every configurable value of LLMore, with its documented default."""

    model_config = SettingsConfigDict(env_prefix="LLMORE_", extra="forbid", validate_default=True)

    home: Path = Field(default_factory=_default_home, description="Root folder for state and artifacts.")
    database_url: str = Field(
        default="",
        description="SQLAlchemy URL; empty means SQLite at $LLMORE_HOME/llmore.db. "
        "Also postgresql+psycopg://user@host/db and mysql+pymysql://user@host/db.",
    )
    storage_url: str = Field(default="", description="fsspec URL for artifacts; empty means $LLMORE_HOME/store.")
    host: str = Field(default="127.0.0.1", description="Address the HTTP server binds.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port the HTTP server binds.")
    secret_key: SecretStr = Field(
        default=SecretStr(""),
        description="Key for signing; empty means a random key kept in $LLMORE_HOME/secret_key.",
    )
    admin_password: SecretStr = Field(
        default=SecretStr(""),
        description="Password for the first `admin` user; empty means a random one printed once.",
    )
    session_ttl_hours: int = Field(default=12, ge=1, description="Lifetime of a console login session.")
    login_attempts_per_window: int = Field(default=5, ge=1, description="Failed logins allowed per window.")
    login_window_seconds: int = Field(default=300, ge=1, description="Window of the login rate limit.")
    rate_limit_storage: str = Field(
        default="memory://", description="`limits` storage URL, e.g. redis://127.0.0.1:6379 for many replicas."
    )
    max_request_bytes: int = Field(default=10 * 1024 * 1024, ge=1024, description="Largest JSON request body.")
    max_upload_bytes: int = Field(default=5 * 1024**3, ge=1024, description="Largest dataset upload.")
    import_roots: list[Path] = Field(
        default_factory=list,
        description="Server folders datasets may be imported from by path; empty allows none.",
    )
    job_concurrency: int = Field(default=2, ge=1, description="Jobs the local executor runs at once.")
    job_cancel_grace_seconds: float = Field(default=10.0, ge=0, description="SIGTERM → SIGKILL grace.")
    job_heartbeat_seconds: float = Field(default=5.0, gt=0, description="How often a job process reports alive.")
    dispatcher_poll_seconds: float = Field(default=0.5, gt=0, description="Dispatcher loop interval.")
    dispatcher_lease_seconds: float = Field(default=15.0, gt=0, description="Leader lease duration.")
    run_dispatcher: bool = Field(default=True, description="Run the job dispatcher inside `llmore up`.")
    engines_dir: Path | None = Field(
        default=None,
        description="Where `llmore engines install` puts serving engines' virtual environments; "
        "empty means $LLMORE_HOME/engines.",
    )
    mlflow_tracking_uri: str = Field(
        default="",
        description="MLflow tracking server (or file: folder) that training runs also log to; empty means none "
        "(TensorBoard event files are always written in the job's folder).",
    )
    require_approval_to_deploy: bool = Field(
        default=True,
        description="Only approved model versions may be deployed; an admin can still force a deployment (logged).",
    )

    @field_validator("home", mode="after")
    @classmethod
    def _expand_home(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        yaml_source = YamlConfigSettingsSource(settings_cls, yaml_file=_config_file())
        return (init_settings, env_settings, yaml_source)

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.home / 'llmore.db'}"

    @property
    def effective_storage_url(self) -> str:
        return self.storage_url or (self.home / "store").as_uri()

    @property
    def jobs_dir(self) -> Path:
        return self.home / "jobs"

    @property
    def uploads_dir(self) -> Path:
        return self.home / "uploads"

    @property
    def models_dir(self) -> Path:
        return self.home / "models"

    @property
    def effective_engines_dir(self) -> Path:
        return (self.engines_dir or self.home / "engines").expanduser()

    def resolved_secret_key(self) -> str:
        """The signing key: the configured one, else a random one created once under LLMORE_HOME."""
        configured = self.secret_key.get_secret_value()
        if configured:
            return configured
        key_file = self.home / "secret_key"
        if not key_file.exists():
            import secrets

            self.home.mkdir(parents=True, exist_ok=True)
            key_file.write_text(secrets.token_urlsafe(48))
            key_file.chmod(0o600)
        return key_file.read_text().strip()

    def masked(self) -> dict[str, Any]:
        """Effective values for display, with secrets and URL passwords masked."""
        from sqlalchemy.engine import make_url

        shown: dict[str, Any] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, SecretStr):
                value = SECRET_MASK if value.get_secret_value() else "(not set)"
            shown[name] = str(value) if isinstance(value, Path) else value
        shown["database_url"] = make_url(self.effective_database_url).render_as_string(hide_password=True)
        shown["storage_url"] = self.effective_storage_url
        return shown


def load_settings(**overrides: Any) -> Settings:
    """Settings from all sources; non-None ``overrides`` (CLI flags) win over everything."""
    return Settings(**{key: value for key, value in overrides.items() if value is not None})
