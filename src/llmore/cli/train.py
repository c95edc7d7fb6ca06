"""``llmore train RECIPE.yaml``: start a fine-tuning run described in a YAML file, or preview its advice.

Every mistake in the file is reported as ``file:line: field: message``: the YAML is composed into
nodes first so each field keeps the line it was written on.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NoReturn

import typer
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from llmore.auth.service import Principal
from llmore.cli.common import AS_USER, acting_user, console, database, fail, settings_from
from llmore.cli.jobs import follow_progress
from llmore.datasets import service as data_service
from llmore.datasets.models import Dataset
from llmore.errors import AppError
from llmore.jobs.models import Job
from llmore.training import service as training_service
from llmore.training.advisor import Method, Proposal, Recipe
from llmore.training.schemas import RunRequest


class DatasetChoice(BaseModel):
    """The dataset version to train on: by id or name, the newest version unless one is named."""

    model_config = ConfigDict(extra="forbid")

    id: int | None = Field(default=None, ge=1)
    name: str | None = Field(default=None, min_length=1)
    version: int | None = Field(default=None, ge=1)
    split: str | None = Field(default=None, pattern="^(train|dev|test)$")

    @model_validator(mode="after")
    def _one_way(self) -> DatasetChoice:
        if (self.id is None) == (self.name is None):
            raise ValueError("give either id or name")
        return self


class TrainingRecipe(BaseModel):
    """The fields of a recipe file."""

    model_config = ConfigDict(extra="forbid")

    base_model: str = Field(min_length=1)
    dataset: DatasetChoice
    recipe: Recipe = Recipe.SFT
    method: Method = Method.LORA
    overrides: dict[str, Any] = Field(default_factory=dict)
    max_steps: int | None = Field(default=None, ge=1)
    output_model: str | None = Field(default=None, min_length=1, max_length=200)
    auto_stop: bool = False
    merge: bool = False

    @field_validator("dataset", mode="before")
    @classmethod
    def _name_alone(cls, value: Any) -> Any:
        return {"name": value} if isinstance(value, str) else value


class RecipeFile:
    """A parsed recipe file that remembers on which line each field was written."""

    def __init__(self, path: Path):
        self.path = path
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            fail(f"Cannot read {path}: {exc}")
        try:
            root = yaml.compose(text, Loader=yaml.SafeLoader)
            self.data = yaml.safe_load(text)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark
            self.refuse(f"{exc.problem} {exc.context or ''}".strip(), line=mark.line + 1 if mark else None)
        if not isinstance(root, yaml.MappingNode) or not isinstance(self.data, dict):
            self.refuse("a recipe is a mapping of fields (base_model: …, dataset: …); see examples/train-sft.yaml",
                        line=1)
        self.lines: dict[str, int] = {}
        self._remember(root, "")

    def _remember(self, node: yaml.Node, prefix: str) -> None:
        if not isinstance(node, yaml.MappingNode):
            return
        for key, value in node.value:
            name = f"{prefix}{key.value}"
            self.lines[name] = key.start_mark.line + 1
            self._remember(value, f"{name}.")

    def line_of(self, field: str) -> int | None:
        """The line of ``field`` (dotted), else of its nearest written parent."""
        parts = field.split(".")
        while parts:
            line = self.lines.get(".".join(parts))
            if line is not None:
                return line
            parts.pop()
        return None

    def refuse(self, message: str, *, field: str | None = None, line: int | None = None) -> NoReturn:
        self.refuse_all([(field, message)], line=line)

    def refuse_all(self, problems: list[tuple[str | None, str]], *, line: int | None = None) -> NoReturn:
        """Print every problem as ``file:line: field: message`` and exit non-zero."""
        rendered = []
        for field, message in problems:
            where = line if field is None else self.line_of(field) or line
            place = f"{self.path}:{where}" if where else str(self.path)
            rendered.append(f"{place}: {field + ': ' if field else ''}{message}")
        fail("\n".join(rendered))

    def validated(self) -> TrainingRecipe:
        try:
            return TrainingRecipe.model_validate(self.data)
        except ValidationError as exc:
            self.refuse_all([(".".join(str(p) for p in err["loc"]) or None, err["msg"]) for err in exc.errors()],
                            line=1)


def _dataset_version(session: Session, recipe: TrainingRecipe, file: RecipeFile,
                     principal: Principal) -> tuple[int, int]:
    """(dataset id, version number) the recipe names, refused with its line when unknown."""
    choice = recipe.dataset
    dataset_id = choice.id
    if choice.name is not None:
        dataset_id = session.scalar(select(Dataset.id).where(Dataset.name == choice.name))
        if dataset_id is None:
            file.refuse(f"no dataset named '{choice.name}'; see `llmore data list`", field="dataset.name")
    assert dataset_id is not None
    try:
        dataset = data_service.get_dataset(session, dataset_id=dataset_id, principal=principal)
    except AppError as exc:
        file.refuse(exc.message, field="dataset.id")
    if not dataset.latest_version:
        file.refuse(f"dataset '{dataset.name}' has no data yet; import a file with `llmore data import`",
                    field="dataset")
    number = choice.version or dataset.latest_version
    if number > dataset.latest_version:
        file.refuse(f"dataset '{dataset.name}' has no version {number} (latest is {dataset.latest_version})",
                    field="dataset.version")
    return dataset.id, number


def _recipe_field(field: str, recipe: TrainingRecipe) -> str:
    """Where a field of the training service's answer was written in the recipe file."""
    name = field.removeprefix("body.")
    if name in ("dataset_id", "number", "split"):
        return {"dataset_id": "dataset", "number": "dataset.version", "split": "dataset.split"}[name]
    if name in TrainingRecipe.model_fields:
        return name
    return f"overrides.{name}" if name in recipe.overrides else name


def _show_proposal(proposal: Proposal) -> None:
    table = Table("setting", "value", "why", title=f"{proposal.recipe.value} · {proposal.method.value}: the advice")
    for name, choice in proposal.choices.items():
        table.add_row(name, str(choice.value), choice.reason)
    console.print(table)
    estimate = proposal.estimate
    console.print(f"estimate: {estimate.steps} steps, about {estimate.seconds / 60:.1f} min, peak memory "
                  f"{estimate.peak_memory_gb:.2f} of {estimate.available_memory_gb:.1f} GB, "
                  f"{estimate.trainable_parameters:,} trainable parameters")
    if proposal.launch:
        console.print(f"launch: {proposal.launch.summary}")


def train(
    ctx: typer.Context,
    recipe_file: Path = typer.Argument(..., metavar="RECIPE.yaml", help="The run: base_model, dataset, recipe, …"),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show the advice with reasons; start nothing."),
    wait: bool = typer.Option(False, help="Follow the run's progress until it ends."),
    as_user: str = AS_USER,
) -> None:
    """Fine-tune as RECIPE.yaml describes (see examples/train-sft.yaml); --dry-run previews the advice."""
    file = RecipeFile(recipe_file)
    recipe = file.validated()
    settings = settings_from(ctx)
    with database(settings) as session:
        principal = acting_user(session, as_user)
        dataset_id, number = _dataset_version(session, recipe, file, principal)
        request = RunRequest(**recipe.model_dump(exclude={"dataset"}), dataset_id=dataset_id, number=number,
                             split=recipe.dataset.split)
        try:
            proposal = training_service.advise(settings, session, principal, request)
            if dry_run:
                _show_proposal(proposal)
                problems = proposal.problems
            else:
                job: Job = training_service.start(settings, session, principal, request)
                job_id, problems = job.id, []
        except AppError as exc:
            details = exc.details or [{"message": exc.message}]
            file.refuse_all([(_recipe_field(str(d["field"]), recipe) if d.get("field") else None,
                              str(d.get("message", exc.message))) for d in details], line=1)
    if problems:
        file.refuse_all([(_recipe_field(p["field"], recipe), p["message"]) for p in problems], line=1)
    if dry_run:
        console.print("The run is possible; start it without --dry-run.")
        return
    console.print(f"Queued job {job_id}: {request.recipe.value} on dataset {dataset_id} v{number}. "
                  f"Follow it with `llmore jobs show {job_id} --wait`.")
    if wait and follow_progress(settings, job_id) != "succeeded":
        fail(f"Job {job_id} did not succeed; see `llmore jobs logs {job_id}`.")
    if wait:
        with database(settings) as session:
            finished = session.get(Job, job_id)
            assert finished is not None
            console.print(f"Registered {finished.result.get('model')}.")
