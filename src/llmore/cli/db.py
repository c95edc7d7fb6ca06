"""``llmore db``: apply and inspect migrations."""

from __future__ import annotations

import typer

from llmore.cli.common import console, settings_from
from llmore.db.engine import make_engine
from llmore.db.migrate import current_revision, head_revision, upgrade

app = typer.Typer(help="Database migrations.", no_args_is_help=True)


@app.command("upgrade")
def upgrade_command(ctx: typer.Context, revision: str = typer.Argument("head")) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    settings = settings_from(ctx)
    with console.status("Applying migrations…"):
        upgrade(settings.effective_database_url, revision)
    console.print(f"[green]Database is at revision {revision}.[/]")


@app.command("current")
def current_command(ctx: typer.Context) -> None:
    """Show the database's revision and the newest one this code ships."""
    settings = settings_from(ctx)
    engine = make_engine(settings.effective_database_url)
    try:
        current = current_revision(engine)
    finally:
        engine.dispose()
    console.print(f"database: {current or '(empty)'}   code: {head_revision(settings.effective_database_url)}")
