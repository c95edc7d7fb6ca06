"""Tables of evaluation runs: one row per run (config, models, summary, dimension scores) and one per scored answer."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from llmore.db.base import Record


class EvalRun(Record):
    """An evaluation of one or more model versions, run by the job ``job_id``.

    ``models`` lists ``{"label": "name:N", "model_id", "version_number", "kind"}`` in request order;
    ``summary`` maps each label to its corpus-level metrics (``{"accuracy": 0.8, "suite_overall": …}``);
    ``dimensions`` maps each label to its general-suite dimension scores (0..100); ``details`` each label to
    what the task metrics add (``per_label`` precision/recall/F1 and support, ``unknown_predictions``).
    """

    __tablename__ = "eval_runs"

    name: Mapped[str] = mapped_column(String(200))
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id"), unique=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    config: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    models: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    baseline: Mapped[str] = mapped_column(String(200), default="")
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    dimensions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class EvalRecord(Record):
    """One model's answer to one evaluation item: the messages sent, the reference, the output and its scores.

    ``source`` is ``task`` (the dataset), ``suite`` (the general suite) or ``benchmark:<file stem>``.
    """

    __tablename__ = "eval_records"

    run_id: Mapped[int] = mapped_column(ForeignKey("eval_runs.id"), index=True)
    model_label: Mapped[str] = mapped_column(String(200), index=True)
    item_index: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(64))
    dimension: Mapped[str | None] = mapped_column(String(32), default=None)
    input: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    reference: Mapped[str | None] = mapped_column(Text, default=None)
    output: Mapped[str] = mapped_column(Text, default="")
    scores: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
