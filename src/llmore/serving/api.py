"""HTTP routes of the control plane for model workers: list, register, heartbeat, deregister."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from llmore.auth.permissions import Perm
from llmore.auth.service import Principal
from llmore.deps import DB, get_settings, requires
from llmore.serving import schemas
from llmore.serving import service as serving_service
from llmore.serving.models import Worker
from llmore.settings import Settings

router = APIRouter(prefix="/api/workers", tags=["workers"])


def _fields(worker: Worker) -> dict[str, object]:
    stored = [name for name in schemas.WorkerOut.model_fields if name not in ("live", "info")]
    return {**{name: getattr(worker, name) for name in stored},
            "live": serving_service.is_live(worker), "info": serving_service.public_info(worker)}


def _out(worker: Worker) -> schemas.WorkerOut:
    return schemas.WorkerOut.model_validate(_fields(worker))


@router.get("", response_model=list[schemas.WorkerOut], summary="Model workers known to the control plane")
def list_workers(_: Principal = requires(Perm.WORKERS_MANAGE), db: Session = DB) -> list[schemas.WorkerOut]:
    return [_out(w) for w in serving_service.list_workers(db)]


@router.post("/register", response_model=schemas.WorkerRegistered, status_code=201,
             summary="A worker announces itself and receives the secret the gateway will call it with")
def register(body: schemas.WorkerRegister, _: Principal = requires(Perm.WORKERS_MANAGE), db: Session = DB,
             settings: Settings = Depends(get_settings)) -> schemas.WorkerRegistered:
    worker = serving_service.register(db, **body.model_dump())
    secret = serving_service.secret_for(worker, settings.resolved_secret_key())
    return schemas.WorkerRegistered.model_validate({**_fields(worker), "gateway_secret": secret})


@router.post("/{worker_id}/heartbeat", response_model=schemas.WorkerOut, summary="A worker is still alive")
def heartbeat(worker_id: int, body: schemas.WorkerHeartbeat, _: Principal = requires(Perm.WORKERS_MANAGE),
              db: Session = DB) -> schemas.WorkerOut:
    return _out(serving_service.heartbeat(db, worker_id=worker_id, models=body.models, load=body.load))


@router.delete("/{worker_id}", response_model=schemas.WorkerOut, summary="A worker is stopping")
def deregister(worker_id: int, _: Principal = requires(Perm.WORKERS_MANAGE), db: Session = DB) -> schemas.WorkerOut:
    return _out(serving_service.deregister(db, worker_id=worker_id))
