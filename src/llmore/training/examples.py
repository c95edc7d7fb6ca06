"""Turning canonical rows into TRL's conversational prompt/completion examples.

Prompt/completion data gives completion-only loss with any chat template, including templates
without generation markers (SmolLM2's), where ``assistant_only_loss`` cannot work.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from llmore.datasets.canonical import SPLIT, DataSchema, Row
from llmore.errors import AppError

Example = dict[str, list[dict[str, Any]]]


def to_example(row: Row, schema: DataSchema) -> Example | None:
    """The prompt turns and the final assistant turn of a row; None when it has no assistant answer to learn."""
    if schema is DataSchema.PROMPT_ANSWER:
        return {
            "prompt": [{"role": "user", "content": row["prompt"]}],
            "completion": [{"role": "assistant", "content": row["answer"]}],
        }
    if schema is DataSchema.CHAT:
        messages = [{"role": m["role"], "content": m.get("content") or ""} for m in row["messages"]]
        if len(messages) < 2 or messages[-1]["role"] != "assistant":
            return None
        return {"prompt": messages[:-1], "completion": messages[-1:]}
    raise AppError(
        f"Supervised fine-tuning needs chat or prompt_answer rows, not {schema.value}.",
        details=[{"field": "dataset", "message": f"schema {schema.value}"}],
    )


def examples(rows: Iterable[Row], schema: DataSchema, split: str | None) -> Iterator[Example]:
    """Examples of the rows in ``split`` (all rows when None)."""
    for row in rows:
        if split is not None and row.get(SPLIT) != split:
            continue
        example = to_example(row, schema)
        if example is not None:
            yield example
