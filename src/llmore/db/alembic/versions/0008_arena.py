"""arena: battles, anonymous answers and votes

Revision ID: 0008_arena
Revises: 0007_human_evaluation
Create Date: 2026-11-22 02:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import llmore.db.types

revision: str = "0008_arena"
down_revision: str | None = "0007_human_evaluation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _record_columns() -> list[sa.Column]:  # type: ignore[type-arg]
    """The columns every Record table shares (llmore.db.base.Record)."""
    return [
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("created_at", llmore.db.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", llmore.db.types.UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", llmore.db.types.UTCDateTime(), nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "arena_prompt_sets",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("prompts", sa.JSON(), nullable=False),
        *_record_columns(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_arena_prompt_sets")),
        sa.UniqueConstraint("name", name=op.f("uq_arena_prompt_sets_name")),
    )
    with op.batch_alter_table("arena_prompt_sets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_arena_prompt_sets_created_at"), ["created_at"], unique=False)
    op.create_table(
        "arena_battles",
        sa.Column("prompt", sa.Text(), nullable=False),
        sa.Column("prompt_set_id", sa.Integer(), nullable=True),
        sa.Column("model_a", sa.String(length=200), nullable=False),
        sa.Column("model_b", sa.String(length=200), nullable=False),
        sa.Column("answer_a", sa.Text(), nullable=False),
        sa.Column("answer_b", sa.Text(), nullable=False),
        *_record_columns(),
        sa.ForeignKeyConstraint(["prompt_set_id"], ["arena_prompt_sets.id"],
                                name=op.f("fk_arena_battles_prompt_set_id_arena_prompt_sets")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_arena_battles")),
    )
    with op.batch_alter_table("arena_battles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_arena_battles_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_arena_battles_prompt_set_id"), ["prompt_set_id"], unique=False)
    op.create_table(
        "arena_votes",
        sa.Column("battle_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        *_record_columns(),
        sa.ForeignKeyConstraint(["battle_id"], ["arena_battles.id"],
                                name=op.f("fk_arena_votes_battle_id_arena_battles")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_arena_votes_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_arena_votes")),
        sa.UniqueConstraint("battle_id", "user_id", name="uq_arena_votes_battle_user"),
    )
    with op.batch_alter_table("arena_votes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_arena_votes_battle_id"), ["battle_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_arena_votes_created_at"), ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("arena_votes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_arena_votes_created_at"))
        batch_op.drop_index(batch_op.f("ix_arena_votes_battle_id"))
    op.drop_table("arena_votes")
    with op.batch_alter_table("arena_battles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_arena_battles_prompt_set_id"))
        batch_op.drop_index(batch_op.f("ix_arena_battles_created_at"))
    op.drop_table("arena_battles")
    with op.batch_alter_table("arena_prompt_sets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_arena_prompt_sets_created_at"))
    op.drop_table("arena_prompt_sets")
