"""Request and response bodies of the human evaluation API."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from llmore.schemas import RecordOut

# A criterion's name becomes the record score ``human_<name>``, so it is kept to a safe identifier.
CRITERION_PATTERN = r"^[a-z][a-z0-9_]{0,31}$"
MAX_SCALE = 9  # one digit key per point on the scoring page


class HumanAssignmentState(StrEnum):
    """Where one evaluator's work on one item stands."""

    PENDING = "pending"
    SKIPPED = "skipped"
    SCORED = "scored"
    RETURNED = "returned"
    ACCEPTED = "accepted"


class HumanReviewDecision(StrEnum):
    """A reviewer's verdict on scored work."""

    ACCEPT = "accept"
    RETURN = "return"


class HumanCriterion(BaseModel):
    """One rubric line, scored from 1 to ``scale``."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=CRITERION_PATTERN, description="Lower-case identifier; the run gets human_<name>.")
    description: str = Field(default="", max_length=500, description="What evaluators judge; shown on the page.")
    scale: int = Field(default=5, ge=2, le=MAX_SCALE, description="Highest score; the lowest is 1.")


DEFAULT_CRITERIA = (
    HumanCriterion(name="helpfulness", description="Does the answer do what the user asked, usefully and completely?"),
    HumanCriterion(name="correctness", description="Are the facts, reasoning and results right?"),
    HumanCriterion(name="fluency", description="Is it clear, natural and well written in the user's language?"),
)


class HumanTaskCreate(BaseModel):
    """A new task: which run, which models' answers, how many inputs, the rubric and the evaluators."""

    model_config = ConfigDict(extra="forbid")

    run_id: int
    name: str | None = Field(default=None, min_length=1, max_length=200,
                             description="Defaults to 'Human evaluation of <run name>'.")
    instructions: str = Field(default="", max_length=5000, description="Shown to evaluators above the rubric.")
    models: list[str] | None = Field(default=None, min_length=1, max_length=8,
                                     description="Model labels of the run (name:N); default all of them.")
    source: str | None = Field(default=None, max_length=64,
                               description="Only records of this source (task, suite, benchmark:<file>).")
    sample_size: int = Field(ge=1, le=10_000, description="How many inputs; each chosen model's answer is scored.")
    criteria: list[HumanCriterion] = Field(default_factory=lambda: list(DEFAULT_CRITERIA), min_length=1, max_length=10)
    evaluator_ids: list[int] = Field(min_length=1, max_length=100, description="Users holding evaluation:score.")
    overlap: int = Field(default=1, ge=1, le=10,
                         description="Evaluators per item: 1 splits the items round-robin; k gives each to k.")
    seed: int = Field(default=0, description="Seeds the sample and the order of the queues.")

    @field_validator("criteria")
    @classmethod
    def _unique_criteria(cls, criteria: list[HumanCriterion]) -> list[HumanCriterion]:
        names = [c.name for c in criteria]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"criterion names must differ; repeated: {', '.join(twice)}")
        return criteria

    @field_validator("evaluator_ids", "models")
    @classmethod
    def _no_repeats(cls, values: list[Any] | None) -> list[Any] | None:
        if values is not None and len(set(values)) != len(values):
            raise ValueError("list each one once")
        return values


class HumanEvaluatorProgress(BaseModel):
    """One evaluator's counts of assignments by state."""

    evaluator_id: int
    username: str
    total: int
    pending: int = 0
    skipped: int = 0
    scored: int = 0
    returned: int = 0
    accepted: int = 0


class HumanTaskOut(RecordOut):
    """A task with its progress."""

    name: str
    run_id: int
    run_name: str
    instructions: str
    criteria: list[HumanCriterion]
    models: list[str]
    evaluator_ids: list[int]
    sample_size: int
    overlap: int
    seed: int
    items: int
    assignments: int
    accepted: int
    complete: bool
    merged_at: datetime | None
    progress: list[HumanEvaluatorProgress]


class HumanMessage(BaseModel):
    """One chat message of the input the model answered."""

    role: str
    content: str


class HumanAssignment(BaseModel):
    """An item as its evaluator or a reviewer sees it; the model that wrote ``output`` is not shown."""

    id: int
    task_id: int
    position: int
    state: HumanAssignmentState
    input: list[HumanMessage]
    reference: str | None
    output: str
    scores: dict[str, int]
    comment: str
    review_comment: str
    returns: int
    scored_at: datetime | None


class HumanReviewedAssignment(HumanAssignment):
    """An assignment in the reviewers' list: who scored it."""

    evaluator_id: int
    evaluator: str


class HumanQueue(BaseModel):
    """The caller's next item in a task and how far they are."""

    task_id: int
    total: int
    done: int
    remaining: int
    item: HumanAssignment | None = Field(description="None when nothing is left to score.")


class HumanScoreIn(BaseModel):
    """An evaluator's scores: one per criterion of the task."""

    model_config = ConfigDict(extra="forbid")

    scores: dict[str, int]
    comment: str = Field(default="", max_length=2000)


class HumanReviewIn(BaseModel):
    """A reviewer's verdict; sending back needs a comment telling the evaluator what to fix."""

    model_config = ConfigDict(extra="forbid")

    decision: HumanReviewDecision
    comment: str = Field(default="", max_length=2000)


class HumanAcceptedCount(BaseModel):
    accepted: int


class HumanEvaluator(BaseModel):
    """A user who may score (holds evaluation:score)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    display_name: str


class HumanModelResult(BaseModel):
    """One model's accepted human scores: per-criterion means and the overall 0..1."""

    label: str
    items: int
    scored_items: int
    means: dict[str, float | None]
    overall: float | None = Field(description="Mean of (score - 1) / (scale - 1) over every accepted score.")


class HumanKappaPair(BaseModel):
    """Cohen's quadratic-weighted kappa between two evaluators over the items both scored."""

    evaluator_a: str
    evaluator_b: str
    items: int
    kappa: float | None


class HumanCriterionAgreement(BaseModel):
    """Agreement on one criterion over the items scored by two or more evaluators (None: not computable)."""

    criterion: str
    items: int
    alpha_ordinal: float | None
    alpha_interval: float | None
    pairs: list[HumanKappaPair]


class HumanResults(BaseModel):
    """A task's outcome: scores per model, agreement per criterion, each evaluator's progress."""

    task_id: int
    run_id: int
    criteria: list[HumanCriterion]
    models: list[HumanModelResult]
    agreement: list[HumanCriterionAgreement]
    progress: list[HumanEvaluatorProgress]
    complete: bool
    merged_at: datetime | None
