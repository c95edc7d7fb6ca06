"""HTTP routes of deploy gates: each model's rules, previews and checks of a version, and the decisions made."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from llmore.auth.permissions import Perm
from llmore.auth.service import Principal
from llmore.deps import DB, get_settings, requires
from llmore.evaluation.gates import schemas
from llmore.evaluation.gates import service as gates
from llmore.evaluation.gates.models import DeployGate, GateDecision
from llmore.models import service as registry
from llmore.pagination import Page, PageParams, page_params
from llmore.settings import Settings

router = APIRouter(prefix="/api/evaluation/gates", tags=["deploy-gates"])


def decision_out(db: Session, decision: GateDecision) -> schemas.DecisionOut:
    extra = gates.decision_fields(db, decision)
    return schemas.DecisionOut(**{name: getattr(decision, name) for name in schemas.DecisionOut.model_fields
                                  if name not in extra}, **extra)


def _gate_out(db: Session, gate: DeployGate) -> schemas.GateOut:
    model = registry.get_model(db, model_id=gate.model_id)
    last, _ = gates.list_decisions(db, PageParams(page_size=1), model_id=gate.model_id)
    return schemas.GateOut(**{name: getattr(gate, name) for name in ("id", "created_at", "updated_at", "created_by",
                                                                     "version", "model_id", "description")},
                           model_name=model.name, rules=gates.rules_of(gate),
                           last_decision=decision_out(db, last[0]) if last else None)


@router.get("", response_model=Page[schemas.GateOut], summary="List the models' deploy gates")
def list_gates(_: Principal = requires(Perm.EVALUATION_READ), params: PageParams = Depends(page_params),
               db: Session = DB) -> Page[schemas.GateOut]:
    rows, total = gates.list_gates(db, params)
    return Page(items=[_gate_out(db, gate) for gate in rows], total=total, page=params.page,
                page_size=params.page_size)


@router.get("/decisions", response_model=Page[schemas.DecisionOut],
            summary="Gate decisions, newest first; filter by model (and version number) or run")
def list_decisions(
    _: Principal = requires(Perm.EVALUATION_READ),
    params: PageParams = Depends(page_params),
    model_id: int | None = Query(None, ge=1),
    number: int | None = Query(None, ge=1, description="A version number of model_id."),
    run_id: int | None = Query(None, ge=1),
    db: Session = DB,
) -> Page[schemas.DecisionOut]:
    rows, total = gates.list_decisions(db, params, model_id=model_id, number=number, run_id=run_id)
    return Page(items=[decision_out(db, row) for row in rows], total=total, page=params.page,
                page_size=params.page_size)


@router.get("/decisions/{decision_id}", response_model=schemas.DecisionOut, summary="One gate decision")
def get_decision(decision_id: int, _: Principal = requires(Perm.EVALUATION_READ), db: Session = DB
                 ) -> schemas.DecisionOut:
    return decision_out(db, gates.get_decision(db, decision_id))


@router.get("/{model_id}", response_model=schemas.GateOut, summary="A model's deploy gate")
def get_gate(model_id: int, _: Principal = requires(Perm.EVALUATION_READ), db: Session = DB) -> schemas.GateOut:
    return _gate_out(db, gates.get_gate(db, model_id=model_id))


@router.put("/{model_id}", response_model=schemas.GateOut, summary="Create a model's gate or replace its rules")
def put_gate(model_id: int, body: schemas.GateUpdate, _: Principal = requires(Perm.EVALUATION_WRITE),
             db: Session = DB) -> schemas.GateOut:
    gate = gates.put_gate(db, model_id=model_id, rules=body.rules, description=body.description, version=body.version)
    return _gate_out(db, gate)


@router.post("/{model_id}/preview", response_model=schemas.GateReport,
             summary="Judge a version's scores in a finished run against the gate, changing nothing")
def preview(model_id: int, body: schemas.CheckRequest, _: Principal = requires(Perm.EVALUATION_READ),
            db: Session = DB) -> schemas.GateReport:
    return gates.judge(db, model_id=model_id, run_id=body.run_id, number=body.number).report


@router.post("/{model_id}/check", response_model=schemas.DecisionOut, status_code=201,
             summary="Judge a version and move it to approved (all rules pass) or rejected; needs models:write too")
def check(model_id: int, body: schemas.CheckRequest, principal: Principal = requires(Perm.EVALUATION_WRITE),
          db: Session = DB, settings: Settings = Depends(get_settings)) -> schemas.DecisionOut:
    decision = gates.check(db, model_id=model_id, run_id=body.run_id, number=body.number, principal=principal,
                           require_approval=settings.require_approval_to_deploy)
    return decision_out(db, decision)
