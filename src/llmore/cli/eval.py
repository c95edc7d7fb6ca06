"""``llmore eval``: score predictions with the evaluation metrics (no server or database needed)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from llmore.cli.common import console, fail
from llmore.errors import AppError
from llmore.evaluation import metrics
from llmore.evaluation.metrics.tokenize import ChineseTokenization

app = typer.Typer(help="Evaluation: metrics over predictions and references.", no_args_is_help=True)


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
