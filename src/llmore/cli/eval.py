"""``llmore eval``: score predictions with the metrics (no database needed), and start, show and export eval runs."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import typer
from pydantic import ValidationError
from rich.table import Table

from llmore.cli.common import AS_USER, acting_user, console, database, fail, settings_from
from llmore.cli.jobs import follow_progress
from llmore.cli.train import RecipeFile
from llmore.errors import AppError
from llmore.evaluation import metrics
from llmore.evaluation.gates import cli as gate_cli
from llmore.evaluation.metrics.tokenize import ChineseTokenization
from llmore.evaluation.runs import service as runs_service
from llmore.evaluation.runs.export import RecordFormat, render
from llmore.evaluation.runs.schemas import EvalRunOut, EvalRunRequest

app = typer.Typer(help="Evaluation: metrics over predictions and references, and evaluation runs.",
                  no_args_is_help=True)
app.add_typer(gate_cli.app, name="gate")


def _read_pairs(path: Path) -> tuple[list[str], list[list[str]]]:
    """Predictions and references from JSON lines ``{"prediction", "references" | "reference"}``."""
    if not path.is_file():
        fail(f"No file {path}; give a JSONL file with one {{\"prediction\", \"references\"}} object a line.")
    predictions, references = [], []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                row: Any = json.loads(line)
            except json.JSONDecodeError as exc:
                fail(f"{path}:{number}: not JSON ({exc.msg} at column {exc.colno}).")
            refs = row.get("references", row.get("reference")) if isinstance(row, dict) else None
            refs = [refs] if isinstance(refs, str) else refs
            if not isinstance(row, dict) or not isinstance(row.get("prediction"), str) or not (
                isinstance(refs, list) and all(isinstance(r, str) for r in refs)
            ):
                fail(f"{path}:{number}: expected {{\"prediction\": text, \"references\": [text, ...]}} "
                     "(or \"reference\": text).")
            predictions.append(row["prediction"])
            references.append(refs)
    if not predictions:
        fail(f"{path} holds no examples; add one JSON object a line.")
    return predictions, references


@app.command("metrics")
def metrics_command(
    prediction: str | None = typer.Option(None, "--prediction", "-p", help="One prediction to score."),
    reference: list[str] = typer.Option([], "--reference", "-r", help="Its reference (repeat for several)."),
    file: Path | None = typer.Option(None, "--file", "-f", help="JSONL of {prediction, references} to score."),
    metric: list[str] = typer.Option(list(metrics.TEXT_METRICS), "--metric", "-m",
                                     help=f"Metric to compute (repeat); known: {', '.join(metrics.METRIC_NAMES)}."),
    chinese: ChineseTokenization = typer.Option(ChineseTokenization.JIEBA, help="How Chinese text is tokenised."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON (with per-example scores for a file)."),
) -> None:
    """Score one prediction against its references, or a whole JSONL file (corpus scores)."""
    if (prediction is None) == (file is None):
        fail("Give either --prediction with --reference, or --file.")
    predictions, references = _read_pairs(file) if file else ([prediction or ""], [reference])
    try:
        results = metrics.compute(metric, predictions, references, chinese=chinese, workers=2 if file else 1)
    except AppError as exc:
        fail(exc.message + "".join(f"\n  {d.get('field', '')}: {d.get('message', '')}" for d in exc.details))
    if as_json:
        console.print_json(json.dumps({
            name: {"score": r.score, **({"per_example": r.per_example} if file else {})} for name, r in results.items()
        }))
        return
    table = Table("metric", "score", title=f"{len(predictions)} example(s), Chinese by {chinese.value}")
    for name, result in results.items():
        table.add_row(name, f"{result.score:.4f}")
    console.print(table)


def _config_field(field: str) -> str:
    """Where an API field (``body.task.metrics``, ``body.models[1]``) sits in the config file."""
    return re.sub(r"\[\d+\]", "", field.removeprefix("body."))


@app.command("run")
def run_command(
    ctx: typer.Context,
    config_file: Path = typer.Argument(..., metavar="CONFIG.yaml", help="models, task and/or suite, generation."),
    wait: bool = typer.Option(False, help="Follow the run's progress and show its scores when it ends."),
    as_user: str = AS_USER,
) -> None:
    """Start an evaluation run as CONFIG.yaml describes (the fields of POST /api/evaluation/runs)."""
    file = RecipeFile(config_file)
    try:
        request = EvalRunRequest.model_validate(file.data)
    except ValidationError as exc:
        file.refuse_all([(".".join(str(p) for p in err["loc"] if not isinstance(p, int)) or None, err["msg"])
                         for err in exc.errors()], line=1)
    settings = settings_from(ctx)
    with database(settings) as session:
        principal = acting_user(session, as_user)
        try:
            run = runs_service.create_run(settings, session, principal, request)
        except AppError as exc:
            details = exc.details or [{"message": exc.message}]
            file.refuse_all([(_config_field(str(d["field"])) if d.get("field") else None,
                              f"{exc.message} ({d.get('message', '')})") for d in details], line=1)
        run_id, job_id = run.id, run.job_id
    console.print(f"Queued evaluation run {run_id} (job {job_id}). Follow it with `llmore jobs show {job_id} "
                  f"--wait`; read it with `llmore eval show {run_id}`.")
    if wait:
        state = follow_progress(settings, job_id)
        _show(settings_from(ctx), run_id)
        if state != "succeeded":
            fail(f"Evaluation run {run_id} did not succeed; see `llmore jobs logs {job_id}`.")


def _show(settings: Any, run_id: int) -> EvalRunOut:
    with database(settings) as session:
        try:
            run = runs_service.get_run(session, run_id)
        except AppError as exc:
            fail(exc.message)
    console.print(f"[bold]{run.name}[/] · run {run.id} · job {run.job_id} {run.state} · baseline {run.baseline}")
    for title, values in (("metrics", run.summary), ("dimensions (0-100)", run.dimensions)):
        names = list(dict.fromkeys(name for per_model in values.values() for name in per_model))
        if not names:
            continue
        table = Table("model", *names, title=title)
        for model in run.models:
            row = values.get(model.label, {})
            table.add_row(model.label, *(f"{row[n]:.4f}" if n in row else "-" for n in names))
        console.print(table)
    return run


@app.command("show")
def show_command(ctx: typer.Context, run_id: int) -> None:
    """An evaluation run's state, metrics per model and suite dimensions per model."""
    _show(settings_from(ctx), run_id)


@app.command("export")
def export_command(
    ctx: typer.Context,
    run_id: int,
    format: RecordFormat = typer.Option(RecordFormat.JSONL, "--format", help="jsonl or csv."),
    output: Path | None = typer.Option(None, "--output", "-o", help="File to write; default standard output."),
    model: str | None = typer.Option(None, help="Only this model's records (name:N)."),
) -> None:
    """Every record of an evaluation run (input, reference, output, scores) as JSON lines or CSV."""
    with database(settings_from(ctx)) as session:
        try:
            records = runs_service.iter_records(session, run_id, runs_service.RecordFilter(model=model))
            text = render(records, format)
        except AppError as exc:
            fail(exc.message)
    if output is None:
        typer.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8")
    console.print(f"Wrote {len(records)} records to {output}.")
