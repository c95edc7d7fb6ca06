"""The control plane's worker registry: register, heartbeat, drop the silent, find who serves a model."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from llmore.db.crud import get_or_404
from llmore.db.types import utcnow
from llmore.errors import NotFound
from llmore.serving.models import Worker
from llmore.serving.worker_auth import gateway_secret, new_nonce

MISSED_HEARTBEATS = 3
"""A worker silent for this many heartbeat intervals is dropped from ``/v1/models`` and routing."""
READY, STOPPED = "ready", "stopped"
NONCE_KEY = "gateway_nonce"
"""Where in ``Worker.info`` the nonce of the worker's current gateway secret is kept (never shown)."""


def is_live(worker: Worker) -> bool:
    """Whether ``worker`` is ready and has beaten within :data:`MISSED_HEARTBEATS` intervals."""
    deadline = utcnow() - timedelta(seconds=worker.heartbeat_seconds * MISSED_HEARTBEATS)
    return worker.state == READY and worker.last_heartbeat >= deadline


def register(session: Session, *, name: str, url: str, engine: str, models: list[str], heartbeat_seconds: float,
             info: dict[str, object]) -> Worker:
    """Record a starting worker; a worker registering again at the same URL reuses its row.

    Every registration draws a new nonce, so the gateway secret of an earlier one stops working.
    """
    worker = session.scalars(select(Worker).where(Worker.url == url).order_by(Worker.id.desc())).first()
    if worker is None:
        worker = Worker(url=url)
        session.add(worker)
    worker.name, worker.engine, worker.models = name, engine, list(models)
    worker.heartbeat_seconds, worker.info = heartbeat_seconds, {**info, NONCE_KEY: new_nonce()}
    worker.state, worker.last_heartbeat, worker.load = READY, utcnow(), {}
    session.flush()
    return worker


def secret_for(worker: Worker, secret_key: str) -> str:
    """The secret the gateway sends to ``worker`` (derived, never stored; see :mod:`.worker_auth`)."""
    return gateway_secret(secret_key, worker.id, str((worker.info or {}).get(NONCE_KEY, "")))


def public_info(worker: Worker) -> dict[str, object]:
    """``worker.info`` as shown to managers: without the nonce."""
    return {k: v for k, v in (worker.info or {}).items() if k != NONCE_KEY}


def heartbeat(session: Session, *, worker_id: int, models: list[str] | None, load: dict[str, float]) -> Worker:
    """Note that the worker is alive; 404 when it was dropped meanwhile (it must register again)."""
    worker = get_or_404(session, Worker, worker_id, label="worker")
    if not is_live(worker):
        raise NotFound(f"Worker {worker_id} missed its heartbeats and was dropped; register again.",
                       code="worker_dropped")
    worker.last_heartbeat = utcnow()
    worker.load = dict(load)
    if models is not None:
        worker.models = list(models)
    return worker


def deregister(session: Session, *, worker_id: int) -> Worker:
    """A worker that is stopping: stop routing to it at once."""
    worker = get_or_404(session, Worker, worker_id, label="worker")
    worker.state = STOPPED
    return worker


def list_workers(session: Session) -> list[Worker]:
    """Every recorded worker, newest first (stopped and lost ones too)."""
    return list(session.scalars(select(Worker).order_by(Worker.id.desc())))


def live_workers(session: Session) -> list[Worker]:
    """The workers the gateway may route to now."""
    rows = session.scalars(select(Worker).where(Worker.state == READY).order_by(Worker.id))
    return [worker for worker in rows if is_live(worker)]


def workers_for(session: Session, model: str) -> list[Worker]:
    """Live workers serving ``model``; 404 (OpenAI's ``model_not_found``) when there is none."""
    found = [worker for worker in live_workers(session) if model in worker.models]
    if not found:
        raise NotFound(f"The model {model!r} does not exist or no live worker serves it; GET /v1/models lists "
                       "the models available now.", code="model_not_found", details=[{"field": "model",
                                                                                      "message": "not served"}])
    return found
