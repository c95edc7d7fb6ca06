"""Bodies of the arena API: prompt sets, battles, votes and the leaderboard."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

Prompt = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000)]


class VoteOutcome(StrEnum):
    """A voter's verdict: Model A won, Model B won, a tie, or both answers are bad (rated as a tie)."""

    A = "a"
    B = "b"
    TIE = "tie"
    BOTH_BAD = "both_bad"


class PromptSetCreate(BaseModel):
    """A named list of prompts to battle on."""

    name: str = Field(min_length=1, max_length=200)
    prompts: list[Prompt] = Field(max_length=10_000, description="At least one prompt.")


class PromptSetOut(BaseModel):
    id: int
    name: str
    prompts: list[str]
    created_at: datetime


class BattleCreate(BaseModel):
    """A battle on your own ``prompt`` or the next prompt of ``prompt_set_id``; ``models`` picks the two
    contestants (default: two served models drawn at random)."""

    prompt: Prompt | None = None
    prompt_set_id: int | None = None
    models: list[str] | None = Field(None, min_length=2, max_length=2)
    max_tokens: int = Field(256, ge=1, le=4096)
    temperature: float = Field(0.7, ge=0, le=2)


class BattleOut(BaseModel):
    """A battle as the caller may see it: the models' names only once the caller has voted."""

    id: int
    prompt: str
    prompt_set_id: int | None
    answer_a: str
    answer_b: str
    created_at: datetime
    vote: VoteOutcome | None = None
    model_a: str | None = None
    model_b: str | None = None


class VoteCreate(BaseModel):
    outcome: VoteOutcome


class LeaderboardRow(BaseModel):
    """One model's ratings (Elo scale, 95 % bootstrap intervals), rank by Bradley–Terry, and record."""

    model: str
    rank: int
    elo: float
    elo_low: float
    elo_high: float
    bt: float
    bt_low: float
    bt_high: float
    votes: int
    wins: float = Field(description="Votes won; a tie or 'both bad' counts half.")
    win_rate: float


class Leaderboard(BaseModel):
    votes: int
    models: list[LeaderboardRow]
