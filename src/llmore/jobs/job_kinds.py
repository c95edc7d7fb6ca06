"""Job kinds of the jobs package itself: a small real workload for demos and tests."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from llmore.jobs.registry import JobKind


class GradientDescentParams(BaseModel):
    """Parameters of ``demo.gradient_descent``."""

    model_config = ConfigDict(extra="forbid")

    steps: int = Field(default=20, ge=1, le=100_000, description="Optimisation steps to run.")
    step_seconds: float = Field(default=0.5, ge=0, le=60, description="Pause per step, to watch it live.")
    learning_rate: float = Field(default=0.1, gt=0, le=2, description="Step size.")
    fail_at_step: int | None = Field(default=None, ge=1, description="Raise an error at this step (for testing).")


KINDS = [
    JobKind(
        name="demo.gradient_descent",
        target="llmore.jobs.demo:gradient_descent",
        description="Minimises a small quadratic by gradient descent, logging each step and the loss curve.",
        params=GradientDescentParams,
    ),
]
