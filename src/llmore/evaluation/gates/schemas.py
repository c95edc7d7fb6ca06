"""Request and response bodies of the deploy gate API."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from llmore.evaluation.gates.rules import Rule, RuleResult
from llmore.models.lifecycle import State
from llmore.schemas import RecordOut


class GateUpdate(BaseModel):
    """The whole rule set of a model's gate (replaces the stored one)."""

    model_config = ConfigDict(extra="forbid")

    rules: list[Rule] = Field(max_length=50, description="Every rule must pass for a version to be approved.")
    description: str = Field(default="", max_length=2000)
    version: int | None = Field(default=None, description="The gate row's `version` you saw (optimistic lock); "
                                "leave out when creating the gate.")


class GateOut(RecordOut):
    model_id: int
    model_name: str
    rules: list[Rule]
    description: str
    last_decision: DecisionOut | None = None


class CheckRequest(BaseModel):
    """Which finished run to judge, and which of the model's versions in it (needed when it evaluated several)."""

    model_config = ConfigDict(extra="forbid")

    run_id: int = Field(ge=1)
    number: int | None = Field(default=None, ge=1, description="The model version's number; default: the only "
                               "version of this model the run evaluated.")


class GateReport(BaseModel):
    """Every rule judged on one version's scores in one run; ``passed`` when all of them pass."""

    run_id: int
    run_name: str
    label: str = Field(description="The version as the run names it: name:N.")
    baseline: str | None
    passed: bool
    results: list[RuleResult]


class DecisionOut(RecordOut, GateReport):
    """A stored check: the report, the rules as they were, and what happened to the version."""

    gate_id: int
    model_id: int
    version_id: int
    version_number: int = Field(description="The version's number within its model.")
    rules: list[Rule]
    from_state: State
    to_state: State | None = Field(description="approved or rejected; null when the lifecycle refused the move.")
    refusal: str | None = Field(description="Why the lifecycle refused the move, when it did.")
    state: State = Field(description="The version's state after the decision.")
    decided_by: str | None = Field(description="Username of who asked for the check.")
    transition_id: int | None


GateOut.model_rebuild()
