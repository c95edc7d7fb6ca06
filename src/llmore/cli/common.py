"""What every CLI command shares: the settings from flags, a database session, the console."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import typer
from rich.console import Console
from sqlalchemy import select
from sqlalchemy.orm import Session

from llmore.auth import service as auth_service
from llmore.auth.models import User
from llmore.auth.service import Principal
from llmore.db.base import ACTOR_ID
from llmore.db.engine import make_engine, make_session_factory
from llmore.db.migrate import current_revision, head_revision
from llmore.errors import AppError
from llmore.settings import Settings, load_settings

console = Console()
err_console = Console(stderr=True)


def settings_from(ctx: typer.Context, **overrides: object) -> Settings:
    """Settings with this command's flags on top of the global ones (flags beat env and file)."""
    flags = {**(ctx.obj or {}), **overrides}
    return load_settings(**flags)


@contextmanager
def database(settings: Settings, *, require_current: bool = True) -> Iterator[Session]:
    """A committed-on-success session; refuses to work on an unmigrated database."""
    engine = make_engine(settings.effective_database_url)
    try:
        if require_current:
            current, head = current_revision(engine), head_revision(settings.effective_database_url)
            if current != head:
                fail(
                    f"The database is at revision {current or '(empty)'} but this LLMore needs {head}; "
                    "run `llmore db upgrade` first."
                )
        session = make_session_factory(engine)()
        try:
            yield session
            session.commit()
        except AppError as exc:
            session.rollback()
            fail(exc.message + "".join(f"\n  {d.get('field', '')}: {d.get('message', '')}" for d in exc.details))
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()
    finally:
        engine.dispose()


def fail(message: str, code: int = 1) -> NoReturn:
    """Print an actionable error and exit non-zero."""
    err_console.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code)


AS_USER = typer.Option("admin", "--as", help="Act as this user (owner and author of what you create or change).")


def acting_user(session: Session, username: str) -> Principal:
    """The principal a shell command acts as; what it writes is stamped with that user."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        fail(f"No user named '{username}'; pass --as with an existing user (see `llmore users list`).")
    session.info[ACTOR_ID] = user.id
    return auth_service.principal_of_user(user, via="cli")
