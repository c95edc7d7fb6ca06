"""The ``llmore`` command: server, dispatcher, database, users, jobs, configuration."""

from __future__ import annotations

import json
import os
import signal
import threading
from pathlib import Path
from types import FrameType

import typer
from rich.panel import Panel
from rich.table import Table

from llmore import __version__
from llmore.cli import data as data_cli
from llmore.cli import db as db_cli
from llmore.cli import engines as engines_cli
from llmore.cli import eval as eval_cli
from llmore.cli import jobs as jobs_cli
from llmore.cli import models as models_cli
from llmore.cli import serving as serving_cli
from llmore.cli import train as train_cli
from llmore.cli import users as users_cli
from llmore.cli.common import console, database, settings_from
from llmore.cli.demo import queue_demo_jobs

app = typer.Typer(
    help="LLMore: a self-hosted LLM platform. Start with `llmore up --demo`.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
config_app = typer.Typer(help="Configuration.", no_args_is_help=True)
app.add_typer(db_cli.app, name="db")
app.add_typer(users_cli.app, name="users")
app.add_typer(jobs_cli.app, name="jobs")
app.add_typer(data_cli.app, name="data")
app.add_typer(models_cli.app, name="models")
app.add_typer(engines_cli.app, name="engines")
app.add_typer(eval_cli.app, name="eval")
app.add_typer(config_app, name="config")
app.command()(serving_cli.worker)
app.command()(serving_cli.chat)
app.command()(train_cli.train)


@app.callback()
def main(
    ctx: typer.Context,
    home: Path | None = typer.Option(None, help="State folder (env LLMORE_HOME, default ~/.llmore)."),
    database_url: str | None = typer.Option(None, help="SQLAlchemy URL (env LLMORE_DATABASE_URL)."),
    storage_url: str | None = typer.Option(None, help="fsspec URL for artifacts (env LLMORE_STORAGE_URL)."),
) -> None:
    """Global flags win over environment variables and the config file."""
    if home is not None:
        # Exported so the config file under it and every job process see the same home.
        os.environ["LLMORE_HOME"] = str(home.expanduser().resolve())
    ctx.obj = {"home": home, "database_url": database_url, "storage_url": storage_url}


@app.command()
def version() -> None:
    """Print the LLMore version."""
    console.print(__version__)


@app.command()
def up(
    ctx: typer.Context,
    demo: bool = typer.Option(False, help="Also prepare the bundled small models so you can try everything."),
    host: str | None = typer.Option(None, help="Bind address (env LLMORE_HOST, default 127.0.0.1)."),
    port: int | None = typer.Option(None, help="Port (env LLMORE_PORT, default 8000)."),
) -> None:
    """Migrate the database, make sure an admin exists, and serve the API, console and dispatcher."""
    import uvicorn

    from llmore.auth.service import ensure_admin
    from llmore.db.migrate import upgrade
    from llmore.server import create_app

    settings = settings_from(ctx, host=host, port=port)
    settings.home.mkdir(parents=True, exist_ok=True)
    with console.status("Applying database migrations…"):
        upgrade(settings.effective_database_url)
    with database(settings) as session:
        generated = ensure_admin(session, password=settings.admin_password.get_secret_value() or None)
    if generated:
        console.print(
            Panel.fit(
                f"user: admin\none-time admin password: {generated}\n\n"
                "It is shown only now. Sign in and change it, or set another with "
                "`llmore users set-password admin`.",
                title="First start",
                border_style="yellow",
            )
        )
    if demo:
        queue_demo_jobs(settings)
    url = f"http://{settings.host}:{settings.port}"
    console.print(f"LLMore {__version__} serving on [bold]{url}[/] (API docs: {url}/docs)")
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info")


@app.command()
def dispatcher(ctx: typer.Context) -> None:
    """Run the job dispatcher alone (for deployments where API replicas don't dispatch)."""
    from llmore.db.engine import make_engine, make_session_factory
    from llmore.jobs.dispatcher import Dispatcher

    settings = settings_from(ctx)
    with database(settings):
        pass  # refuses an unmigrated database with an actionable message
    engine = make_engine(settings.effective_database_url)
    service = Dispatcher(settings, make_session_factory(engine))
    stop = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    console.print(f"dispatcher {service.holder} running; Ctrl-C stops it (running jobs keep running).")
    try:
        service.run_until(stop)
    finally:
        service.shutdown()
        engine.dispose()


@config_app.command("show")
def config_show(ctx: typer.Context, as_json: bool = typer.Option(False, "--json")) -> None:
    """Print the effective configuration, secrets masked."""
    values = settings_from(ctx).masked()
    if as_json:
        console.print_json(json.dumps(values, default=str))
        return
    table = Table("setting", "value", title="Effective configuration (flag > env > config file > default)")
    for name, value in values.items():
        table.add_row(name, str(value))
    console.print(table)


@app.command()
def openapi(
    ctx: typer.Context, output: Path | None = typer.Option(None, help="File to write; stdout if omitted.")
) -> None:
    """Write the API's OpenAPI schema (the console's TypeScript types are generated from it)."""
    from llmore.server import create_app

    schema = json.dumps(create_app(settings_from(ctx), run_dispatcher=False).openapi(), indent=1)
    if output is None:
        typer.echo(schema)
    else:
        output.write_text(schema)


if __name__ == "__main__":
    app()
