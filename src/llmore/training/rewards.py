"""GRPO's reward functions: built-in scores against the reference answer, and your own in Python.

Each reward is a pydantic model (so a run's list is checked before any job starts) that builds a
TRL reward function: ``f(prompts, completions, reference=[...], **kwargs) -> list[float]``, one
score per generated completion, where ``reference`` is the dataset's answer for its prompt.

* ``exact_match``: 1 when the completion equals the reference (case and surrounding space ignored);
* ``regex``: 1 when the completion matches a pattern (a format such as ``^\\d+$`` or
  ``<answer>.*</answer>``), searched anywhere or matched in full;
* ``length``: 1 inside a range of characters, falling linearly to 0 one range-width outside;
* ``similarity``: cosine similarity of the completion's and the reference's embeddings with the
  bundled all-MiniLM-L6-v2 (sentence-transformers);
* ``python``: your code defining ``def reward(completion, reference, prompt): return <number>``,
  refused before launch (with the line) under the same rules as Python cleaning rules.
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from llmore.datasets.cleaning import (  # the private pair stops user code at its deadline, as cleaning does
    UserCodeError,
    _call_with_deadline,
    _RuleTimeout,
    _user_line,
    check_user_code,
    compile_user_rule,
)
from llmore.errors import AppError
from llmore.settings import Settings

RewardFunction = Callable[..., list[float]]
USER_FUNCTION = "reward"
USER_ARGUMENTS = ("completion", "reference", "prompt")
# The cleaning-rule checker wants a one-argument rule(); this trailer provides it and hands back the
# user's reward function, so reward code is refused and run under exactly the rules of cleaning code.
_RULE_TRAILER = f"\n\ndef rule(row):\n    return {USER_FUNCTION}\n"


class _Reward(BaseModel):
    """One GRPO reward: its kind, its weight, and the TRL reward function it builds."""

    model_config = ConfigDict(extra="forbid")

    reward: str

    weight: float = Field(1.0, description="This reward's share in the total (TRL's reward_weights).")

    def build(self, settings: Settings) -> RewardFunction:
        """The TRL reward function."""
        score = self.scorer(settings)

        def reward(prompts: list[Any], completions: list[Any], reference: list[str], **_: Any) -> list[float]:
            return [
                score(_text(completion), answer, _text(prompt))
                for prompt, completion, answer in zip(prompts, completions, reference, strict=True)
            ]

        reward.__name__ = self.reward  # TRL logs rewards/<name>/mean
        return reward

    def scorer(self, settings: Settings) -> Callable[[str, str, str], float]:
        """``score(completion, reference, prompt)``; the similarity reward overrides ``build`` instead."""
        raise NotImplementedError


class ExactMatch(_Reward):
    """1 when the completion equals the reference answer, ignoring case and surrounding white space."""

    reward: Literal["exact_match"] = "exact_match"

    def scorer(self, settings: Settings) -> Callable[[str, str, str], float]:
        return lambda completion, reference, prompt: float(
            completion.strip().casefold() == reference.strip().casefold()
        )


class RegexMatch(_Reward):
    """1 when the completion matches ``pattern`` (searched anywhere, or in full with ``full``), else 0."""

    reward: Literal["regex"] = "regex"
    pattern: str = Field(min_length=1, max_length=2000)
    full: bool = Field(False, description="The whole completion must match (re.fullmatch), not just a part.")

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, pattern: str) -> str:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression: {exc}") from exc
        return pattern

    def scorer(self, settings: Settings) -> Callable[[str, str, str], float]:
        compiled = re.compile(self.pattern, re.DOTALL)
        match = compiled.fullmatch if self.full else compiled.search
        return lambda completion, reference, prompt: float(match(completion.strip()) is not None)


class LengthRange(_Reward):
    """1 when the completion has ``min_chars``–``max_chars`` characters, falling to 0 one range-width outside."""

    reward: Literal["length"] = "length"
    min_chars: int = Field(0, ge=0)
    max_chars: int = Field(ge=1)

    @model_validator(mode="after")
    def _ordered(self) -> LengthRange:
        if self.max_chars < self.min_chars:
            raise ValueError(f"max_chars ({self.max_chars}) is below min_chars ({self.min_chars})")
        return self

    def scorer(self, settings: Settings) -> Callable[[str, str, str], float]:
        width = self.max_chars - self.min_chars + 1

        def score(completion: str, reference: str, prompt: str) -> float:
            length = len(completion.strip())
            outside = max(self.min_chars - length, length - self.max_chars, 0)
            return max(0.0, 1.0 - outside / width)

        return score


class Similarity(_Reward):
    """Cosine similarity of the completion to the reference with the bundled all-MiniLM-L6-v2 embeddings."""

    reward: Literal["similarity"] = "similarity"

    def build(self, settings: Settings) -> RewardFunction:
        encoder = _encoder(str(_minilm_folder(settings)))

        def similarity(prompts: list[Any], completions: list[Any], reference: list[str], **_: Any) -> list[float]:
            texts = [_text(completion) for completion in completions]
            vectors = encoder.encode(texts + list(reference), normalize_embeddings=True, convert_to_numpy=True)
            answers, references = vectors[: len(texts)], vectors[len(texts) :]
            return [float(a @ r) for a, r in zip(answers, references, strict=True)]

        return similarity


class PythonReward(_Reward):
    """Your code: ``def reward(completion, reference, prompt): return <number>`` (re, json, math available).

    It is checked like a Python cleaning rule before any job starts (no imports, no private names,
    no ``open``/``exec``/..., the line of every problem) and each call is stopped after
    ``timeout_seconds``. A guard against mistakes, not a sandbox: it needs ``jobs:write``.
    """

    reward: Literal["python"] = "python"
    code: str = Field(min_length=1, max_length=20_000)
    timeout_seconds: float = Field(1.0, gt=0, le=30, description="Longest time reward() may spend on one answer.")

    @field_validator("code")
    @classmethod
    def _check_code(cls, code: str) -> str:
        check_reward_code(code)
        return code

    def scorer(self, settings: Settings) -> Callable[[str, str, str], float]:
        function = compile_user_rule(_with_trailer(self.code), self.timeout_seconds)(None)

        def score(completion: str, reference: str, prompt: str) -> float:
            try:
                value = _call_with_deadline(self.timeout_seconds, function, completion, reference, prompt)
            except _RuleTimeout:
                raise UserCodeError(f"reward() ran longer than {self.timeout_seconds:g} s (an endless loop?)") from None
            except Exception as exc:
                raise UserCodeError(f"reward() raised {type(exc).__name__}: {exc}", _user_line(exc)) from exc
            if not isinstance(value, int | float) or not math.isfinite(value):  # a bool counts as 0 or 1
                raise UserCodeError(f"reward() must return a finite number, not {value!r}")
            return float(value)

        return score


RewardSpec = Annotated[ExactMatch | RegexMatch | LengthRange | Similarity | PythonReward, Field(discriminator="reward")]
REWARD_KINDS = tuple(
    str(kind.model_fields["reward"].default) for kind in (ExactMatch, RegexMatch, LengthRange, Similarity, PythonReward)
)


def _with_trailer(code: str) -> str:
    """The user's code with the trailer that lets the cleaning-rule checker and compiler take it."""
    return code + _RULE_TRAILER


def check_reward_code(code: str) -> None:
    """Refuse reward code outside the allowed subset or without ``reward(completion, reference, prompt)``.

    Raises ``UserCodeError`` naming the line; the rules are the cleaning rules' (``check_user_code``).
    """
    try:
        tree = ast.parse(code)
    except SyntaxError as exc:
        raise UserCodeError(f"syntax error: {exc.msg}", exc.lineno) from exc
    check_user_code(_with_trailer(code))
    functions = [node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == USER_FUNCTION]
    if not functions:
        raise UserCodeError(f"define a function: def {USER_FUNCTION}({', '.join(USER_ARGUMENTS)}): return <number>")
    arguments = functions[-1].args
    if len(arguments.posonlyargs) + len(arguments.args) != len(USER_ARGUMENTS) or arguments.kwonlyargs:
        raise UserCodeError(
            f"{USER_FUNCTION}() takes exactly three arguments: {', '.join(USER_ARGUMENTS)}", functions[-1].lineno
        )


def reward_functions(rewards: list[RewardSpec], settings: Settings) -> tuple[list[RewardFunction], list[float]]:
    """TRL's reward functions and their weights for ``rewards``."""
    return [reward.build(settings) for reward in rewards], [reward.weight for reward in rewards]


def try_rewards(rewards: list[RewardSpec], example: dict[str, Any], settings: Settings, *, field: str) -> None:
    """Run each Python reward once on ``example`` (its reference as the answer); refuse code that fails there."""
    for index, reward in enumerate(rewards):
        if not isinstance(reward, PythonReward):
            continue
        try:
            reward.scorer(settings)(example["reference"], example["reference"], _text(example["prompt"]))
        except UserCodeError as exc:
            raise AppError(
                f"Reward {index + 1} fails on the first example: {exc}",
                details=[{"field": f"{field}.{index}.code", "message": str(exc), "line": exc.line}],
            ) from exc


def _text(item: Any) -> str:
    """The text of a completion or prompt, conversational (a list of messages: the last one's) or plain."""
    if isinstance(item, list):
        return str(item[-1].get("content") or "") if item else ""
    return str(item)


def _minilm_folder(settings: Settings) -> Path:
    from llmore.models.bundled import MINILM, get_bundled

    bundled = get_bundled(MINILM, settings)
    if not bundled.prepared or bundled.prepared_path is None:
        raise AppError(
            f"The similarity reward needs the bundled {MINILM}: {bundled.problem}",
            details=[{"field": "rewards", "message": bundled.problem or "not installed"}],
        )
    return bundled.prepared_path


@lru_cache(maxsize=1)
def _encoder(folder: str) -> Any:
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(folder, device="cpu")
