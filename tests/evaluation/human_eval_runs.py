"""A finished evaluation run with answers, stored as real rows, for the human evaluation tests."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session, sessionmaker

from llmore.evaluation.models import EvalRecord, EvalRun
from llmore.jobs.models import Job
from llmore.jobs.states import JobState

LABELS = ("base:1", "tuned:1")


def make_run(session_factory: sessionmaker[Session], *, labels: Sequence[str] = LABELS, inputs: int = 4,
             state: JobState = JobState.SUCCEEDED, name: str = "arithmetic run") -> int:
    """A run of ``labels`` over ``inputs`` arithmetic questions (every model answers each); its id."""
    with session_factory.begin() as session:
        job = Job(kind="evaluation.run", name=name, state=state.value)
        session.add(job)
        session.flush()
        run = EvalRun(name=name, job_id=job.id, baseline=labels[0],
                      models=[{"label": label, "model_id": n + 1, "version_number": 1, "kind": "base"}
                              for n, label in enumerate(labels)],
                      summary={label: {"exact_match": 0.5} for label in labels})
        session.add(run)
        session.flush()
        session.add_all(
            EvalRecord(run_id=run.id, model_label=label, item_index=i, source="task",
                       input=[{"role": "user", "content": f"What is {i} + {i}?"}], reference=str(2 * i),
                       output=f"I think it is {2 * i + n}.", scores={"exact_match": float(n == 0)})
            for i in range(inputs) for n, label in enumerate(labels)
        )
        return run.id
