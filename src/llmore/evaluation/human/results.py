"""A task's results (accepted scores per model, agreement, progress) and their merge into the run.

Only scores a reviewer accepted count towards results; agreement looks at every scored or accepted
rating, because it measures the evaluators, not the outcome. An item's score on a criterion is the
mean of its accepted ratings; a model's mean is the mean over its items, and its overall is the mean
of ``(score - 1) / (scale - 1)`` over its items and criteria (0..1).

Merging writes ``scores["human_<criterion>"]`` onto each sampled eval record and
``summary[label]["human_overall"]`` onto the run; merging again replaces both (the latest merge of
any task over the run wins for those keys).
"""

from __future__ import annotations

from collections import defaultdict
from statistics import fmean

from sqlalchemy import select
from sqlalchemy.orm import Session

from llmore.auth.models import User
from llmore.db.types import utcnow
from llmore.evaluation.human import schemas, service
from llmore.evaluation.human.agreement import criterion_agreement
from llmore.evaluation.human.models import HumanEvalAssignment, HumanEvalItem, HumanEvalTask
from llmore.evaluation.human.schemas import HumanAssignmentState as State
from llmore.evaluation.models import EvalRecord, EvalRun

HUMAN_PREFIX = "human_"
OVERALL = "human_overall"


def _item_means(session: Session, task: HumanEvalTask) -> dict[int, dict[str, float]]:
    """Item id → criterion → mean of the accepted ratings (items without any are absent)."""
    ratings: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    accepted = session.scalars(select(HumanEvalAssignment).where(HumanEvalAssignment.task_id == task.id,
                                                                 HumanEvalAssignment.state == State.ACCEPTED))
    for assignment in accepted:
        for name, value in assignment.scores.items():
            ratings[assignment.item_id][name].append(value)
    return {item: {name: fmean(values) for name, values in by_name.items()} for item, by_name in ratings.items()}


def _items(session: Session, task: HumanEvalTask) -> list[HumanEvalItem]:
    return list(session.scalars(select(HumanEvalItem).where(HumanEvalItem.task_id == task.id)))


def _model_results(task: HumanEvalTask, items: list[HumanEvalItem],
                   means: dict[int, dict[str, float]]) -> list[schemas.HumanModelResult]:
    scales = {c["name"]: int(c["scale"]) for c in task.criteria}
    out = []
    for label in task.models:
        mine = [item.id for item in items if item.model_label == label]
        scored = [means[i] for i in mine if i in means]
        per_criterion = {name: (fmean(s[name] for s in scored if name in s) if any(name in s for s in scored)
                                else None) for name in scales}
        normalised = [(value - 1) / (scales[name] - 1) for s in scored for name, value in s.items() if name in scales]
        out.append(schemas.HumanModelResult(label=label, items=len(mine), scored_items=len(scored), means=per_criterion,
                                       overall=fmean(normalised) if normalised else None))
    return out


def _agreement(session: Session, task: HumanEvalTask) -> list[schemas.HumanCriterionAgreement]:
    rated = session.execute(
        select(HumanEvalAssignment.item_id, HumanEvalAssignment.scores, User.username)
        .join(User, User.id == HumanEvalAssignment.evaluator_id)
        .where(HumanEvalAssignment.task_id == task.id,
               HumanEvalAssignment.state.in_((State.SCORED, State.ACCEPTED)))
    ).all()
    out = []
    for criterion in task.criteria:
        ratings: dict[str, dict[int, int]] = defaultdict(dict)
        for item_id, scores, username in rated:
            if criterion["name"] in scores:
                ratings[username][item_id] = scores[criterion["name"]]
        out.append(criterion_agreement(criterion["name"], ratings, scale=int(criterion["scale"])))
    return out


def results(session: Session, task: HumanEvalTask) -> schemas.HumanResults:
    """Everything the results page shows."""
    items = _items(session, task)
    progress = service.progress(session, task)
    return schemas.HumanResults(task_id=task.id, run_id=task.run_id, criteria=task.criteria,
                           models=_model_results(task, items, _item_means(session, task)),
                           agreement=_agreement(session, task), progress=progress,
                           complete=service.is_complete(progress), merged_at=task.merged_at)


def merge(session: Session, task: HumanEvalTask) -> schemas.HumanResults:
    """Write the accepted scores into the run's records and summary; returns the results merged."""
    items = _items(session, task)
    means = _item_means(session, task)
    mine = {HUMAN_PREFIX + c["name"] for c in task.criteria}
    records = {r.id: r for r in session.scalars(select(EvalRecord).where(
        EvalRecord.id.in_([item.record_id for item in items])))}
    for item in items:
        record = records[item.record_id]
        kept = {k: v for k, v in record.scores.items() if k not in mine}
        # A new dict: the JSON column only notices assignment, not in-place edits.
        record.scores = kept | {HUMAN_PREFIX + name: value for name, value in means.get(item.id, {}).items()}
    run = session.get(EvalRun, task.run_id)
    assert run is not None  # a task's run is never hard-deleted
    summary = dict(run.summary)
    for model in _model_results(task, items, means):
        figures = {k: v for k, v in summary.get(model.label, {}).items() if k != OVERALL}
        summary[model.label] = figures if model.overall is None else figures | {OVERALL: model.overall}
    run.summary = summary
    task.merged_at = utcnow()
    session.flush()
    return results(session, task)
