"""Roles and the permissions each one grants.

A permission is ``<area>:<action>``. Routes declare exactly one (see :mod:`llmore.auth.deps`);
``SELF`` is held by every signed-in user (their own profile, password and API keys).
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """The built-in roles of DESIGN.md section 1."""

    ADMIN = "admin"
    DEVELOPER = "developer"
    ANNOTATOR = "annotator"
    REVIEWER = "reviewer"


class Perm(StrEnum):
    """Every permission a route can require."""

    SELF = "self"
    DASHBOARD_READ = "dashboard:read"
    USERS_READ = "users:read"
    USERS_WRITE = "users:write"
    DEPARTMENTS_READ = "departments:read"
    DEPARTMENTS_WRITE = "departments:write"
    DATASETS_READ = "datasets:read"
    DATASETS_WRITE = "datasets:write"
    MODELS_READ = "models:read"
    MODELS_WRITE = "models:write"
    WORKERS_MANAGE = "workers:manage"
    INFERENCE = "inference:use"
    JOBS_READ = "jobs:read"
    JOBS_WRITE = "jobs:write"
    SYSTEM_READ = "system:read"
    METRICS_READ = "metrics:read"
    EVALUATION_READ = "evaluation:read"
    EVALUATION_WRITE = "evaluation:write"
    EVALUATION_SCORE = "evaluation:score"
    EVALUATION_REVIEW = "evaluation:review"


ROLE_PERMISSIONS: dict[Role, frozenset[Perm]] = {
    Role.ADMIN: frozenset(Perm),
    Role.DEVELOPER: frozenset(
        {
            Perm.SELF,
            Perm.DASHBOARD_READ,
            Perm.DEPARTMENTS_READ,
            Perm.DATASETS_READ,
            Perm.DATASETS_WRITE,
            Perm.MODELS_READ,
            Perm.MODELS_WRITE,
            Perm.WORKERS_MANAGE,
            Perm.INFERENCE,
            Perm.JOBS_READ,
            Perm.JOBS_WRITE,
            Perm.EVALUATION_READ,
            Perm.EVALUATION_WRITE,
            Perm.EVALUATION_SCORE,
        }
    ),
    # Annotators and reviewers score outputs in human evaluations and vote in the arena; reviewers also
    # quality-check other evaluators' scores.
    Role.ANNOTATOR: frozenset(
        {Perm.SELF, Perm.DASHBOARD_READ, Perm.DEPARTMENTS_READ, Perm.DATASETS_READ, Perm.MODELS_READ, Perm.INFERENCE,
         Perm.EVALUATION_SCORE}
    ),
    Role.REVIEWER: frozenset(
        {Perm.SELF, Perm.DASHBOARD_READ, Perm.DEPARTMENTS_READ, Perm.DATASETS_READ, Perm.MODELS_READ, Perm.INFERENCE,
         Perm.EVALUATION_READ, Perm.EVALUATION_SCORE, Perm.EVALUATION_REVIEW}
    ),
}


def permissions_of(roles: list[str] | tuple[str, ...]) -> frozenset[Perm]:
    """The union of the permissions of ``roles``; every signed-in user holds ``SELF``."""
    granted: set[Perm] = {Perm.SELF}
    for role in roles:
        granted |= ROLE_PERMISSIONS.get(Role(role), frozenset())
    return frozenset(granted)
