"""Turning canonical rows into the examples each recipe's TRL trainer reads, and measuring their token lengths.

SFT gets conversational prompt/completion examples: completion-only loss with any chat template,
including templates without generation markers (SmolLM2's), where ``assistant_only_loss`` cannot
work. Continued pre-training gets ``{"text"}`` documents, DPO and reward models ``{"prompt", "chosen",
"rejected"}`` message lists, and GRPO the prompt messages with the reference answer beside them (the reward
functions read it from the ``reference`` column).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from llmore.datasets.canonical import SPLIT, DataSchema, Row
from llmore.errors import AppError
from llmore.training.advisor import Recipe, schema_problem
from llmore.training.facts import DataFacts

Example = dict[str, Any]
Messages = list[dict[str, Any]]
MESSAGE_OVERHEAD_TOKENS = 4  # role markers and separators a chat template adds per turn


def _prompt_completion(row: Row, schema: DataSchema) -> Example | None:
    """The prompt turns and the final assistant turn of a row; None when it has no assistant answer to learn."""
    if schema is DataSchema.PROMPT_ANSWER:
        return {
            "prompt": [{"role": "user", "content": row["prompt"]}],
            "completion": [{"role": "assistant", "content": row["answer"]}],
        }
    messages = [{"role": m["role"], "content": m.get("content") or ""} for m in row["messages"]]
    if len(messages) < 2 or messages[-1]["role"] != "assistant":
        return None
    return {"prompt": messages[:-1], "completion": messages[-1:]}


def _document(row: Row, schema: DataSchema) -> Example | None:
    return {"text": row["text"]} if row["text"].strip() else None


def _preference(row: Row, schema: DataSchema) -> Example | None:
    return {part: row[part] for part in ("prompt", "chosen", "rejected")}


def _prompt_reference(row: Row, schema: DataSchema) -> Example | None:
    pair = _prompt_completion(row, schema)
    return None if pair is None else {"prompt": pair["prompt"], "reference": pair["completion"][0]["content"]}


_CONVERTERS: dict[Recipe, Callable[[Row, DataSchema], Example | None]] = {
    Recipe.SFT: _prompt_completion,
    Recipe.PRETRAIN: _document,
    Recipe.DPO: _preference,
    Recipe.GRPO: _prompt_reference,
    Recipe.REWARD: _preference,
}


def examples(rows: Iterable[Row], schema: DataSchema, split: str | None, recipe: Recipe) -> Iterator[Example]:
    """The ``recipe``'s examples of the rows in ``split`` (all rows when None), skipping rows with nothing to learn."""
    problem = schema_problem(recipe, schema.value)
    if problem:
        raise AppError(problem, details=[{"field": "dataset", "message": problem}])
    convert = _CONVERTERS[recipe]
    for row in rows:
        if split is not None and row.get(SPLIT) != split:
            continue
        example = convert(row, schema)
        if example is not None:
            yield example


def _sequences(example: Example, recipe: Recipe) -> list[Messages | str]:
    """What max_length must hold for one example (the longest counts); for GRPO the prompt alone."""
    if recipe is Recipe.SFT:
        return [example["prompt"] + example["completion"]]
    if recipe is Recipe.PRETRAIN:
        return [example["text"]]
    if recipe in (Recipe.DPO, Recipe.REWARD):
        return [example["prompt"] + example["chosen"], example["prompt"] + example["rejected"]]
    return [example["prompt"]]


def _length(sequence: Messages | str, count: Callable[[str], int]) -> int:
    if isinstance(sequence, str):
        return count(sequence)
    return sum(count(str(message.get("content") or "")) + MESSAGE_OVERHEAD_TOKENS for message in sequence)


def _percentile(ordered: list[int], share: float) -> int:
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] if ordered else 0


def data_facts(
    items: list[Example], recipe: Recipe, schema: DataSchema, count: Callable[[str], int], rows: int
) -> DataFacts:
    """Token-length percentiles of ``items`` (a sample of the ``rows`` examples), counted with ``count``."""
    lengths = sorted(max(_length(s, count) for s in _sequences(item, recipe)) for item in items) or [0]
    answers = sorted(count(item["reference"]) for item in items) if recipe is Recipe.GRPO else [0]
    return DataFacts(
        rows=rows,
        tokens_p50=_percentile(lengths, 0.5),
        tokens_p99=_percentile(lengths, 0.99),
        tokens_max=lengths[-1],
        tokens_mean=sum(lengths) / len(lengths),
        data_schema=schema.value,
        answer_tokens_p99=_percentile(answers or [0], 0.99),
    )
