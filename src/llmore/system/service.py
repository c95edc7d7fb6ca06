"""Numbers for the console dashboard."""

from __future__ import annotations

from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from llmore.auth.models import User
from llmore.datasets.models import Dataset
from llmore.jobs.service import count_by_state
from llmore.models.models import Model


class DashboardCounts(BaseModel):
    """Counts per module; ``None`` means the module is not available in this release yet."""

    users: int
    jobs_by_state: dict[str, int]
    datasets: int
    models: int
    deployments: int | None = Field(default=None, description="None until deployments land.")


def dashboard_counts(session: Session) -> DashboardCounts:
    users = session.scalar(select(func.count()).select_from(User).where(User.deleted_at.is_(None))) or 0
    datasets = session.scalar(select(func.count()).select_from(Dataset).where(Dataset.deleted_at.is_(None))) or 0
    models = session.scalar(select(func.count()).select_from(Model).where(Model.deleted_at.is_(None))) or 0
    return DashboardCounts(users=users, datasets=datasets, models=models, jobs_by_state=count_by_state(session))
