"""Pydantic building blocks shared by every domain's schemas."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class RecordOut(BaseModel):
    """Fields every stored row exposes; ``version`` must be sent back on update."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    created_at: datetime
    updated_at: datetime
    created_by: int | None
    version: int


class VersionedUpdate(BaseModel):
    """Base of update bodies: the ``version`` the client last saw (optimistic locking)."""

    model_config = ConfigDict(extra="forbid")

    version: int
