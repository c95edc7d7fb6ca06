"""Tables of deploy gates: one gate (its rules) per registered model, and every decision a gate made."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from llmore.db.base import Record


class DeployGate(Record):
    """The rules a version of one model must meet on an evaluation run before it is approved.

    ``rules`` holds the rules as validated by :mod:`llmore.evaluation.gates.rules` (JSON objects such
    as ``{"metric": "f1", "min": 0.8}`` or ``{"max_dimension_drop": 5}``).
    """

    __tablename__ = "deploy_gates"

    model_id: Mapped[int] = mapped_column(ForeignKey("models.id"), unique=True)
    rules: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    description: Mapped[str] = mapped_column(Text, default="")


class GateDecision(Record):
    """One check of a model version against an evaluation run: the rules as they were, each result, the outcome.

    ``created_by`` is who asked, ``created_at`` when. ``to_state`` is the state the version moved to
    (``approved`` or ``rejected``); it is ``None`` when the lifecycle refused the move, and
    ``refusal`` says why. ``transition_id`` is the entry the move added to the version's history.
    """

    __tablename__ = "gate_decisions"

    gate_id: Mapped[int] = mapped_column(ForeignKey("deploy_gates.id"), index=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("models.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("model_versions.id"), index=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("eval_runs.id"), index=True)
    label: Mapped[str] = mapped_column(String(200))
    baseline: Mapped[str | None] = mapped_column(String(200), default=None)
    passed: Mapped[bool] = mapped_column(Boolean)
    rules: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    results: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    from_state: Mapped[str] = mapped_column(String(16))
    to_state: Mapped[str | None] = mapped_column(String(16), default=None)
    refusal: Mapped[str | None] = mapped_column(Text, default=None)
    transition_id: Mapped[int | None] = mapped_column(ForeignKey("model_version_transitions.id"), default=None)
