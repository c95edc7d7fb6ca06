"""``llmore eval gate``: set a model's deploy gate, show it with its decisions, check a version against a run."""

from __future__ import annotations

from typing import Any

import typer
import yaml
from pydantic import ValidationError
from rich.table import Table
from sqlalchemy.orm import Session

from llmore.cli.common import AS_USER, acting_user, console, database, fail, settings_from
from llmore.evaluation.gates import service as gates
from llmore.evaluation.gates.models import GateDecision
from llmore.evaluation.gates.rules import RULES, Rule, RuleResult, describe
from llmore.models import service as registry
from llmore.models.models import Model
from llmore.pagination import PageParams

app = typer.Typer(help="Deploy gates: the rules a model version must meet on an evaluation run to be approved.",
                  no_args_is_help=True)

MODEL = typer.Argument(help="The model's name.")


def _parse_rules(texts: list[str]) -> list[Rule]:
    """Each ``--rule`` is one JSON or YAML flow mapping; errors name the option's position."""
    raw: list[Any] = []
    for position, text in enumerate(texts, start=1):
        try:
            raw.append(yaml.safe_load(text))
        except yaml.YAMLError as exc:
            fail(f"--rule {position} ({text!r}) is not JSON or YAML: {exc}")
    try:
        return RULES.validate_python(raw)
    except ValidationError as exc:
        problems = [f"  --rule {err['loc'][0] + 1}: {'.'.join(map(str, err['loc'][2:])) or 'rule'}: {err['msg']}"
                    for err in exc.errors()]
        fail("Each --rule is one of {metric: NAME, min: X, max: Y}, {dimension: NAME, min: 0..100} or "
             "{max_dimension_drop: POINTS}:\n" + "\n".join(problems))


def _model(session: Session, name: str) -> Model:
    return registry.get_model_by_name(session, name, field="MODEL")


@app.command("set")
def set_gate(
    ctx: typer.Context,
    model: str = MODEL,
    rule: list[str] = typer.Option(..., "--rule", "-r", help="A rule as JSON or YAML, e.g. '{metric: f1, min: "
                                   "0.8}' or '{max_dimension_drop: 5}' (repeat; replaces all rules)."),
    description: str = typer.Option("", help="What the gate is for."),
    as_user: str = AS_USER,
) -> None:
    """Create the model's gate or replace all its rules."""
    rules = _parse_rules(rule)
    with database(settings_from(ctx)) as session:
        acting_user(session, as_user)
        found = _model(session, model)
        existing = gates.find_gate(session, found.id)
        gates.put_gate(session, model_id=found.id, rules=rules, description=description,
                       version=existing.version if existing else None)
    console.print(f"Gate of [bold]{model}[/]: " + "; ".join(describe(r) for r in rules))


def _decisions_table(session: Session, decisions: list[GateDecision]) -> Table:
    table = Table("decision", "when", "version", "run", "passed", "state", "by", title="Decisions")
    for decision in decisions:
        extra = gates.decision_fields(session, decision)
        state = decision.to_state or f"{decision.from_state} (move refused)"
        table.add_row(str(decision.id), f"{decision.created_at:%Y-%m-%d %H:%M}", decision.label,
                      f"{decision.run_id} {extra['run_name']}", "yes" if decision.passed else "[red]no[/]", state,
                      extra["decided_by"] or "LLMore")
    return table


@app.command("show")
def show(ctx: typer.Context, model: str = MODEL) -> None:
    """The model's rules and its latest decisions."""
    with database(settings_from(ctx)) as session:
        found = _model(session, model)
        gate = gates.get_gate(session, model_id=found.id)
        about = f": {gate.description}" if gate.description else ""
        console.print(f"Gate of [bold]{model}[/] (version {gate.version}){about}")
        for index, rule in enumerate(gates.rules_of(gate)):
            console.print(f"  {index}. {describe(rule)}")
        decisions, total = gates.list_decisions(session, PageParams(page_size=10), model_id=found.id)
        if decisions:
            console.print(_decisions_table(session, decisions))
        console.print(f"{total} decision(s)")


def _report_table(results: list[RuleResult]) -> Table:
    table = Table("rule", "check", "value", "threshold", "baseline", "result", "message")
    for result in results:
        table.add_row(str(result.rule), f"{result.kind} {result.subject}", f"{result.value:.4g}",
                      f"{result.op} {result.threshold:.4g}",
                      "" if result.baseline is None else f"{result.baseline:.4g}",
                      "[green]pass[/]" if result.passed else "[red]FAIL[/]", result.message)
    return table


@app.command("check")
def check(
    ctx: typer.Context,
    ref: str = typer.Argument(help="The version: name:N, name@alias, or the name alone when the run evaluated one "
                              "version of it."),
    run: int = typer.Option(..., "--run", help="A finished evaluation run that evaluated the version."),
    preview: bool = typer.Option(False, help="Only show the report; change nothing (no --as needed)."),
    as_user: str = AS_USER,
) -> None:
    """Judge a version's scores in a run: all rules pass → approved, else rejected. Exits 1 when a rule fails."""
    settings = settings_from(ctx)
    with database(settings) as session:
        if ":" in ref or "@" in ref:
            version = registry.resolve_reference(session, ref, field="REF")
            model_id, number = version.model_id, version.number
        else:
            model_id, number = _model(session, ref).id, None
        if preview:
            report = gates.judge(session, model_id=model_id, run_id=run, number=number).report
            label, run_name, passed, results = report.label, report.run_name, report.passed, report.results
            outcome = "would be approved" if passed else "would be rejected"
        else:
            decision = gates.check(session, model_id=model_id, run_id=run, number=number,
                                   principal=acting_user(session, as_user),
                                   require_approval=settings.require_approval_to_deploy)
            label, passed = decision.label, decision.passed
            run_name = gates.decision_fields(session, decision)["run_name"]
            results = [RuleResult.model_validate(result) for result in decision.results]
            outcome = (f"{decision.from_state} → {decision.to_state} (decision {decision.id})" if decision.to_state
                       else f"stays {decision.from_state}: {decision.refusal} (decision {decision.id})")
    console.print(_report_table(results))
    console.print(f"{label} on run {run} '{run_name}': {'[green]passed[/]' if passed else '[red]failed[/]'}; {outcome}")
    if not passed:
        raise typer.Exit(1)
