"""Human evaluation tasks: creating one from a run (sample, rubric, assignment), listing and reading them.

Scoring and quality checks live in :mod:`llmore.evaluation.human.scoring`, results and the merge
into the run in :mod:`llmore.evaluation.human.results`.

Who sees a task: holders of ``evaluation:read`` or ``evaluation:review`` see every task; an
evaluator (``evaluation:score`` alone) sees the tasks they were given work in.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from llmore.auth.models import User
from llmore.auth.permissions import Perm, permissions_of
from llmore.auth.service import Principal
from llmore.db.crud import get_or_404
from llmore.errors import AppError, NotFound
from llmore.evaluation.human import schemas
from llmore.evaluation.human.models import HumanEvalAssignment, HumanEvalItem, HumanEvalTask
from llmore.evaluation.models import EvalRecord, EvalRun
from llmore.evaluation.runs.service import finished_run
from llmore.pagination import PageParams, paginate

SORTABLE = {"created_at": HumanEvalTask.created_at, "name": HumanEvalTask.name, "id": HumanEvalTask.id}
SCORER_ROLES = "annotator, reviewer or developer"


def _fail(field: str, message: str, summary: str) -> AppError:
    return AppError(summary, details=[{"field": field, "message": message}])


def sees_all(principal: Principal) -> bool:
    """Whether ``principal`` may see every task, not only those they score in."""
    return principal.has(Perm.EVALUATION_READ) or principal.has(Perm.EVALUATION_REVIEW)


def get_task(session: Session, principal: Principal, task_id: int) -> HumanEvalTask:
    """The task, if ``principal`` may see it (404 otherwise, like a missing one)."""
    task = get_or_404(session, HumanEvalTask, task_id, label="human evaluation task")
    if not sees_all(principal) and principal.user_id not in task.evaluator_ids:
        raise NotFound(f"No human evaluation task with id {task_id} gives you work.",
                       details=[{"field": "id", "message": "not assigned to you"}])
    return task


def list_tasks(session: Session, principal: Principal, params: PageParams) -> tuple[list[HumanEvalTask], int]:
    """A page of the tasks ``principal`` may see, newest first by default."""
    stmt = select(HumanEvalTask)
    if not sees_all(principal):
        mine = select(HumanEvalAssignment.task_id).where(HumanEvalAssignment.evaluator_id == principal.user_id)
        stmt = stmt.where(HumanEvalTask.id.in_(mine))
    rows, total = paginate(session, stmt, params, SORTABLE)
    return list(rows), total


def evaluators(session: Session) -> list[User]:
    """Active users who may score: they hold ``evaluation:score``."""
    # Roles live in a JSON list, which dialects query differently; user tables are small.
    users = session.scalars(select(User).where(User.is_active.is_(True)).order_by(User.username)).all()
    return [user for user in users if Perm.EVALUATION_SCORE in permissions_of(user.roles)]


# ---------------------------------------------------------------- creating a task


def _chosen_labels(run: EvalRun, models: Sequence[str] | None) -> list[str]:
    labels = [str(m["label"]) for m in run.models]
    if models is None:
        return labels
    for index, label in enumerate(models):
        if label not in labels:
            raise _fail(f"body.models.{index}", f"'{label}' is not a model of run {run.id}; choose from "
                        f"{', '.join(labels)}", f"Run {run.id} evaluated no model '{label}'.")
    return list(models)


def _checked_evaluators(session: Session, ids: Sequence[int], overlap: int) -> list[User]:
    users: list[User] = []
    for index, user_id in enumerate(ids):
        user = session.get(User, user_id)
        field = f"body.evaluator_ids.{index}"
        if user is None or user.is_deleted or not user.is_active:
            raise _fail(field, "unknown or inactive user", f"No active user with id {user_id} to assign work to.")
        if Perm.EVALUATION_SCORE not in permissions_of(user.roles):
            raise _fail(field, f"'{user.username}' lacks evaluation:score",
                        f"User '{user.username}' (roles: {', '.join(user.roles) or 'none'}) may not score: give "
                        f"them the {SCORER_ROLES} role, or choose someone else.")
        users.append(user)
    if overlap > len(users):
        raise _fail("body.overlap", f"overlap {overlap} needs at least {overlap} evaluators; {len(users)} chosen",
                    f"Each item is to be scored by {overlap} evaluators but only {len(users)} were chosen: "
                    "lower the overlap or add evaluators.")
    return users


def _sample(session: Session, run: EvalRun, labels: list[str], body: schemas.HumanTaskCreate) -> list[EvalRecord]:
    """The records of ``sample_size`` inputs that every chosen model answered, in a seeded random order."""
    stmt = select(EvalRecord).where(EvalRecord.run_id == run.id, EvalRecord.model_label.in_(labels))
    if body.source is not None:
        stmt = stmt.where(EvalRecord.source == body.source)
    by_input: dict[tuple[str, int], dict[str, EvalRecord]] = defaultdict(dict)
    for record in session.scalars(stmt):
        by_input[(record.source, record.item_index)][record.model_label] = record
    complete = sorted(key for key, answers in by_input.items() if len(answers) == len(labels))
    if body.sample_size > len(complete):
        where = f" of source '{body.source}'" if body.source else ""
        raise _fail("body.sample_size", f"at most {len(complete)}",
                    f"Run {run.id} has {len(complete)} inputs{where} answered by every chosen model, fewer than "
                    f"the {body.sample_size} asked for: lower the sample size.")
    rng = random.Random(body.seed)
    records = [by_input[key][label] for key in rng.sample(complete, body.sample_size) for label in labels]
    # Shuffled so one model's answers do not come in a recognisable rhythm.
    rng.shuffle(records)
    return records


def create_task(session: Session, body: schemas.HumanTaskCreate) -> HumanEvalTask:
    """Sample the run, make the items and hand each to ``overlap`` evaluators, balanced.

    Item ``i`` goes to evaluators ``i*k .. i*k+k-1`` (mod their number), so every evaluator gets
    the same number of items (±1) and, with overlap, every pair of evaluators shares items.
    """
    run = finished_run(session, body.run_id)
    labels = _chosen_labels(run, body.models)
    users = _checked_evaluators(session, body.evaluator_ids, body.overlap)
    records = _sample(session, run, labels, body)
    task = HumanEvalTask(name=body.name or f"Human evaluation of {run.name}", run_id=run.id,
                         instructions=body.instructions, criteria=[c.model_dump() for c in body.criteria],
                         models=labels, evaluator_ids=[u.id for u in users], sample_size=body.sample_size,
                         overlap=body.overlap, seed=body.seed)
    session.add(task)
    session.flush()
    items = [HumanEvalItem(task_id=task.id, record_id=r.id, model_label=r.model_label) for r in records]
    session.add_all(items)
    session.flush()
    queue_length = [0] * len(users)
    for index, item in enumerate(items):
        for offset in range(body.overlap):
            slot = (index * body.overlap + offset) % len(users)
            session.add(HumanEvalAssignment(task_id=task.id, item_id=item.id, evaluator_id=users[slot].id,
                                            position=queue_length[slot]))
            queue_length[slot] += 1
    session.flush()
    return task


# ---------------------------------------------------------------- reading


def usernames(session: Session, ids: Iterable[int]) -> dict[int, str]:
    """User id → username for ``ids``."""
    rows = session.execute(select(User.id, User.username).where(User.id.in_(set(ids))))
    return {user_id: username for user_id, username in rows}


def progress(session: Session, task: HumanEvalTask) -> list[schemas.HumanEvaluatorProgress]:
    """Each evaluator's assignments counted by state, in the order they were chosen."""
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    rows = session.execute(
        select(HumanEvalAssignment.evaluator_id, HumanEvalAssignment.state, func.count())
        .where(HumanEvalAssignment.task_id == task.id)
        .group_by(HumanEvalAssignment.evaluator_id, HumanEvalAssignment.state)
    )
    for evaluator_id, state, count in rows:
        counts[evaluator_id][state] = count
    names = usernames(session, task.evaluator_ids)
    return [schemas.HumanEvaluatorProgress(evaluator_id=uid, username=names.get(uid, f"user {uid}"),
                                      total=sum(counts[uid].values()), **counts[uid])
            for uid in task.evaluator_ids]


def is_complete(per_evaluator: Sequence[schemas.HumanEvaluatorProgress]) -> bool:
    """Whether a reviewer accepted every assignment of the task."""
    return any(p.total for p in per_evaluator) and all(p.accepted == p.total for p in per_evaluator)


def task_out(session: Session, task: HumanEvalTask) -> schemas.HumanTaskOut:
    """The task as the API shows it, with its progress."""
    run = session.get(EvalRun, task.run_id)
    per_evaluator = progress(session, task)
    assignments = sum(p.total for p in per_evaluator)
    accepted = sum(p.accepted for p in per_evaluator)
    items = session.scalar(select(func.count()).where(HumanEvalItem.task_id == task.id)) or 0
    fields = {name: getattr(task, name) for name in schemas.HumanTaskOut.model_fields if hasattr(task, name)}
    return schemas.HumanTaskOut(**fields, run_name=run.name if run else f"run {task.run_id}", items=items,
                           assignments=assignments, accepted=accepted, complete=is_complete(per_evaluator),
                           progress=per_evaluator)
