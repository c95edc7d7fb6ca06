"""``llmore data``: import, inspect, report on, clean, augment, split and export datasets."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
import yaml
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from llmore.auth.service import Principal
from llmore.cli.common import AS_USER, acting_user, console, database, fail, settings_from
from llmore.cli.jobs import follow_progress
from llmore.datasets import exporting, previews
from llmore.datasets import service as data_service
from llmore.datasets.models import Dataset, DatasetVersion
from llmore.datasets.schemas import DatasetCreate, SplitRequest
from llmore.jobs import service as jobs_service
from llmore.settings import Settings

app = typer.Typer(help="Datasets and their versions.", no_args_is_help=True)

VERSION = typer.Option(None, "--version", "-v", help="Version number; the newest if omitted.")
WAIT = typer.Option(True, help="Follow the job's progress until it ends.")


def _dataset(session: Session, principal: Principal, name: str) -> Dataset:
    dataset = session.scalar(select(Dataset).where(Dataset.name == name))
    if dataset is None:
        fail(f"No dataset named '{name}'; see `llmore data list`.")
    return data_service.get_dataset(session, dataset_id=dataset.id, principal=principal)


def _version(session: Session, dataset: Dataset, number: int | None) -> DatasetVersion:
    if not dataset.latest_version:
        fail(f"Dataset '{dataset.name}' has no data yet; import a file with `llmore data import`.")
    return data_service.get_version(session, dataset=dataset, number=number or dataset.latest_version)


def _target(session: Session, as_user: str, name: str, number: int | None) -> tuple[DatasetVersion, dict[str, int]]:
    """The version a command works on and the job parameters that address it."""
    dataset = _dataset(session, acting_user(session, as_user), name)
    version = _version(session, dataset, number)
    return version, {"dataset_id": dataset.id, "number": version.number}


def _run(settings: Settings, kind: str, name: str, params: dict[str, Any], wait: bool) -> None:
    with database(settings) as session:
        job_id = jobs_service.submit_job(session, kind=kind, name=name, params=params).id
    console.print(f"Queued job {job_id}: {name}")
    if wait and follow_progress(settings, job_id) != "succeeded":
        fail(f"Job {job_id} did not succeed; see `llmore jobs logs {job_id}`.")


def _load(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        fail(f"Cannot read {path}: {exc}")


@app.command("list")
def list_datasets(ctx: typer.Context, as_user: str = AS_USER) -> None:
    """List datasets with their newest version."""
    with database(settings_from(ctx)) as session:
        principal = acting_user(session, as_user)
        from llmore.pagination import MAX_PAGE_SIZE, PageParams

        datasets, total = data_service.list_datasets(
            session, PageParams(page_size=MAX_PAGE_SIZE, sort="name"), principal=principal
        )
        latest = data_service.latest_versions(session, datasets)
        table = Table("id", "name", "versions", "schema", "rows", "visibility", title=f"{total} datasets")
        for d in datasets:
            version = latest.get(d.id)
            table.add_row(
                str(d.id),
                d.name,
                str(d.latest_version),
                version.data_schema if version else "—",
                str(version.row_count) if version else "0",
                d.visibility,
            )
        console.print(table)


@app.command("import")
def import_file(
    ctx: typer.Context,
    name: str = typer.Argument(help="Dataset name; created when it does not exist."),
    file: Path = typer.Argument(exists=True, dir_okay=False, readable=True),
    file_format: str | None = typer.Option(None, "--format", help="jsonl, json, csv, tsv, parquet, txt."),
    source_schema: str | None = typer.Option(None, "--schema", help="alpaca, sharegpt, openai, ..."),
    on_invalid: str = typer.Option("drop", help="drop: skip invalid rows and report them; stop: fail."),
    as_user: str = AS_USER,
    wait: bool = WAIT,
) -> None:
    """Import a file on this machine as the dataset's next version."""
    settings = settings_from(ctx)
    with database(settings) as session:
        principal = acting_user(session, as_user)
        dataset = session.scalar(select(Dataset).where(Dataset.name == name))
        if dataset is None:
            dataset = data_service.create_dataset(session, principal=principal, **DatasetCreate(name=name).model_dump())
            console.print(f"Created dataset {name}.")
        dataset_id = dataset.id
    _run(
        settings,
        "datasets.import",
        f"Import {file.name}",
        {
            "dataset_id": dataset_id,
            "source": "path",
            "location": str(file.resolve()),
            "filename": file.name,
            "file_format": file_format,
            "source_schema": source_schema,
            "on_invalid": on_invalid,
        },
        wait,
    )


@app.command("show")
def show(ctx: typer.Context, name: str, as_user: str = AS_USER) -> None:
    """Show a dataset's versions and lineage."""
    with database(settings_from(ctx)) as session:
        dataset = _dataset(session, acting_user(session, as_user), name)
        table = Table(
            "version",
            "operation",
            "schema",
            "rows",
            "diff",
            "parent",
            "created",
            title=f"{dataset.name}: {dataset.description or 'no description'}",
        )
        numbers = {v.id: v.number for v in data_service.list_versions(session, dataset=dataset)}
        for v in data_service.list_versions(session, dataset=dataset):
            diff = f"+{v.diff.get('added', 0)} -{v.diff.get('removed', 0)} ~{v.diff.get('changed', 0)}"
            table.add_row(
                str(v.number),
                v.operation,
                v.data_schema,
                str(v.row_count),
                diff,
                str(numbers.get(v.parent_id, "—")),
                v.created_at.strftime("%Y-%m-%d %H:%M"),
            )
        console.print(table)


@app.command("report")
def report(
    ctx: typer.Context, name: str, version: int | None = VERSION, as_user: str = AS_USER, wait: bool = WAIT
) -> None:
    """Compute a version's quality report and print its top problems."""
    settings = settings_from(ctx)
    with database(settings) as session:
        _, ids = _target(session, as_user, name, version)
    _run(settings, "datasets.report", f"Quality report {name} v{ids['number']}", ids, wait)
    if wait:
        with database(settings) as session:
            stored = data_service.latest_report(session, version=_target(session, as_user, name, ids["number"])[0])
            document = data_service.report_document(settings, stored)
        console.print(f"score [bold]{document['score']}[/]")
        for problem in document.get("problems", [])[:10]:
            console.print(f"- [{problem.get('severity')}] {problem.get('title')}: {problem.get('advice_en')}")


@app.command("clean")
def clean(
    ctx: typer.Context,
    name: str,
    rules: Path = typer.Option(..., exists=True, help="YAML or JSON list of rules, e.g. - rule: strip_html"),
    version: int | None = VERSION,
    preview: bool = typer.Option(False, help="Only show what the rules would change."),
    as_user: str = AS_USER,
    wait: bool = WAIT,
) -> None:
    """Clean a version into a new version (or preview the change)."""
    settings = settings_from(ctx)
    rule_list = _load(rules)
    with database(settings) as session:
        target, ids = _target(session, as_user, name, version)
        if preview:
            console.print_json(json.dumps(previews.preview_cleaning(settings, target, rule_list)))
            return
        previews.check_rules(rule_list)
    _run(settings, "datasets.clean", f"Clean {name} v{ids['number']}", {**ids, "rules": rule_list}, wait)


@app.command("augment")
def augment(
    ctx: typer.Context,
    name: str,
    methods: Path = typer.Option(..., exists=True, help="YAML or JSON list of methods, e.g. - method: random_swap"),
    seed: int = typer.Option(0),
    version: int | None = VERSION,
    as_user: str = AS_USER,
    wait: bool = WAIT,
) -> None:
    """Augment a version into a new version."""
    settings = settings_from(ctx)
    method_list = _load(methods)
    with database(settings) as session:
        _, ids = _target(session, as_user, name, version)
        previews.check_methods(method_list)
    _run(
        settings,
        "datasets.augment",
        f"Augment {name} v{ids['number']}",
        {**ids, "methods": method_list, "seed": seed},
        wait,
    )


@app.command("split")
def split(
    ctx: typer.Context,
    name: str,
    train: float = typer.Option(0.8),
    dev: float = typer.Option(0.1),
    test: float = typer.Option(0.1),
    seed: int = typer.Option(42),
    stratify: bool = typer.Option(True),
    version: int | None = VERSION,
    as_user: str = AS_USER,
    wait: bool = WAIT,
) -> None:
    """Split a version into train/dev/test (a new version)."""
    settings = settings_from(ctx)
    request = SplitRequest(train=train, dev=dev, test=test, seed=seed, stratify=stratify)
    with database(settings) as session:
        _, ids = _target(session, as_user, name, version)
    _run(settings, "datasets.split", f"Split {name} v{ids['number']}", {**ids, **request.model_dump()}, wait)


@app.command("export")
def export(
    ctx: typer.Context,
    name: str,
    output: Path,
    version: int | None = VERSION,
    file_format: str = typer.Option("jsonl", "--format", help="jsonl, json, csv or parquet."),
    target_schema: str = typer.Option("canonical", "--schema", help="canonical, alpaca, sharegpt, openai, ..."),
    split_name: str | None = typer.Option(None, "--split", help="Only rows of this split."),
    as_user: str = AS_USER,
) -> None:
    """Write a version to OUTPUT in the chosen format and schema."""
    settings = settings_from(ctx)
    with database(settings) as session:
        target, _ = _target(session, as_user, name, version)
        with console.status(f"Exporting {name} v{target.number}…"):
            exporting.export_version(
                settings, target, output, file_format=file_format, target_schema=target_schema, split=split_name
            )
    console.print(f"Wrote {output} ({output.stat().st_size} bytes).")
