"""``llmore jobs``: submit, list, inspect, follow and cancel jobs."""

from __future__ import annotations

import json
import time
from typing import Any

import typer
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn
from rich.table import Table

from llmore.cli.common import console, database, fail, settings_from
from llmore.db.crud import get_or_404
from llmore.jobs import service as jobs_service
from llmore.jobs.dispatcher import dispatcher_alive
from llmore.jobs.models import Job
from llmore.jobs.states import TERMINAL, JobState
from llmore.pagination import PageParams
from llmore.settings import Settings

app = typer.Typer(help="Jobs: every long operation.", no_args_is_help=True)

STATE_COLOURS = {"queued": "yellow", "running": "cyan", "succeeded": "green", "failed": "red", "cancelled": "dim"}
POLL_SECONDS = 0.5


def _parse_param(text: str) -> tuple[str, Any]:
    key, sep, raw = text.partition("=")
    if not sep or not key:
        fail(f"Parameter '{text}' is not KEY=VALUE (e.g. -p steps=10).")
    try:
        return key, json.loads(raw)
    except json.JSONDecodeError:
        return key, raw  # plain strings need no quotes


@app.command("submit")
def submit(
    ctx: typer.Context,
    kind: str,
    param: list[str] = typer.Option([], "--param", "-p", help="KEY=VALUE; values are JSON when they parse."),
    name: str = typer.Option("", help="A name to find the job by."),
    wait: bool = typer.Option(False, help="Follow the job's progress until it ends."),
) -> None:
    """Queue a job of KIND."""
    settings = settings_from(ctx)
    with database(settings) as session:
        job = jobs_service.submit_job(session, kind=kind, params=dict(_parse_param(p) for p in param), name=name)
        job_id = job.id
    console.print(f"Queued job {job_id} ({kind}).")
    if wait:
        follow_progress(settings_from(ctx), job_id)


@app.command("list")
def list_jobs(
    ctx: typer.Context,
    state: JobState | None = typer.Option(None, help="Only jobs in this state."),
    kind: str | None = typer.Option(None, help="Only jobs of this kind."),
    limit: int = typer.Option(20, min=1, max=200),
) -> None:
    """List the newest jobs."""
    with database(settings_from(ctx)) as session:
        jobs, total = jobs_service.list_jobs(session, PageParams(page_size=limit), state=state, kind=kind)
        table = Table("id", "kind", "name", "state", "progress", "created", title=f"{len(jobs)} of {total} jobs")
        for job in jobs:
            colour = STATE_COLOURS.get(job.state, "white")
            table.add_row(
                str(job.id),
                job.kind,
                job.name,
                f"[{colour}]{job.state}[/]",
                f"{job.progress:.0%}",
                job.created_at.strftime("%Y-%m-%d %H:%M:%S"),
            )
        console.print(table)


@app.command("show")
def show(ctx: typer.Context, job_id: int, wait: bool = typer.Option(False, help="Follow progress to the end.")) -> None:
    """Show one job; with --wait, a progress bar until it ends."""
    if wait:
        follow_progress(settings_from(ctx), job_id)
    with database(settings_from(ctx)) as session:
        job = get_or_404(session, Job, job_id)
        table = Table(show_header=False, box=None)
        for field in (
            "id",
            "kind",
            "name",
            "state",
            "progress",
            "progress_message",
            "eta_seconds",
            "attempts",
            "max_attempts",
            "started_at",
            "finished_at",
            "exit_code",
            "error",
        ):
            table.add_row(field, str(getattr(job, field)))
        table.add_row("params", json.dumps(job.params))
        table.add_row("result", json.dumps(job.result))
        console.print(table)


def follow_progress(settings: Settings, job_id: int) -> str:
    """Show a job's progress bar with ETA until it ends; returns its final state."""
    columns = (
        TextColumn("[bold]job {task.fields[job_id]}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeRemainingColumn(),
        TextColumn("{task.fields[message]}"),
    )
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("job", total=1.0, job_id=job_id, message="")
        while True:
            with database(settings) as session:
                job = get_or_404(session, Job, job_id)
                state, fraction, message = job.state, job.progress, job.progress_message or job.state
                if state == JobState.QUEUED and not dispatcher_alive(session):
                    message = "waiting: no dispatcher runs (start `llmore up` or `llmore dispatcher`)"
            progress.update(task, completed=fraction, message=message)
            if state in TERMINAL:
                break
            time.sleep(POLL_SECONDS)
    colour = STATE_COLOURS.get(state, "white")
    console.print(f"job {job_id} [{colour}]{state}[/]")
    return state


@app.command("logs")
def logs(ctx: typer.Context, job_id: int, follow: bool = typer.Option(False, "--follow", "-f")) -> None:
    """Print a job's log; with --follow, keep printing until the job ends."""
    settings = settings_from(ctx)
    offset = 0
    while True:
        with database(settings) as session:
            job = get_or_404(session, Job, job_id)
            text, offset, complete = jobs_service.read_log(settings, job, offset=offset)
        if text:
            console.out(text, end="", highlight=False)
        if complete or (not follow and not text):
            return
        if not text:
            time.sleep(POLL_SECONDS)


@app.command("cancel")
def cancel(ctx: typer.Context, job_id: int) -> None:
    """Cancel a queued or running job."""
    with database(settings_from(ctx)) as session:
        job = jobs_service.cancel_job(session, job_id=job_id)
        note = "cancelled" if job.state == JobState.CANCELLED else "asked to stop; the dispatcher terminates it"
        console.print(f"Job {job_id} {note}.")
