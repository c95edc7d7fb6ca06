"""Tables of human evaluation: tasks over an eval run's records, the sampled items, and who scores which.

A task samples inputs of one run and shows every chosen model's answer to each (an *item* is one
eval record). Each item is *assigned* to one evaluator (round-robin) or to ``overlap`` of them; an
assignment carries that evaluator's scores and its quality check by a reviewer.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from llmore.db.base import Record
from llmore.db.types import UTCDateTime


class HumanEvalTask(Record):
    """A human evaluation of some of a run's answers.

    ``criteria`` is the rubric: ``[{"name", "description", "scale"}]``, each scored 1..scale.
    ``models`` lists the run's model labels whose answers are scored; ``evaluator_ids`` the users
    who score. ``merged_at`` is when the accepted scores were last written into the run.
    """

    __tablename__ = "human_eval_tasks"

    name: Mapped[str] = mapped_column(String(200))
    run_id: Mapped[int] = mapped_column(ForeignKey("eval_runs.id"), index=True)
    instructions: Mapped[str] = mapped_column(Text, default="")
    criteria: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    models: Mapped[list[str]] = mapped_column(JSON, default=list)
    evaluator_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    sample_size: Mapped[int] = mapped_column(Integer)
    overlap: Mapped[int] = mapped_column(Integer, default=1)
    seed: Mapped[int] = mapped_column(Integer, default=0)
    merged_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class HumanEvalItem(Record):
    """One eval record (one model's answer to one input) sampled into a task."""

    __tablename__ = "human_eval_items"
    __table_args__ = (UniqueConstraint("task_id", "record_id", name="uq_human_eval_items_task_record"),)

    task_id: Mapped[int] = mapped_column(ForeignKey("human_eval_tasks.id"), index=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("eval_records.id"))
    model_label: Mapped[str] = mapped_column(String(200))


class HumanEvalAssignment(Record):
    """One item given to one evaluator: their scores and the reviewer's verdict.

    ``state``: ``pending`` → ``scored`` (or ``skipped``, which comes back after the pending ones)
    → ``accepted`` or ``returned`` (with ``review_comment``; the evaluator scores it again).
    ``position`` orders the evaluator's queue.
    """

    __tablename__ = "human_eval_assignments"
    __table_args__ = (UniqueConstraint("item_id", "evaluator_id", name="uq_human_eval_assignments_item_evaluator"),)

    task_id: Mapped[int] = mapped_column(ForeignKey("human_eval_tasks.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("human_eval_items.id"))
    evaluator_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    scores: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    comment: Mapped[str] = mapped_column(Text, default="")
    scored_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    review_comment: Mapped[str] = mapped_column(Text, default="")
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    returns: Mapped[int] = mapped_column(Integer, default=0)
