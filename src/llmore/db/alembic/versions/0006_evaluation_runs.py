"""evaluation runs: configs, per-example records and summaries

Revision ID: 0006_evaluation_runs
Revises: 0005_openai_files
Create Date: 2026-11-22 02:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import llmore.db.types

revision: str = "0006_evaluation_runs"
down_revision: str | None = "0005_openai_files"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _record_columns() -> list[sa.Column]:
    """The columns every table shares (llmore.db.base.Record)."""
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
        "eval_runs",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("models", sa.JSON(), nullable=False),
        sa.Column("baseline", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("dimensions", sa.JSON(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        *_record_columns(),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"], name=op.f("fk_eval_runs_job_id_jobs")),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name=op.f("fk_eval_runs_owner_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_eval_runs")),
        sa.UniqueConstraint("job_id", name=op.f("uq_eval_runs_job_id")),
    )
    with op.batch_alter_table("eval_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_eval_runs_created_at"), ["created_at"], unique=False)
    op.create_table(
        "eval_records",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("model_label", sa.String(length=200), nullable=False),
        sa.Column("item_index", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("dimension", sa.String(length=32), nullable=True),
        sa.Column("input", sa.JSON(), nullable=False),
        sa.Column("reference", sa.Text(), nullable=True),
        sa.Column("output", sa.Text(), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=False),
        *_record_columns(),
        sa.ForeignKeyConstraint(["run_id"], ["eval_runs.id"], name=op.f("fk_eval_records_run_id_eval_runs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_eval_records")),
    )
    with op.batch_alter_table("eval_records", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_eval_records_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_eval_records_model_label"), ["model_label"], unique=False)
        batch_op.create_index(batch_op.f("ix_eval_records_run_id"), ["run_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("eval_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_eval_records_run_id"))
        batch_op.drop_index(batch_op.f("ix_eval_records_model_label"))
        batch_op.drop_index(batch_op.f("ix_eval_records_created_at"))
    op.drop_table("eval_records")
    with op.batch_alter_table("eval_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_eval_runs_created_at"))
    op.drop_table("eval_runs")
