"""The canonical rows every dataset version is stored as: one JSON object per line.

Whatever a file looked like on import (alpaca, sharegpt, OpenAI messages, preference pairs,
prompt/answer, plain text, classification), it is converted to one of five shapes that TRL and
the rest of LLMore consume directly:

====================  ==========================================================================
``chat``              ``{"messages": [{"role": "system|user|assistant|tool", "content": str, ...}],
                      "tools"?: [...]}`` — SFT data (alpaca, sharegpt and OpenAI messages land here)
``preference``        ``{"prompt": [messages], "chosen": [messages], "rejected": [messages]}`` — DPO
``prompt_answer``     ``{"prompt": str, "answer": str}`` — GRPO and task evaluation
``text``              ``{"text": str}`` — continued pre-training
``classification``    ``{"text": str, "label": str}`` — intents and sentiment
====================  ==========================================================================

Every row also carries ``_id``: a stable identifier given on import and kept by every operation,
so a new version can say which rows were added, removed or changed. A split version adds
``_split`` (``train``, ``dev`` or ``test``). Keys starting with ``_`` are bookkeeping, never text.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any

ROW_ID = "_id"
SPLIT = "_split"
SPLITS = ("train", "dev", "test")

Row = dict[str, Any]


class DataSchema(StrEnum):
    """The canonical row shapes."""

    CHAT = "chat"
    PREFERENCE = "preference"
    PROMPT_ANSWER = "prompt_answer"
    TEXT = "text"
    CLASSIFICATION = "classification"


def _message_contents(messages: list[dict[str, Any]], roles: tuple[str, ...] | None = None) -> list[str]:
    return [
        m["content"]
        for m in messages
        if isinstance(m.get("content"), str) and (roles is None or m.get("role") in roles)
    ]


def text_fields(row: Row, schema: DataSchema) -> dict[str, str]:
    """Every human-written text of a row by a readable path (``messages.2.content``, ``prompt``, ...)."""
    if schema is DataSchema.CHAT:
        return {
            f"messages.{i}.content": m["content"]
            for i, m in enumerate(row["messages"])
            if isinstance(m.get("content"), str)
        }
    if schema is DataSchema.PREFERENCE:
        return {
            f"{part}.{i}.content": m["content"]
            for part in ("prompt", "chosen", "rejected")
            for i, m in enumerate(row[part])
            if isinstance(m.get("content"), str)
        }
    if schema is DataSchema.PROMPT_ANSWER:
        return {"prompt": row["prompt"], "answer": row["answer"]}
    return {"text": row["text"]}  # text and classification (the label is a category, not text)


def map_texts(row: Row, schema: DataSchema, transform: Callable[[str], str]) -> Row:
    """A copy of ``row`` with ``transform`` applied to every text field (labels and ids untouched)."""

    def messages(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [
            {**m, "content": transform(m["content"])} if isinstance(m.get("content"), str) else dict(m) for m in items
        ]

    if schema is DataSchema.CHAT:
        return {**row, "messages": messages(row["messages"])}
    if schema is DataSchema.PREFERENCE:
        return {**row, **{part: messages(row[part]) for part in ("prompt", "chosen", "rejected")}}
    if schema is DataSchema.PROMPT_ANSWER:
        return {**row, "prompt": transform(row["prompt"]), "answer": transform(row["answer"])}
    return {**row, "text": transform(row["text"])}


def prompt_and_answer(row: Row, schema: DataSchema) -> tuple[str, str]:
    """The input side and the output side of a row as plain text (for lengths and leakage checks).

    Chat: system and user turns vs assistant turns; preference: the prompt vs the chosen answer;
    text and classification: the text and the label.
    """
    if schema is DataSchema.CHAT:
        return (
            "\n".join(_message_contents(row["messages"], ("system", "user", "tool"))),
            "\n".join(_message_contents(row["messages"], ("assistant",))),
        )
    if schema is DataSchema.PREFERENCE:
        return "\n".join(_message_contents(row["prompt"])), "\n".join(_message_contents(row["chosen"]))
    if schema is DataSchema.PROMPT_ANSWER:
        return row["prompt"], row["answer"]
    if schema is DataSchema.CLASSIFICATION:
        return row["text"], str(row["label"])
    return row["text"], ""


def label_of(row: Row, schema: DataSchema) -> str | None:
    """The class label of a classification row (for balance and stratified splits), else None."""
    return str(row["label"]) if schema is DataSchema.CLASSIFICATION else None
