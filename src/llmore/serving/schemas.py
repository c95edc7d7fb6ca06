"""Request and response bodies of the control plane's worker routes (``/api/workers``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class WorkerRegister(BaseModel):
    """What a worker says about itself when it starts."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    url: str = Field(min_length=1, max_length=500, pattern=r"^https?://", description="Where the gateway reaches it.")
    engine: str = Field(min_length=1, max_length=32)
    models: list[str] = Field(min_length=1, max_length=1000)
    heartbeat_seconds: float = Field(5.0, gt=0, le=3600)
    info: dict[str, Any] = Field(default_factory=dict)


class WorkerHeartbeat(BaseModel):
    """A worker's periodic sign of life, with what it serves now and how busy it is."""

    model_config = ConfigDict(extra="forbid")

    models: list[str] | None = Field(None, max_length=1000)
    load: dict[str, float] = Field(default_factory=dict)


class WorkerOut(BaseModel):
    """A worker as the control plane sees it; ``live`` is false once it missed its heartbeats."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    url: str
    engine: str
    models: list[str]
    state: str
    live: bool
    heartbeat_seconds: float
    last_heartbeat: datetime
    load: dict[str, Any]
    info: dict[str, Any]
    created_at: datetime


class WorkerRegistered(WorkerOut):
    """The answer to a registration: the worker, and the secret the gateway will present to it."""

    gateway_secret: str = Field(description="Accept this as Bearer credential from the gateway (until the next "
                                            "registration); shown only here.")
