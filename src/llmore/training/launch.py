"""Running a training job in several processes: ``accelerate launch --config_file … -m llmore.training.launch <id>``.

The job's own process (the dispatcher's runner) plans the launch, writes the configs into the
run's folder and starts accelerate as a child; each launched process runs the same job function
on its share of the data. Rank 0 alone logs, reports metrics, saves and registers the result,
and leaves the result for the parent to return. A cancel (SIGTERM in the parent) kills the child.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from llmore.errors import AppError
from llmore.jobs.context import JobContext
from llmore.training.distributed import write_launch_files
from llmore.training.launch_plan import LaunchPlan

WORKER_ENV = "LLMORE_TRAINING_WORKER"  # set in launched processes: they train here instead of launching again
RESULT_FILE = "distributed-result.json"


def is_worker() -> bool:
    """Whether this process is one of a launched run's processes."""
    return WORKER_ENV in os.environ


def is_main_worker() -> bool:
    """Whether this process reports and saves: the only process of a plain run, rank 0 of a launched one."""
    return int(os.environ.get("RANK", "0")) == 0


def launch(ctx: JobContext, plan: LaunchPlan, precision: str) -> dict[str, Any]:
    """Train in ``plan.processes`` processes under accelerate and return rank 0's result."""
    config = write_launch_files(plan, precision, ctx.workdir)
    ctx.log(f"launching {plan.summary}; config {config}")
    command = [sys.executable, "-m", "accelerate.commands.launch", "--config_file", str(config)]
    command += ["-m", "llmore.training.launch", str(ctx.job_id)]
    result_file = ctx.workdir / RESULT_FILE
    result_file.unlink(missing_ok=True)
    finished = subprocess.run(command, env={**os.environ, WORKER_ENV: "1"}, check=False)
    if finished.returncode != 0 or not result_file.is_file():
        raise AppError(
            f"The {plan.processes} training processes failed (exit {finished.returncode}); the log above says why.",
            code="distributed_training_failed",
        )
    return dict(json.loads(result_file.read_text()))


def main(job_id: int) -> None:
    """One launched process: run the job's function; rank 0 writes the result for the parent."""
    from llmore.db.engine import make_engine, make_session_factory
    from llmore.jobs.models import Job
    from llmore.jobs.registry import get_kind
    from llmore.settings import load_settings

    settings = load_settings()
    factory = make_session_factory(make_engine(settings.effective_database_url))
    with factory() as session:
        job = session.get(Job, job_id)
        if job is None:
            raise SystemExit(f"job {job_id} does not exist")
        kind, raw = get_kind(job.kind), job.params
    with open(os.devnull, "w") as quiet:
        log = sys.stdout if is_main_worker() else quiet
        ctx = JobContext(job_id=job_id, settings=settings, session_factory=factory, log_file=log)
        result = kind.load()(ctx, kind.validate_params(raw))
    if is_main_worker():
        Path(ctx.workdir / RESULT_FILE).write_text(json.dumps(result))


if __name__ == "__main__":
    main(int(sys.argv[1]))
