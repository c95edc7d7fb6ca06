"""Tables of the arena: prompt sets, battles between two anonymous served models, and votes."""

from __future__ import annotations

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from llmore.db.base import Record


class ArenaPromptSet(Record):
    """A named list of prompts to battle on, one after another."""

    __tablename__ = "arena_prompt_sets"

    name: Mapped[str] = mapped_column(String(200), unique=True)
    prompts: Mapped[list[str]] = mapped_column(JSON, default=list)


class ArenaBattle(Record):
    """One prompt answered by two served models; voters see them only as Model A and Model B."""

    __tablename__ = "arena_battles"

    prompt: Mapped[str] = mapped_column(Text)
    prompt_set_id: Mapped[int | None] = mapped_column(ForeignKey("arena_prompt_sets.id"), default=None, index=True)
    model_a: Mapped[str] = mapped_column(String(200))
    model_b: Mapped[str] = mapped_column(String(200))
    answer_a: Mapped[str] = mapped_column(Text)
    answer_b: Mapped[str] = mapped_column(Text)


class ArenaVote(Record):
    """A user's verdict on a battle: ``a``, ``b``, ``tie`` or ``both_bad`` (one per battle and user)."""

    __tablename__ = "arena_votes"
    __table_args__ = (UniqueConstraint("battle_id", "user_id", name="uq_arena_votes_battle_user"),)

    battle_id: Mapped[int] = mapped_column(ForeignKey("arena_battles.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    outcome: Mapped[str] = mapped_column(String(16))
