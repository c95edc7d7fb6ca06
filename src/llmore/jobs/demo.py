"""The ``demo.gradient_descent`` job: a tiny real optimisation that exercises every JobContext feature."""

from __future__ import annotations

import time

from llmore.jobs.context import JobContext
from llmore.jobs.job_kinds import GradientDescentParams

TARGET = (3.0, -2.0)


def gradient_descent(ctx: JobContext, params: GradientDescentParams) -> dict[str, float]:
    """Minimise ``(x - 3)^2 + (y + 2)^2`` from the origin; returns the final point and loss."""
    x, y = 0.0, 0.0
    loss = (x - TARGET[0]) ** 2 + (y - TARGET[1]) ** 2
    ctx.log(f"minimising (x-3)^2 + (y+2)^2 for {params.steps} steps, lr={params.learning_rate}")
    for step in range(1, params.steps + 1):
        if params.fail_at_step == step:
            raise RuntimeError(f"failing at step {step} as requested by fail_at_step")
        x -= params.learning_rate * 2 * (x - TARGET[0])
        y -= params.learning_rate * 2 * (y - TARGET[1])
        loss = (x - TARGET[0]) ** 2 + (y - TARGET[1]) ** 2
        ctx.metrics({"loss": loss, "x": x, "y": y}, step=step)
        ctx.log(f"step {step}/{params.steps} loss={loss:.6f}")
        ctx.progress(step, params.steps, f"step {step}/{params.steps}")
        time.sleep(params.step_seconds)
    return {"x": x, "y": y, "loss": loss}
