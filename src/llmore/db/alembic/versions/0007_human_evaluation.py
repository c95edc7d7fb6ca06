"""human evaluation: tasks, assignments, scores and quality checks

Revision ID: 0007_human_evaluation
Revises: 0006_evaluation_runs
Create Date: 2026-11-22 02:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import llmore.db.types

revision: str = "0007_human_evaluation"
down_revision: str | None = "0006_evaluation_runs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _record_columns() -> list[sa.Column]:
    """The columns every ``Record`` table shares (``llmore.db.base.Record``)."""
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
        "human_eval_tasks",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("instructions", sa.Text(), nullable=False),
        sa.Column("criteria", sa.JSON(), nullable=False),
        sa.Column("models", sa.JSON(), nullable=False),
        sa.Column("evaluator_ids", sa.JSON(), nullable=False),
        sa.Column("sample_size", sa.Integer(), nullable=False),
        sa.Column("overlap", sa.Integer(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("merged_at", llmore.db.types.UTCDateTime(), nullable=True),
        *_record_columns(),
        sa.ForeignKeyConstraint(["run_id"], ["eval_runs.id"], name=op.f("fk_human_eval_tasks_run_id_eval_runs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_human_eval_tasks")),
    )
    with op.batch_alter_table("human_eval_tasks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_human_eval_tasks_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_human_eval_tasks_run_id"), ["run_id"], unique=False)
    op.create_table(
        "human_eval_items",
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("model_label", sa.String(length=200), nullable=False),
        *_record_columns(),
        sa.ForeignKeyConstraint(["record_id"], ["eval_records.id"],
                                name=op.f("fk_human_eval_items_record_id_eval_records")),
        sa.ForeignKeyConstraint(["task_id"], ["human_eval_tasks.id"],
                                name=op.f("fk_human_eval_items_task_id_human_eval_tasks")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_human_eval_items")),
        sa.UniqueConstraint("task_id", "record_id", name="uq_human_eval_items_task_record"),
    )
    with op.batch_alter_table("human_eval_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_human_eval_items_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_human_eval_items_task_id"), ["task_id"], unique=False)
    op.create_table(
        "human_eval_assignments",
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("evaluator_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("scored_at", llmore.db.types.UTCDateTime(), nullable=True),
        sa.Column("reviewer_id", sa.Integer(), nullable=True),
        sa.Column("review_comment", sa.Text(), nullable=False),
        sa.Column("reviewed_at", llmore.db.types.UTCDateTime(), nullable=True),
        sa.Column("returns", sa.Integer(), nullable=False),
        *_record_columns(),
        sa.ForeignKeyConstraint(["evaluator_id"], ["users.id"],
                                name=op.f("fk_human_eval_assignments_evaluator_id_users")),
        sa.ForeignKeyConstraint(["item_id"], ["human_eval_items.id"],
                                name=op.f("fk_human_eval_assignments_item_id_human_eval_items")),
        sa.ForeignKeyConstraint(["reviewer_id"], ["users.id"],
                                name=op.f("fk_human_eval_assignments_reviewer_id_users")),
        sa.ForeignKeyConstraint(["task_id"], ["human_eval_tasks.id"],
                                name=op.f("fk_human_eval_assignments_task_id_human_eval_tasks")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_human_eval_assignments")),
        sa.UniqueConstraint("item_id", "evaluator_id", name="uq_human_eval_assignments_item_evaluator"),
    )
    with op.batch_alter_table("human_eval_assignments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_human_eval_assignments_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_human_eval_assignments_evaluator_id"), ["evaluator_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_human_eval_assignments_task_id"), ["task_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("human_eval_assignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_human_eval_assignments_task_id"))
        batch_op.drop_index(batch_op.f("ix_human_eval_assignments_evaluator_id"))
        batch_op.drop_index(batch_op.f("ix_human_eval_assignments_created_at"))
    op.drop_table("human_eval_assignments")
    with op.batch_alter_table("human_eval_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_human_eval_items_task_id"))
        batch_op.drop_index(batch_op.f("ix_human_eval_items_created_at"))
    op.drop_table("human_eval_items")
    with op.batch_alter_table("human_eval_tasks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_human_eval_tasks_run_id"))
        batch_op.drop_index(batch_op.f("ix_human_eval_tasks_created_at"))
    op.drop_table("human_eval_tasks")
