"""The lifecycle of a model version (DESIGN.md section 4) and the rules that guard each change.

registered → training → trained → evaluating → evaluated → approved | rejected → deployed → retired

The table :data:`ALLOWED` lists every legal move. Beyond the straight line it allows what real
work needs: an imported model may be evaluated, approved or rejected without training; an
abandoned evaluation returns the version to the state it had before; an approved version may be
re-evaluated or rejected; a deployed version goes back to ``approved`` when its last deployment
is removed; any version except a retired one may be retired. ``retired`` is final.

Deploying needs ``approved`` while ``Settings.require_approval_to_deploy`` is true (the default:
a model that failed or skipped review does not go online by accident). An admin may override any
refusal with ``force``; the override needs a reason and is recorded in the history.
"""

from __future__ import annotations

from enum import StrEnum


class State(StrEnum):
    REGISTERED = "registered"
    TRAINING = "training"
    TRAINED = "trained"
    EVALUATING = "evaluating"
    EVALUATED = "evaluated"
    APPROVED = "approved"
    REJECTED = "rejected"
    DEPLOYED = "deployed"
    RETIRED = "retired"


class Kind(StrEnum):
    """What a version's files are: a full model, a LoRA/PEFT adapter over a base, a merge, a quantization."""

    BASE = "base"
    ADAPTER = "adapter"
    MERGED = "merged"
    QUANTIZED = "quantized"


ALLOWED: dict[State, frozenset[State]] = {
    State.REGISTERED: frozenset({State.TRAINING, State.EVALUATING, State.APPROVED, State.REJECTED, State.DEPLOYED,
                                 State.RETIRED}),
    State.TRAINING: frozenset({State.TRAINED, State.RETIRED}),
    State.TRAINED: frozenset({State.EVALUATING, State.APPROVED, State.REJECTED, State.DEPLOYED, State.RETIRED}),
    # Back to REGISTERED/TRAINED only when the evaluation is abandoned; see return_state.
    State.EVALUATING: frozenset({State.EVALUATED, State.REGISTERED, State.TRAINED, State.RETIRED}),
    State.EVALUATED: frozenset({State.EVALUATING, State.APPROVED, State.REJECTED, State.DEPLOYED, State.RETIRED}),
    State.APPROVED: frozenset({State.DEPLOYED, State.EVALUATING, State.REJECTED, State.RETIRED}),
    State.REJECTED: frozenset({State.EVALUATING, State.DEPLOYED, State.RETIRED}),
    State.DEPLOYED: frozenset({State.APPROVED, State.RETIRED}),
    State.RETIRED: frozenset(),
}
"""Moves allowed without ``force``; moves to DEPLOYED are further limited by :func:`refusal`."""

DEPLOYABLE = frozenset({State.APPROVED, State.DEPLOYED})
"""States :func:`llmore.models.service.resolve_reference` prefers for a bare model name."""


def refusal(current: State, target: State, *, require_approval: bool, label: str,
            evaluation_return: State | None = None) -> str | None:
    """Why moving ``label`` (e.g. "version 3 of chat-bot") from ``current`` to ``target`` is not allowed, or None.

    ``evaluation_return`` is the state the version had when its evaluation started (only that
    state may be returned to from ``evaluating``).
    """
    if current == target:
        return f"{label} is already {current.value}."
    if target is State.DEPLOYED and require_approval and current is not State.APPROVED:
        return (f"{label} is {current.value}; only approved versions can be deployed — approve it first, "
                "or an admin may override with force=true, which is logged.")
    if target not in ALLOWED[current]:
        allowed = ", ".join(sorted(s.value for s in ALLOWED[current])) or "none (retired is final)"
        return (f"{label} is {current.value} and cannot become {target.value} (allowed next: {allowed}); "
                "an admin may override with force=true, which is logged.")
    if current is State.EVALUATING and target in (State.REGISTERED, State.TRAINED) and target != evaluation_return:
        before = evaluation_return.value if evaluation_return else "unknown"
        return (f"{label} was {before} before its evaluation started; an abandoned evaluation returns it to "
                f"{before}, not {target.value}.")
    return None
