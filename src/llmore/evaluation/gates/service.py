"""Logic of deploy gates: a gate's rules per model, and checking a version against a finished evaluation run.

A check judges every rule (:mod:`llmore.evaluation.gates.rules`) and moves the version through
the registry's lifecycle (:func:`llmore.models.service.transition`): to ``approved`` when all
rules pass, to ``rejected`` otherwise. The decision is stored either way; when the lifecycle
refuses the move (an already rejected version cannot become approved without a new evaluation,
a deployed one cannot be rejected) the refusal is recorded in the decision instead of hidden.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from llmore.auth.models import User
from llmore.auth.permissions import Perm
from llmore.auth.service import Principal
from llmore.db.crud import check_version, get_or_404
from llmore.errors import AppError, Conflict, Forbidden, NotFound
from llmore.evaluation.gates.models import DeployGate, GateDecision
from llmore.evaluation.gates.rules import RULES, Rule, evaluate
from llmore.evaluation.gates.schemas import GateReport
from llmore.evaluation.models import EvalRun
from llmore.evaluation.runs.service import finished_run
from llmore.models import service as registry
from llmore.models.lifecycle import State
from llmore.models.models import Model, ModelVersion
from llmore.pagination import PageParams, paginate

GATE_SORTABLE = {"created_at": DeployGate.created_at, "updated_at": DeployGate.updated_at, "id": DeployGate.id}
DECISION_SORTABLE = {"created_at": GateDecision.created_at, "id": GateDecision.id}


@dataclass
class Judgement:
    """A report and what it was made from, before anything is stored."""

    gate: DeployGate
    rules: list[Rule]
    version: ModelVersion
    report: GateReport


def find_gate(session: Session, model_id: int) -> DeployGate | None:
    return session.scalar(select(DeployGate).where(DeployGate.model_id == model_id))


def get_gate(session: Session, *, model_id: int) -> DeployGate:
    """The gate of model ``model_id``; 404 saying how to create one when it has none."""
    model = registry.get_model(session, model_id=model_id)
    gate = find_gate(session, model.id)
    if gate is None:
        raise NotFound(f"Model '{model.name}' has no deploy gate yet; set its rules with PUT "
                       f"/api/evaluation/gates/{model.id} or `llmore eval gate set {model.name} RULES.yaml`.",
                       code="no_gate", details=[{"field": "model_id", "message": "no gate"}])
    return gate


def list_gates(session: Session, params: PageParams) -> tuple[list[DeployGate], int]:
    """A page of gates of models that still exist (a deleted model's gate stays, hidden with it)."""
    stmt = select(DeployGate).join(Model, Model.id == DeployGate.model_id).where(Model.deleted_at.is_(None))
    rows, total = paginate(session, stmt, params, GATE_SORTABLE)
    return list(rows), total


def put_gate(session: Session, *, model_id: int, rules: list[Rule], description: str = "",
             version: int | None = None) -> DeployGate:
    """Create the model's gate or replace its rules; an edit must carry the gate's current ``version``."""
    model = registry.get_model(session, model_id=model_id)
    gate = find_gate(session, model.id)
    stored = RULES.dump_python(rules, mode="json", exclude_none=True)
    if gate is None:
        gate = DeployGate(model_id=model.id, rules=stored, description=description)
        session.add(gate)
    else:
        if version is None:
            raise Conflict(f"Model '{model.name}' already has a gate (version {gate.version}); send its version to "
                           "replace the rules.", code="stale_version",
                           details=[{"field": "body.version", "message": f"current version is {gate.version}"}])
        check_version(gate, version)
        gate.rules, gate.description = stored, description
    session.flush()
    return gate


def rules_of(gate: DeployGate) -> list[Rule]:
    return RULES.validate_python(gate.rules)


def _version_in_run(session: Session, model: Model, run: EvalRun, number: int | None) -> ModelVersion:
    """The version of ``model`` the run evaluated: ``number``, or the only one when ``number`` is None."""
    evaluated = sorted({int(entry["version_number"]) for entry in run.models if entry.get("model_id") == model.id})
    labels = ", ".join(str(entry.get("label")) for entry in run.models) or "nothing"
    if number is None and len(evaluated) != 1:
        problem = "no version" if not evaluated else f"versions {', '.join(map(str, evaluated))}"
        raise AppError(f"Evaluation run {run.id} '{run.name}' evaluated {problem} of '{model.name}' (it evaluated "
                       f"{labels}); " + ("name the version to check." if evaluated else "pick a run that did."),
                       code="version_not_in_run", details=[{"field": "body.number", "message": "choose a version"}])
    wanted = evaluated[0] if number is None else number
    if wanted not in evaluated:
        raise AppError(f"Evaluation run {run.id} '{run.name}' did not evaluate {model.name}:{wanted}; it evaluated "
                       f"{labels}. Evaluate that version first, or pick another run.", code="version_not_in_run",
                       details=[{"field": "body.number", "message": f"not in run {run.id}"}])
    return registry.get_version(session, model=model, number=wanted)


def judge(session: Session, *, model_id: int, run_id: int, number: int | None = None) -> Judgement:
    """Judge the gate's rules on a version's scores in a finished run, changing nothing."""
    gate = get_gate(session, model_id=model_id)
    model = registry.get_model(session, model_id=model_id)
    rules = rules_of(gate)
    if not rules:
        raise AppError(f"The deploy gate of '{model.name}' has no rules, so it cannot decide anything; add rules "
                       f"with PUT /api/evaluation/gates/{model.id}.", code="gate_without_rules",
                       details=[{"field": "rules", "message": "empty"}])
    run = finished_run(session, run_id)
    version = _version_in_run(session, model, run, number)
    label = registry.reference(version)
    baseline = run.baseline or None
    results = evaluate(rules, label=label, summary=run.summary, dimensions=run.dimensions, baseline=baseline,
                       run=f"evaluation run {run.id} '{run.name}'")
    report = GateReport(run_id=run.id, run_name=run.name, label=label, baseline=baseline,
                        passed=all(result.passed for result in results), results=results)
    return Judgement(gate=gate, rules=rules, version=version, report=report)


def check(session: Session, *, model_id: int, run_id: int, number: int | None, principal: Principal | None,
          require_approval: bool = True) -> GateDecision:
    """Judge a version and move it to approved or rejected; the decision is stored even when the move is refused.

    ``principal=None`` is LLMore itself. A caller must hold ``models:write`` as well as the gate's
    own permission: the check changes the version's lifecycle.
    """
    if principal is not None and not principal.has(Perm.MODELS_WRITE):
        raise Forbidden(f"A gate check moves the version through its lifecycle, which needs '{Perm.MODELS_WRITE.value}'"
                        f"; your roles ({', '.join(principal.roles) or 'none'}) lack it. Preview the report with "
                        "POST …/preview, or ask a developer or an admin.")
    found = judge(session, model_id=model_id, run_id=run_id, number=number)
    report, version = found.report, found.version
    decision = GateDecision(gate_id=found.gate.id, model_id=model_id, version_id=version.id, run_id=run_id,
                            label=report.label, baseline=report.baseline, passed=report.passed,
                            rules=RULES.dump_python(found.rules, mode="json", exclude_none=True),
                            results=[result.model_dump(mode="json") for result in report.results],
                            from_state=version.state)
    session.add(decision)
    session.flush()
    target = State.APPROVED if report.passed else State.REJECTED
    failed = sum(not result.passed for result in report.results)
    reason = (f"deploy gate decision {decision.id} on evaluation run {run_id} '{report.run_name}': "
              + ("every rule passed" if report.passed else f"{failed} of {len(report.results)} check(s) failed"))
    try:
        entry = registry.transition(session, version=version, to=target, reason=reason, principal=principal,
                                    require_approval=require_approval)
    except Conflict as refused:
        decision.refusal = refused.message
    else:
        decision.to_state, decision.transition_id = target.value, entry.id
    session.flush()
    return decision


def list_decisions(session: Session, params: PageParams, *, model_id: int | None = None, number: int | None = None,
                   run_id: int | None = None) -> tuple[list[GateDecision], int]:
    """A page of decisions, filtered by model (and version number) or run."""
    stmt = select(GateDecision)
    if model_id is not None:
        stmt = stmt.where(GateDecision.model_id == model_id)
        if number is not None:
            version = registry.get_version(session, model=registry.get_model(session, model_id=model_id),
                                           number=number)
            stmt = stmt.where(GateDecision.version_id == version.id)
    elif number is not None:
        raise AppError("A version number needs model_id too.", details=[{"field": "query.number",
                                                                           "message": "give model_id"}])
    if run_id is not None:
        stmt = stmt.where(GateDecision.run_id == run_id)
    rows, total = paginate(session, stmt, params, DECISION_SORTABLE)
    return list(rows), total


def get_decision(session: Session, decision_id: int) -> GateDecision:
    return get_or_404(session, GateDecision, decision_id, label="gate decision")


def decision_fields(session: Session, decision: GateDecision) -> dict[str, Any]:
    """What a decision's response adds to its columns: run name, version number, resulting state, who decided."""
    run = session.get(EvalRun, decision.run_id)
    user = session.get(User, decision.created_by) if decision.created_by is not None else None
    return {"run_name": run.name if run is not None else "", "state": decision.to_state or decision.from_state,
            "version_number": registry.get_version_by_id(session, decision.version_id).number,
            "decided_by": user.username if user is not None else None}
