"""An evaluator's queue and scores, and the reviewers' quality check of them.

The queue serves items sent back by a reviewer first, then pending ones in queue order, then
skipped ones. Evaluators see the input, reference and output but never which model wrote it.
Accepting the last open assignment of a task merges its results into the run.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from llmore.auth.service import Principal
from llmore.db.crud import get_or_404
from llmore.db.types import utcnow
from llmore.errors import AppError, Conflict, Forbidden
from llmore.evaluation.human import results, schemas
from llmore.evaluation.human.models import HumanEvalAssignment, HumanEvalItem, HumanEvalTask
from llmore.evaluation.human.schemas import HumanAssignmentState as State
from llmore.evaluation.human.service import get_task, is_complete, progress, usernames
from llmore.evaluation.models import EvalRecord
from llmore.pagination import PageParams, paginate

OPEN = (State.RETURNED, State.PENDING, State.SKIPPED)
QUEUE_ORDER = case({State.RETURNED.value: 0, State.PENDING.value: 1}, value=HumanEvalAssignment.state, else_=2)
REVIEW_SORTABLE = {"id": HumanEvalAssignment.id, "scored_at": HumanEvalAssignment.scored_at,
                   "reviewed_at": HumanEvalAssignment.reviewed_at}


def _views(session: Session, assignments: Sequence[HumanEvalAssignment]) -> list[dict[str, Any]]:
    """The fields every viewer of an assignment gets: the item's texts, not its model (one query for all)."""
    rows = session.execute(
        select(HumanEvalItem.id, EvalRecord).join(EvalRecord, EvalRecord.id == HumanEvalItem.record_id)
        .where(HumanEvalItem.id.in_({a.item_id for a in assignments})))
    records = {item_id: record for item_id, record in rows}
    return [{
        "id": a.id, "task_id": a.task_id, "position": a.position, "state": a.state, "scores": a.scores,
        "comment": a.comment, "review_comment": a.review_comment, "returns": a.returns, "scored_at": a.scored_at,
        "input": [{"role": str(m.get("role", "")), "content": str(m.get("content", ""))}
                  for m in records[a.item_id].input],
        "reference": records[a.item_id].reference,
        "output": records[a.item_id].output,
    } for a in assignments]


def _own(session: Session, principal: Principal, assignment_id: int) -> HumanEvalAssignment:
    assignment = get_or_404(session, HumanEvalAssignment, assignment_id, label="assignment")
    if assignment.evaluator_id != principal.user_id:
        raise Forbidden(f"Assignment {assignment_id} belongs to another evaluator; score the items of your own "
                        "queue (GET /api/evaluation/human/tasks/{id}/next).",
                        details=[{"field": "id", "message": "not assigned to you"}])
    return assignment


# ---------------------------------------------------------------- evaluators


def queue(session: Session, principal: Principal, task_id: int) -> schemas.HumanQueue:
    """The caller's next item in the task and their counts."""
    get_task(session, principal, task_id)
    mine = (HumanEvalAssignment.task_id == task_id, HumanEvalAssignment.evaluator_id == principal.user_id)
    counts: dict[str, int] = {state: n for state, n in session.execute(
        select(HumanEvalAssignment.state, func.count()).where(*mine).group_by(HumanEvalAssignment.state))}
    remaining = sum(counts.get(state, 0) for state in OPEN)
    following = session.scalars(select(HumanEvalAssignment).where(*mine, HumanEvalAssignment.state.in_(OPEN))
                                .order_by(QUEUE_ORDER, HumanEvalAssignment.position).limit(1)).first()
    item = assignment_out(session, following) if following else None
    total = sum(counts.values())
    return schemas.HumanQueue(task_id=task_id, total=total, done=total - remaining, remaining=remaining, item=item)


def _checked_scores(task: HumanEvalTask, scores: dict[str, int]) -> dict[str, int]:
    criteria = {c["name"]: int(c["scale"]) for c in task.criteria}
    problems = [{"field": f"body.scores.{name}", "message": f"not a criterion of this task ({', '.join(criteria)})"}
                for name in scores if name not in criteria]
    for name, scale in criteria.items():
        if name not in scores:
            problems.append({"field": f"body.scores.{name}", "message": f"missing: score {name} from 1 to {scale}"})
        elif not 1 <= scores[name] <= scale:
            problems.append({"field": f"body.scores.{name}",
                             "message": f"{scores[name]} is outside {name}'s scale 1..{scale}"})
    if problems:
        first = problems[0]["message"]
        raise AppError(f"The scores do not fit the rubric ({first}); give each criterion one score on its scale.",
                       code="invalid_scores", details=problems)
    return {name: scores[name] for name in criteria}


def score(session: Session, principal: Principal, assignment_id: int, body: schemas.HumanScoreIn
          ) -> HumanEvalAssignment:
    """Record the caller's scores for one of their items (again, after a reviewer sent it back)."""
    assignment = _own(session, principal, assignment_id)
    if assignment.state == State.ACCEPTED:
        raise Conflict("A reviewer already accepted these scores; they can no longer change.",
                       details=[{"field": "id", "message": "accepted"}])
    task = session.get(HumanEvalTask, assignment.task_id)
    assert task is not None  # an assignment's task is never hard-deleted
    assignment.scores = _checked_scores(task, body.scores)
    assignment.comment = body.comment
    assignment.state = State.SCORED
    assignment.scored_at = utcnow()
    session.flush()
    return assignment


def skip(session: Session, principal: Principal, assignment_id: int) -> HumanEvalAssignment:
    """Put one of the caller's open items behind the others; it stays theirs to score."""
    assignment = _own(session, principal, assignment_id)
    if assignment.state not in OPEN:
        raise Conflict(f"This item is already {assignment.state}; only items still to score can be skipped.",
                       details=[{"field": "id", "message": assignment.state}])
    assignment.state = State.SKIPPED
    session.flush()
    return assignment


# ---------------------------------------------------------------- reviewers


def review_list(session: Session, principal: Principal, task_id: int, params: PageParams,
                state: State | None) -> tuple[list[schemas.HumanReviewedAssignment], int]:
    """A page of the task's assignments for reviewers, with who scored each."""
    get_task(session, principal, task_id)
    stmt = select(HumanEvalAssignment).where(HumanEvalAssignment.task_id == task_id)
    if state is not None:
        stmt = stmt.where(HumanEvalAssignment.state == state)
    rows, total = paginate(session, stmt, params, REVIEW_SORTABLE)
    names = usernames(session, (row.evaluator_id for row in rows))
    return [schemas.HumanReviewedAssignment(**view, evaluator_id=row.evaluator_id,
                                            evaluator=names.get(row.evaluator_id, ""))
            for row, view in zip(rows, _views(session, rows), strict=True)], total


def _accept(assignment: HumanEvalAssignment, principal: Principal, comment: str) -> None:
    assignment.state = State.ACCEPTED
    assignment.reviewer_id = principal.user_id
    assignment.review_comment = comment
    assignment.reviewed_at = utcnow()


def _merge_when_complete(session: Session, task: HumanEvalTask) -> None:
    if is_complete(progress(session, task)):
        results.merge(session, task)


def review(session: Session, principal: Principal, assignment_id: int, body: schemas.HumanReviewIn
           ) -> HumanEvalAssignment:
    """Accept scored work, or send it back to its evaluator with a comment saying what to fix."""
    assignment = get_or_404(session, HumanEvalAssignment, assignment_id, label="assignment")
    task = get_task(session, principal, assignment.task_id)
    if assignment.evaluator_id == principal.user_id:
        raise Forbidden("You scored this item yourself; another reviewer must check it.",
                        details=[{"field": "id", "message": "your own scores"}])
    if assignment.state != State.SCORED:
        raise Conflict(f"This item is {assignment.state}; only scored items can be reviewed.",
                       details=[{"field": "id", "message": assignment.state}])
    if body.decision == schemas.HumanReviewDecision.RETURN:
        if not body.comment.strip():
            raise AppError("Say what the evaluator should fix when sending scores back.",
                           details=[{"field": "body.comment", "message": "required when sending back"}])
        assignment.state = State.RETURNED
        assignment.reviewer_id = principal.user_id
        assignment.review_comment = body.comment.strip()
        assignment.reviewed_at = utcnow()
        assignment.returns += 1
    else:
        _accept(assignment, principal, body.comment.strip())
    session.flush()
    _merge_when_complete(session, task)
    return assignment


def accept_scored(session: Session, principal: Principal, task_id: int) -> int:
    """Accept every scored item of the task that someone else scored; how many were accepted."""
    task = get_task(session, principal, task_id)
    rows = session.scalars(select(HumanEvalAssignment).where(
        HumanEvalAssignment.task_id == task_id, HumanEvalAssignment.state == State.SCORED,
        HumanEvalAssignment.evaluator_id != principal.user_id)).all()
    for row in rows:
        _accept(row, principal, "")
    session.flush()
    _merge_when_complete(session, task)
    return len(rows)


def assignment_out(session: Session, assignment: HumanEvalAssignment) -> schemas.HumanAssignment:
    """An assignment as the API shows it to its evaluator."""
    return schemas.HumanAssignment(**_views(session, [assignment])[0])
