"""deploy gates: required suites, thresholds and decisions

Revision ID: 0009_deploy_gates
Revises: 0008_arena
Create Date: 2026-11-22 02:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import llmore.db.types

revision: str = "0009_deploy_gates"
down_revision: str | None = "0008_arena"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _record_columns() -> list[sa.Column]:
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
        "deploy_gates",
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        *_record_columns(),
        sa.ForeignKeyConstraint(["model_id"], ["models.id"], name=op.f("fk_deploy_gates_model_id_models")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deploy_gates")),
        sa.UniqueConstraint("model_id", name=op.f("uq_deploy_gates_model_id")),
    )
    with op.batch_alter_table("deploy_gates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deploy_gates_created_at"), ["created_at"], unique=False)
    op.create_table(
        "gate_decisions",
        sa.Column("gate_id", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("baseline", sa.String(length=200), nullable=True),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("results", sa.JSON(), nullable=False),
        sa.Column("from_state", sa.String(length=16), nullable=False),
        sa.Column("to_state", sa.String(length=16), nullable=True),
        sa.Column("refusal", sa.Text(), nullable=True),
        sa.Column("transition_id", sa.Integer(), nullable=True),
        *_record_columns(),
        sa.ForeignKeyConstraint(["gate_id"], ["deploy_gates.id"], name=op.f("fk_gate_decisions_gate_id_deploy_gates")),
        sa.ForeignKeyConstraint(["model_id"], ["models.id"], name=op.f("fk_gate_decisions_model_id_models")),
        sa.ForeignKeyConstraint(["run_id"], ["eval_runs.id"], name=op.f("fk_gate_decisions_run_id_eval_runs")),
        sa.ForeignKeyConstraint(["transition_id"], ["model_version_transitions.id"],
                                name=op.f("fk_gate_decisions_transition_id_model_version_transitions")),
        sa.ForeignKeyConstraint(["version_id"], ["model_versions.id"],
                                name=op.f("fk_gate_decisions_version_id_model_versions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gate_decisions")),
    )
    with op.batch_alter_table("gate_decisions", schema=None) as batch_op:
        for column in ("created_at", "gate_id", "model_id", "run_id", "version_id"):
            batch_op.create_index(batch_op.f(f"ix_gate_decisions_{column}"), [column], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("gate_decisions", schema=None) as batch_op:
        for column in ("version_id", "run_id", "model_id", "gate_id", "created_at"):
            batch_op.drop_index(batch_op.f(f"ix_gate_decisions_{column}"))
    op.drop_table("gate_decisions")
    with op.batch_alter_table("deploy_gates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deploy_gates_created_at"))
    op.drop_table("deploy_gates")
