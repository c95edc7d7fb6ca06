"""What a run asks every model: task items from a dataset version's rows, and the default metrics for them.

A row becomes chat messages (its own prompt, or ``prompt_template`` filled with its fields) and a
reference answer: ``answer`` of prompt/answer rows, ``label`` of classification rows, the final
assistant turn of chat rows, the chosen answer of preference rows; plain text has none.
"""

from __future__ import annotations

import itertools
import string
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from llmore.datasets.canonical import SPLIT, DataSchema, Row
from llmore.errors import AppError

Messages = list[dict[str, str]]

REFERENCE_FIELD = {
    DataSchema.PROMPT_ANSWER: "answer",
    DataSchema.CLASSIFICATION: "label",
    DataSchema.CHAT: "final assistant turn in messages",
    DataSchema.PREFERENCE: "chosen",
    DataSchema.TEXT: "answer (plain-text rows have none)",
}
LABEL_METRICS = ["accuracy", "precision", "recall", "f1"]
TEXT_METRICS = ["bleu_4", "rouge_l", "chrf", "meteor"]
LABEL_MAX_CHARS = 40
LABEL_MAX_WORDS = 4


@dataclass(frozen=True)
class EvalItem:
    """One prompt to send to every model, where it came from, and how its answer is scored."""

    source: str
    messages: Messages
    reference: str | None
    dimension: str | None = None
    check: Any = field(default=None, compare=False)
    """The suite item (or benchmark question) that scores the answer; None for task items."""


def _last(messages: list[dict[str, Any]], role: str) -> str:
    return next((str(m.get("content") or "") for m in reversed(messages) if m.get("role") == role), "")


def row_fields(row: Row, schema: DataSchema) -> dict[str, str]:
    """The text fields a prompt template may name: the schema's own fields and any other string column."""
    fields = {key: value for key, value in row.items() if isinstance(value, str) and not key.startswith("_")}
    if schema is DataSchema.CHAT:
        messages = row["messages"]
        answered = bool(messages) and messages[-1].get("role") == "assistant"
        fields.update(prompt=_last(messages[:-1] if answered else messages, "user"),
                      answer=_last(messages, "assistant") if answered else "", system=_last(messages, "system"))
    elif schema is DataSchema.PREFERENCE:
        fields.update(prompt=_last(row["prompt"], "user"), chosen=_last(row["chosen"], "assistant"),
                      rejected=_last(row["rejected"], "assistant"))
    return fields


def _reference(row: Row, schema: DataSchema, fields: dict[str, str]) -> str | None:
    if schema is DataSchema.TEXT:
        return None
    value = {DataSchema.PROMPT_ANSWER: "answer", DataSchema.CLASSIFICATION: "label", DataSchema.CHAT: "answer",
             DataSchema.PREFERENCE: "chosen"}[schema]
    return fields.get(value) or None


def _own_messages(row: Row, schema: DataSchema) -> Messages:
    if schema is DataSchema.CHAT:
        messages = row["messages"]
        if messages and messages[-1].get("role") == "assistant":
            messages = messages[:-1]
        return [{"role": str(m["role"]), "content": str(m.get("content") or "")} for m in messages]
    if schema is DataSchema.PREFERENCE:
        return [{"role": str(m["role"]), "content": str(m.get("content") or "")} for m in row["prompt"]]
    return [{"role": "user", "content": row["prompt"] if schema is DataSchema.PROMPT_ANSWER else row["text"]}]


def template_fields(template: str, *, field_name: str = "body.task.prompt_template") -> list[str]:
    """The placeholder names of ``template``; positional or malformed placeholders are refused."""
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
    except ValueError as exc:
        raise AppError(f"The prompt template is malformed: {exc}. Write placeholders as {{field}} and a literal "
                       "brace as {{ or }}.", details=[{"field": field_name, "message": str(exc)}]) from exc
    if any(not name or not name.isidentifier() for name in names):
        raise AppError("Every placeholder of the prompt template names a row field, like {text} or {prompt}.",
                       details=[{"field": field_name, "message": "empty or invalid placeholder"}])
    return names


def task_items(rows: Iterable[Row], schema: DataSchema, *, split: str | None, template: str | None,
               limit: int | None) -> list[EvalItem]:
    """The task's items from the rows of ``split`` (all rows when None), at most ``limit`` of them."""
    wanted = template_fields(template) if template else []
    selected = (row for row in rows if split is None or row.get(SPLIT) == split)
    items = []
    for row in itertools.islice(selected, limit):
        fields = row_fields(row, schema)
        missing = [name for name in wanted if name not in fields]
        if missing:
            raise AppError(
                f"The prompt template names {', '.join(missing)}, which the dataset's {schema.value} rows do not "
                f"have; known fields: {', '.join(sorted(fields))}.",
                details=[{"field": "body.task.prompt_template", "message": f"unknown field {missing[0]}"}])
        messages = ([{"role": "user", "content": template.format_map(fields)}] if template
                    else _own_messages(row, schema))
        items.append(EvalItem(source="task", messages=messages, reference=_reference(row, schema, fields)))
    return items


def default_metrics(items: list[EvalItem], schema: DataSchema) -> list[str]:
    """Accuracy and F1 for label-like references (classification, or short answers that repeat), else text metrics."""
    references = [item.reference or "" for item in items]
    if schema is DataSchema.TEXT:
        return TEXT_METRICS
    short = all(len(ref) <= LABEL_MAX_CHARS and len(ref.split()) <= LABEL_MAX_WORDS for ref in references)
    repeats = len(set(references)) < len(references)
    return LABEL_METRICS if schema is DataSchema.CLASSIFICATION or (short and repeats) else TEXT_METRICS


def require_references(items: list[EvalItem], schema: DataSchema, metrics: list[str]) -> None:
    """Refuse reference metrics when a task item has no reference, naming the metric, the item and the field."""
    missing = next((index for index, item in enumerate(items) if not (item.reference or "").strip()), None)
    if missing is None:
        return
    raise AppError(
        f"Metric '{metrics[0]}' compares answers with references, but row {missing} of the dataset version has no "
        f"{REFERENCE_FIELD[schema]}. Evaluate a version whose rows carry answers (prompt_answer, chat ending with "
        "an assistant turn, or classification) or clean out the rows without one.",
        code="missing_references",
        details=[{"field": "body.task.metrics", "message": f"row {missing} has no {REFERENCE_FIELD[schema]}"}],
    )
