"""HTTP routes of human evaluation: tasks, each evaluator's queue and scores, reviews, results."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from llmore.auth.permissions import Perm
from llmore.auth.service import Principal
from llmore.deps import DB, requires
from llmore.evaluation.human import results, schemas, scoring, service
from llmore.pagination import MAX_PAGE_SIZE, Page, PageParams, page_params

router = APIRouter(prefix="/api/evaluation/human", tags=["human-evaluation"])


@router.get("/evaluators", response_model=list[schemas.HumanEvaluator],
            summary="Users who may score (evaluation:score)")
def list_evaluators(_: Principal = requires(Perm.EVALUATION_WRITE), db: Session = DB
                    ) -> list[schemas.HumanEvaluator]:
    return [schemas.HumanEvaluator.model_validate(user) for user in service.evaluators(db)]


@router.get("/tasks", response_model=Page[schemas.HumanTaskOut],
            summary="Human evaluation tasks (evaluators see only those giving them work)")
def list_tasks(principal: Principal = requires(Perm.EVALUATION_SCORE), params: PageParams = Depends(page_params),
               db: Session = DB) -> Page[schemas.HumanTaskOut]:
    rows, total = service.list_tasks(db, principal, params)
    return Page(items=[service.task_out(db, row) for row in rows], total=total, page=params.page,
                page_size=params.page_size)


@router.post("/tasks", response_model=schemas.HumanTaskOut, status_code=201,
             summary="Sample a run's answers and assign them to evaluators (round-robin or with overlap)")
def create_task(body: schemas.HumanTaskCreate, _: Principal = requires(Perm.EVALUATION_WRITE),
                db: Session = DB) -> schemas.HumanTaskOut:
    return service.task_out(db, service.create_task(db, body))


@router.get("/tasks/{task_id}", response_model=schemas.HumanTaskOut, summary="One task with each evaluator's progress")
def get_task(task_id: int, principal: Principal = requires(Perm.EVALUATION_SCORE), db: Session = DB
             ) -> schemas.HumanTaskOut:
    return service.task_out(db, service.get_task(db, principal, task_id))


@router.get("/tasks/{task_id}/next", response_model=schemas.HumanQueue,
            summary="Your next item to score (returned ones first; the model is not shown)")
def next_item(task_id: int, principal: Principal = requires(Perm.EVALUATION_SCORE), db: Session = DB
              ) -> schemas.HumanQueue:
    return scoring.queue(db, principal, task_id)


@router.post("/assignments/{assignment_id}/score", response_model=schemas.HumanAssignment,
             summary="Score one of your items: one value per criterion, on its scale")
def score(assignment_id: int, body: schemas.HumanScoreIn, principal: Principal = requires(Perm.EVALUATION_SCORE),
          db: Session = DB) -> schemas.HumanAssignment:
    return scoring.assignment_out(db, scoring.score(db, principal, assignment_id, body))


@router.post("/assignments/{assignment_id}/skip", response_model=schemas.HumanAssignment,
             summary="Skip one of your items for now; it comes back after the others")
def skip(assignment_id: int, principal: Principal = requires(Perm.EVALUATION_SCORE), db: Session = DB
         ) -> schemas.HumanAssignment:
    return scoring.assignment_out(db, scoring.skip(db, principal, assignment_id))


@router.get("/tasks/{task_id}/assignments", response_model=Page[schemas.HumanReviewedAssignment],
            summary="A task's scored work for quality checks, with who scored it")
def list_assignments(
    task_id: int,
    principal: Principal = requires(Perm.EVALUATION_REVIEW),
    state: schemas.HumanAssignmentState | None = Query(None, description="Only assignments in this state."),
    page: int = Query(1, ge=1),
    page_size: int = Query(20, ge=1, le=MAX_PAGE_SIZE),
    sort: str = Query("scored_at", description="id, scored_at or reviewed_at; prefix '-' for descending."),
    db: Session = DB,
) -> Page[schemas.HumanReviewedAssignment]:
    params = PageParams(page=page, page_size=page_size, sort=sort)
    rows, total = scoring.review_list(db, principal, task_id, params, state)
    return Page(items=rows, total=total, page=page, page_size=page_size)


@router.post("/assignments/{assignment_id}/review", response_model=schemas.HumanAssignment,
             summary="Accept scored work, or send it back to its evaluator with a comment")
def review(assignment_id: int, body: schemas.HumanReviewIn, principal: Principal = requires(Perm.EVALUATION_REVIEW),
           db: Session = DB) -> schemas.HumanAssignment:
    return scoring.assignment_out(db, scoring.review(db, principal, assignment_id, body))


@router.post("/tasks/{task_id}/accept-scored", response_model=schemas.HumanAcceptedCount,
             summary="Accept every scored item of the task (except your own)")
def accept_scored(task_id: int, principal: Principal = requires(Perm.EVALUATION_REVIEW), db: Session = DB
                  ) -> schemas.HumanAcceptedCount:
    return schemas.HumanAcceptedCount(accepted=scoring.accept_scored(db, principal, task_id))


@router.get("/tasks/{task_id}/results", response_model=schemas.HumanResults,
            summary="Accepted scores per model and criterion, agreement between evaluators, progress")
def task_results(task_id: int, principal: Principal = requires(Perm.EVALUATION_READ), db: Session = DB
                 ) -> schemas.HumanResults:
    return results.results(db, service.get_task(db, principal, task_id))


@router.post("/tasks/{task_id}/merge", response_model=schemas.HumanResults,
             summary="Write the accepted scores into the run now (done by itself when the task completes)")
def merge(task_id: int, principal: Principal = requires(Perm.EVALUATION_WRITE), db: Session = DB
          ) -> schemas.HumanResults:
    return results.merge(db, service.get_task(db, principal, task_id))
