"""What a general-suite item is: its dimension, the prompt a model answers, and how the answer is scored.

``SuiteItem.check`` is plain JSON (it is stored with each evaluation record) and says how
:func:`llmore.evaluation.suite.score_item` scores an answer. Its ``type`` is one of:

* ``number``: ``{"answer": 42}``, the last number of the answer (or the first after "the answer is") must equal it;
* ``option``: ``{"answer": "Ana", "options": ["Ana", "Ben", ...]}``, the option the answer settles on;
* ``choice``: ``{"answer": "B", "options": {"A": "...", "B": "...", ...}}``, a lettered multiple-choice question;
* ``span``: ``{"answers": ["Qorvik"]}``, a span of a passage (containment, else token F1);
* ``instructions``: ``{"instructions": [{"kind": "max_words", "n": 50}, ...]}``, verifiable instructions;
* ``judge``: ``{"criteria": [...], "language": "en"}``, open writing that only an LLM judge can grade.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Dimension(StrEnum):
    """The five abilities the general suite measures, to catch what fine-tuning made a model forget."""

    REASONING = "reasoning"
    READING = "reading"
    CHINESE = "chinese"
    INSTRUCTION = "instruction"
    CREATIVITY = "creativity"


@dataclass(frozen=True)
class SuiteItem:
    """One question of the suite (or of a benchmark file): a single user prompt, its reference and its check."""

    id: str
    dimension: Dimension | None
    prompt: str
    reference: str | None
    check: dict[str, Any]
