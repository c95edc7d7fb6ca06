"""Job kinds of the evaluation domain."""

from __future__ import annotations

from llmore.jobs.registry import JobKind

KINDS: list[JobKind] = [
    JobKind(
        name="evaluation.run",
        target="llmore.evaluation.runs.jobs:evaluation_job",
        description="Evaluate model versions: batched generation, task metrics and the general suite, per-example "
                    "records (the run is the eval_runs row of this job).",
    ),
]
