"""``llmore users``: manage accounts from the server's shell (e.g. when locked out)."""

from __future__ import annotations

import typer
from rich.table import Table
from sqlalchemy import select

from llmore.auth import service as auth_service
from llmore.auth.models import User
from llmore.auth.permissions import Role
from llmore.auth.secrets import MIN_PASSWORD_LENGTH
from llmore.cli.common import console, database, fail, settings_from
from llmore.pagination import MAX_PAGE_SIZE, PageParams

app = typer.Typer(help="User accounts.", no_args_is_help=True)

PASSWORD_OPTION = typer.Option(
    ...,
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    envvar="LLMORE_NEW_PASSWORD",
    help=f"At least {MIN_PASSWORD_LENGTH} characters; prompted when omitted (or from LLMORE_NEW_PASSWORD).",
)


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        fail(f"The password has {len(password)} characters; use at least {MIN_PASSWORD_LENGTH}.")


@app.command("create")
def create(
    ctx: typer.Context,
    username: str,
    role: list[Role] = typer.Option([Role.DEVELOPER], "--role", "-r", help="Repeat for several roles."),
    display_name: str = typer.Option("", help="Name shown in the console."),
    password: str = PASSWORD_OPTION,
) -> None:
    """Create a user."""
    _check_password(password)
    with database(settings_from(ctx)) as session:
        user = auth_service.create_user(
            session, username=username, password=password, display_name=display_name, roles=list(role)
        )
        console.print(f"[green]Created user {user.username} (id {user.id}) with roles {', '.join(user.roles)}.[/]")


@app.command("list")
def list_users(ctx: typer.Context) -> None:
    """List users."""
    with database(settings_from(ctx)) as session:
        users, total = auth_service.list_users(session, PageParams(page_size=MAX_PAGE_SIZE, sort="username"))
        table = Table("id", "username", "display name", "roles", "active", "last login", title=f"{total} users")
        for user in users:
            table.add_row(
                str(user.id),
                user.username,
                user.display_name,
                ", ".join(user.roles),
                "yes" if user.is_active else "no",
                str(user.last_login_at or "never"),
            )
        console.print(table)


@app.command("set-password")
def set_password(ctx: typer.Context, username: str, password: str = PASSWORD_OPTION) -> None:
    """Set a user's password (signs them out everywhere)."""
    _check_password(password)
    with database(settings_from(ctx)) as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            fail(f"No user named '{username}'; see `llmore users list`.")
            return
        auth_service.set_password(session, user_id=user.id, password=password)
        console.print(f"[green]Password of {username} changed; their sessions were signed out.[/]")
