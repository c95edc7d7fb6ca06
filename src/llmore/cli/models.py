"""``llmore models``: list, show, import, move through the lifecycle, alias, merge, convert and export models."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from llmore.cli.common import AS_USER, acting_user, console, database, fail, settings_from
from llmore.cli.jobs import follow_progress
from llmore.errors import NotFound
from llmore.jobs import service as jobs_service
from llmore.jobs.models import Job
from llmore.models import service as registry
from llmore.models.lifecycle import Kind, State
from llmore.models.models import ModelVersion
from llmore.models.schemas import ModelImportSource, Task
from llmore.pagination import MAX_PAGE_SIZE, PageParams
from llmore.settings import Settings

app = typer.Typer(help="The model registry: models, versions, lifecycle, aliases.", no_args_is_help=True)

WAIT = typer.Option(True, help="Follow the job's progress until it ends.")
REF = typer.Argument(help="A version: name (newest approved/deployed), name:N or name@alias.")
STATE_COLOURS = {"approved": "green", "deployed": "bold green", "rejected": "red", "retired": "dim"}


def _run(settings: Settings, kind: str, name: str, params: dict[str, Any], wait: bool, as_user: str) -> None:
    with database(settings) as session:
        acting_user(session, as_user)
        job_id = jobs_service.submit_job(session, kind=kind, name=name, params=params).id
    console.print(f"Queued job {job_id}: {name}")
    if not wait:
        return
    if follow_progress(settings, job_id) != "succeeded":
        fail(f"Job {job_id} did not succeed; see `llmore jobs logs {job_id}`.")
    with database(settings) as session:
        job = session.get(Job, job_id)
        result = job.result if job is not None else {}
    if result.get("reference"):
        console.print(f"Registered [bold]{result['reference']}[/] at {result.get('path')}")
    elif result.get("path"):
        console.print(f"Wrote {result['path']}")


def _state(state: str) -> str:
    colour = STATE_COLOURS.get(state)
    return f"[{colour}]{state}[/]" if colour else state


def _size(size: int) -> str:
    return f"{size / 1e9:.2f} GB" if size >= 1e9 else f"{size / 1e6:.1f} MB"


@app.command("list")
def list_models(
    ctx: typer.Context,
    q: str | None = typer.Option(None, help="Text in the name or description."),
    task: Task | None = typer.Option(None),
    state: State | None = typer.Option(None, help="Only models with a version in this state."),
) -> None:
    """List models with their newest version."""
    with database(settings_from(ctx)) as session:
        models, total = registry.list_models(
            session,
            PageParams(page_size=MAX_PAGE_SIZE, sort="name"),
            q=q,
            task=task.value if task else None,
            state=state.value if state else None,
        )
        aliases = registry.aliases_by_model(session, [m.id for m in models])
        table = Table("id", "name", "task", "versions", "newest", "aliases", title=f"{total} models")
        for model in models:
            newest = "—"
            if model.latest_version:
                version = registry.get_version(session, model=model, number=model.latest_version)
                newest = f"{version.number} {version.kind} {_state(version.state)}"
            shown = ", ".join(f"{a}→{n}" for a, n in sorted(aliases.get(model.id, {}).items())) or "—"
            table.add_row(str(model.id), model.name, model.task, str(model.latest_version), newest, shown)
        console.print(table)


@app.command("show")
def show(ctx: typer.Context, ref: str = REF) -> None:
    """Show a model's versions, or with name:N / name@alias one version's metadata and history."""
    with database(settings_from(ctx)) as session:
        if ":" in ref or "@" in ref:
            _show_version(session, registry.resolve_reference(session, ref))
            return
        model = registry.get_model_by_name(session, ref)
        aliases = registry.aliases_by_model(session, [model.id])[model.id]
        table = Table(
            "version",
            "kind",
            "state",
            "format",
            "parameters",
            "size",
            "base",
            "aliases",
            "path",
            title=f"{model.name} ({model.task}): {model.description or 'no description'}",
        )
        for v in registry.list_versions(session, model=model):
            base = (
                registry.reference(registry.get_version_by_id(session, v.base_version_id)) if v.base_version_id else "—"
            )
            table.add_row(
                str(v.number),
                v.kind,
                _state(v.state),
                v.format,
                f"{v.parameter_count or '?'}",
                _size(v.size_bytes),
                base,
                ", ".join(a for a, n in aliases.items() if n == v.number),
                v.path,
            )
        console.print(table)


def _show_version(session: Session, version: ModelVersion) -> None:
    table = Table("field", "value", title=registry.reference(version), show_header=False)
    for name in (
        "kind",
        "state",
        "path",
        "uri",
        "storage",
        "format",
        "architecture",
        "parameter_count",
        "context_length",
        "has_chat_template",
        "dtype",
        "license",
        "train_framework",
        "inference_framework",
        "size_bytes",
        "base_version_id",
        "parent_id",
        "source",
        "tags",
    ):
        table.add_row(name, str(getattr(version, name)))
    console.print(table)
    history = Table("at", "from", "to", "by", "forced", "reason", title="history")
    for entry in registry.history(session, version=version):
        history.add_row(
            entry.created_at.strftime("%Y-%m-%d %H:%M:%S"),
            entry.from_state or "—",
            entry.to_state,
            str(entry.created_by or "LLMore"),
            "yes" if entry.forced else "",
            entry.reason,
        )
    console.print(history)


@app.command("import")
def import_model(
    ctx: typer.Context,
    name: str = typer.Argument(help="Model name; created when it does not exist."),
    location: str = typer.Argument(help="A folder or .gguf file on this machine, or a Hugging Face/ModelScope id."),
    source: ModelImportSource | None = typer.Option(
        None, help="Detected: path or gguf when LOCATION exists, else huggingface."
    ),
    copy: bool = typer.Option(False, help="Copy the files into LLMore's store (a job) instead of pointing at them."),
    base: str | None = typer.Option(None, help="An adapter's base (name, name:N, name@alias); detected if omitted."),
    revision: str | None = typer.Option(None, help="Hub branch, tag or commit."),
    task: Task = typer.Option(Task.CHAT, help="Task of a newly created model."),
    description: str = typer.Option(""),
    as_user: str = AS_USER,
    wait: bool = WAIT,
) -> None:
    """Register a model folder, GGUF file or hub repository as the model's next version."""
    settings = settings_from(ctx)
    local = Path(location).expanduser()
    if source is None:
        source = (
            (ModelImportSource.GGUF if local.suffix.lower() == ".gguf" else ModelImportSource.PATH)
            if local.exists()
            else ModelImportSource.HUGGINGFACE
        )
    is_local = source in (ModelImportSource.PATH, ModelImportSource.GGUF)
    with database(settings) as session:
        principal = acting_user(session, as_user)
        try:
            model = registry.get_model_by_name(session, name)
        except NotFound:
            model = registry.create_model(session, principal=principal, name=name, task=task.value)
            console.print(f"Created model {name}.")
        model_id = model.id
        if is_local and not copy:
            version = registry.register_reference(
                session,
                model=model,
                path=local.resolve(),
                source_kind=source.value,
                base=base,
                description=description,
                actor_id=principal.user_id,
            )
            console.print(
                f"Registered [bold]{registry.reference(version)}[/] ({version.kind}, "
                f"{version.parameter_count or '?'} parameters) in place at {version.path}"
            )
            return
    _run(
        settings,
        "models.import",
        f"Import {location[-80:]} into {name}",
        {
            "model_id": model_id,
            "source": source.value,
            "location": str(local.resolve()) if is_local else location,
            "revision": revision,
            "base": base,
            "description": description,
        },
        wait,
        as_user,
    )


@app.command("transition")
def transition(
    ctx: typer.Context,
    ref: str = REF,
    to: State = typer.Argument(help="The new state."),
    reason: str = typer.Option("", help="Why; kept in the version's history."),
    force: bool = typer.Option(False, help="Admins: override the lifecycle rules (logged)."),
    as_user: str = AS_USER,
) -> None:
    """Move a version through its lifecycle (registered → … → approved → deployed → retired)."""
    settings = settings_from(ctx)
    with database(settings) as session:
        principal = acting_user(session, as_user)
        version = registry.resolve_reference(session, ref)
        entry = registry.transition(
            session,
            version=version,
            to=to,
            reason=reason,
            force=force,
            principal=principal,
            require_approval=settings.require_approval_to_deploy,
        )
        console.print(
            f"{registry.reference(version)}: {entry.from_state} → {_state(entry.to_state)}"
            + (" [yellow](forced)[/]" if entry.forced else "")
        )


@app.command("alias")
def alias(
    ctx: typer.Context,
    name: str = typer.Argument(help="Model name."),
    alias_name: str = typer.Argument(metavar="ALIAS", help="e.g. prod, staging."),
    number: int | None = typer.Argument(None, help="Version the alias points at."),
    remove: bool = typer.Option(False, help="Remove the alias instead."),
    as_user: str = AS_USER,
) -> None:
    """Point ALIAS at version NUMBER of a model (name@ALIAS then resolves to it), or remove it."""
    with database(settings_from(ctx)) as session:
        acting_user(session, as_user)
        model = registry.get_model_by_name(session, name)
        if remove:
            registry.remove_alias(session, model=model, alias=alias_name)
            console.print(f"Removed {name}@{alias_name}.")
            return
        if number is None:
            fail("Give the version number the alias points at, or --remove.")
            return
        registry.set_alias(session, model=model, alias=alias_name, number=number)
        console.print(f"{name}@{alias_name} → version {number}")


def _version_ids(settings: Settings, ref: str) -> dict[str, int]:
    """The job parameters addressing the version ``ref`` names."""
    with database(settings) as session:
        version = registry.resolve_reference(session, ref)
        return {"model_id": version.model_id, "number": version.number}


@app.command("merge")
def merge(
    ctx: typer.Context,
    ref: str = REF,
    into: str | None = typer.Option(
        None, help="Model that receives the merged version (created if missing); default: the adapter's model."
    ),
    as_user: str = AS_USER,
    wait: bool = WAIT,
) -> None:
    """Merge an adapter version into its base: a new version of kind merged."""
    settings = settings_from(ctx)
    with database(settings) as session:
        principal = acting_user(session, as_user)
        version = registry.resolve_reference(session, ref)
        if version.kind != Kind.ADAPTER:
            fail(f"{registry.reference(version)} is a {version.kind} version; only adapters can be merged.")
        target_id = version.model_id
        if into:
            try:
                target_id = registry.get_model_by_name(session, into).id
            except NotFound:
                target_id = registry.create_model(session, principal=principal, name=into, task=version.model.task).id
        label, params = (
            registry.reference(version),
            {"model_id": version.model_id, "number": version.number, "target_model_id": target_id},
        )
    _run(settings, "models.merge", f"Merge {label}", params, wait, as_user)


@app.command("convert")
def convert(ctx: typer.Context, ref: str = REF, as_user: str = AS_USER, wait: bool = WAIT) -> None:
    """De-quantize a GGUF version into a safetensors version (for training and the transformers engine)."""
    settings = settings_from(ctx)
    params = _version_ids(settings, ref)
    _run(settings, "models.convert_gguf", f"Convert {ref}", params, wait, as_user)


@app.command("export")
def export(
    ctx: typer.Context,
    ref: str = REF,
    export_format: str = typer.Option("tar", "--format", help="tar or folder."),
    as_user: str = AS_USER,
    wait: bool = WAIT,
) -> None:
    """Write a version's files to $LLMORE_HOME/exports as a tar archive or a folder."""
    settings = settings_from(ctx)
    params = _version_ids(settings, ref)
    _run(settings, "models.export", f"Export {ref}", {**params, "format": export_format}, wait, as_user)
