"""Tables of the serving domain: the model workers known to the control plane."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from llmore.db.base import Record
from llmore.db.types import UTCDateTime, utcnow


class Worker(Record):
    """A running ``llmore worker``: where it listens, what it serves, when it last said it was alive.

    A worker is live while ``state`` is ``ready`` and its last heartbeat is younger than
    ``heartbeat_seconds`` × :data:`llmore.serving.service.MISSED_HEARTBEATS`; the gateway routes
    only to live workers. ``load`` is what the worker reported last (``running``, ``waiting``).
    """

    __tablename__ = "workers"
    __table_args__ = (Index("ix_workers_live_state", "deleted_at", "state"),)

    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(500), index=True)
    engine: Mapped[str] = mapped_column(String(32))
    models: Mapped[list[str]] = mapped_column(JSON, default=list)
    state: Mapped[str] = mapped_column(String(16), default="ready")
    heartbeat_seconds: Mapped[float] = mapped_column(Float, default=5.0)
    last_heartbeat: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    load: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    info: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
