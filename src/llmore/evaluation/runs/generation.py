"""Answering every item with every model in the job process, through the serving engine's batching loop.

Models that share a base weight folder are served by one :class:`TransformersEngine`: the base under
its own label and each adapter loaded beside it under its label, so the batching loop mixes their
rows in one batch. All prompts of a group are submitted at once; the loop batches them up to its
batch size, which is what makes an evaluation fast (one request at a time would decode one row
per forward pass).
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llmore.errors import AppError
from llmore.evaluation.runs.items import Messages
from llmore.evaluation.runs.schemas import GenerationSpec

UNSERVED_BASE = "evaluation-base"
"""Served name of a base model that is loaded only because adapters need it (it answers nothing)."""
BATCH_SIZE = 32


@dataclass(frozen=True)
class Target:
    """One evaluated model: its label, the weight folder to load, and the adapter folder over it (if any)."""

    label: str
    folder: Path
    adapter: Path | None = None


@dataclass(frozen=True)
class Answer:
    """A model's answer to one prompt, or why the engine refused the prompt (then ``text`` is empty)."""

    text: str
    error: str | None = None


def chat_request(model: str, messages: Messages, generation: GenerationSpec) -> Any:
    """The OpenAI chat body the engine answers for one prompt (greedy when temperature is 0)."""
    from llmore.serving import protocol as p

    sampling = generation.model_dump(exclude_none=True, exclude={"max_new_tokens"})
    return p.ChatCompletionRequest(model=model, messages=messages, max_tokens=generation.max_new_tokens, **sampling)


async def answer_all(engine: Any, requests: Sequence[tuple[str, Messages]], generation: GenerationSpec,
                     on_answer: Callable[[], None]) -> list[Answer]:
    """The answers to ``(model, messages)`` requests, all submitted at once so the engine batches them."""

    async def one(model: str, messages: Messages) -> Answer:
        try:
            response = await engine.chat(chat_request(model, messages, generation))
            answer = Answer(text=response.choices[0].message.content or "")
        except AppError as exc:  # a prompt the engine refuses (too long for the context) fails alone
            answer = Answer(text="", error=exc.message)
        on_answer()
        return answer

    return list(await asyncio.gather(*(one(model, messages) for model, messages in requests)))


def generate(targets: Sequence[Target], prompts: Sequence[Messages], generation: GenerationSpec,
             on_answer: Callable[[], None], log: Callable[[str], None], *, batch_size: int = BATCH_SIZE
             ) -> dict[str, list[Answer]]:
    """Every target's answers to every prompt, in prompt order; ``on_answer`` is called after each answer."""
    from llmore.serving.engines.transformers_engine import TransformersEngine

    groups: dict[Path, list[Target]] = {}
    for target in targets:
        groups.setdefault(target.folder, []).append(target)
    answers: dict[str, list[Answer]] = {}
    for folder, group in groups.items():
        base = next((t.label for t in group if t.adapter is None), UNSERVED_BASE)
        engine = TransformersEngine(folder, served_name=base, max_batch_size=batch_size)
        try:
            for target in group:
                if target.adapter is not None:
                    engine.load_adapter(target.label, str(target.adapter))
            requests = [(target.label, messages) for target in group for messages in prompts]
            flat = asyncio.run(answer_all(engine, requests, generation, on_answer))
            log(f"{', '.join(t.label for t in group)}: {len(requests)} answers in {engine.generator.steps} "
                f"decoding steps (batches of up to {batch_size})")
        finally:
            engine.close()
            del engine
            gc.collect()
        for position, target in enumerate(group):
            answers[target.label] = flat[position * len(prompts):(position + 1) * len(prompts)]
    return answers
