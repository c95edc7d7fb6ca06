"""HTTP routes of the control plane for model workers: list, register, heartbeat, deregister."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy.orm import Session

from llmore.auth.permissions import Perm
from llmore.auth.service import Principal
from llmore.deps import DB, requires
from llmore.serving import schemas
from llmore.serving import service as serving_service
from llmore.serving.models import Worker

router = APIRouter(prefix="/api/workers", tags=["workers"])


def _out(worker: Worker) -> schemas.WorkerOut:
    return schemas.WorkerOut.model_validate(
        {**{c: getattr(worker, c) for c in schemas.WorkerOut.model_fields if c != "live"},
         "live": serving_service.is_live(worker)})


@router.get("", response_model=list[schemas.WorkerOut], summary="Model workers known to the control plane")
def list_workers(_: Principal = requires(Perm.WORKERS_MANAGE), db: Session = DB) -> list[schemas.WorkerOut]:
    return [_out(w) for w in serving_service.list_workers(db)]


@router.post("/register", response_model=schemas.WorkerOut, status_code=201, summary="A worker announces itself")
def register(body: schemas.WorkerRegister, _: Principal = requires(Perm.WORKERS_MANAGE),
             db: Session = DB) -> schemas.WorkerOut:
    return _out(serving_service.register(db, **body.model_dump()))


@router.post("/{worker_id}/heartbeat", response_model=schemas.WorkerOut, summary="A worker is still alive")
def heartbeat(worker_id: int, body: schemas.WorkerHeartbeat, _: Principal = requires(Perm.WORKERS_MANAGE),
              db: Session = DB) -> schemas.WorkerOut:
    return _out(serving_service.heartbeat(db, worker_id=worker_id, models=body.models, load=body.load))


@router.delete("/{worker_id}", response_model=schemas.WorkerOut, summary="A worker is stopping")
def deregister(worker_id: int, _: Principal = requires(Perm.WORKERS_MANAGE), db: Session = DB) -> schemas.WorkerOut:
    return _out(serving_service.deregister(db, worker_id=worker_id))
