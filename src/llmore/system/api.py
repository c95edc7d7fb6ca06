"""Health, readiness, metrics, version, configuration and dashboard routes."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.orm import Session

from llmore import __version__
from llmore.auth.permissions import Perm
from llmore.auth.service import Principal
from llmore.db.migrate import current_revision, head_revision
from llmore.deps import DB, get_settings, public, requires
from llmore.errors import error_body
from llmore.settings import Settings
from llmore.system import service

router = APIRouter(tags=["system"])


class Health(BaseModel):
    status: str
    version: str


@router.get("/healthz", response_model=Health, summary="Liveness: the process answers")
def healthz(_: None = public()) -> Health:
    return Health(status="ok", version=__version__)


@router.get("/readyz", summary="Readiness: the database answers and is migrated")
def readyz(request: Request, _: None = public(), settings: Settings = Depends(get_settings)) -> Any:
    engine = request.app.state.engine
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        current, head = current_revision(engine), head_revision(settings.effective_database_url)
    except Exception as exc:  # any driver error means "not ready", reported, not raised
        return Response(
            content=_json(error_body("not_ready", f"Database unreachable: {type(exc).__name__}")),
            status_code=503,
            media_type="application/json",
        )
    if current != head:
        return Response(
            content=_json(
                error_body(
                    "not_ready", f"Database at revision {current}, code expects {head}; run `llmore db upgrade`."
                )
            ),
            status_code=503,
            media_type="application/json",
        )
    return {"status": "ready", "database_revision": current}


def _json(body: dict[str, Any]) -> str:
    import json

    return json.dumps(body)


@router.get("/metrics", summary="Prometheus metrics (scrape with an API key holding metrics:read)")
def metrics(request: Request, _: Principal = requires(Perm.METRICS_READ)) -> Response:
    return Response(generate_latest(request.app.state.http_metrics.registry), media_type=CONTENT_TYPE_LATEST)


@router.get("/api/version", response_model=Health, tags=["system"], summary="Server version")
def version(_: Principal = requires(Perm.SELF)) -> Health:
    return Health(status="ok", version=__version__)


@router.get("/api/system/config", summary="Effective configuration with secrets masked")
def config(_: Principal = requires(Perm.SYSTEM_READ), settings: Settings = Depends(get_settings)) -> dict[str, Any]:
    return settings.masked()


@router.get("/api/dashboard", response_model=service.DashboardCounts, summary="Counts for the console dashboard")
def dashboard(_: Principal = requires(Perm.DASHBOARD_READ), db: Session = DB) -> service.DashboardCounts:
    return service.dashboard_counts(db)
