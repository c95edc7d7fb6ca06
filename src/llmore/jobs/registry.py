"""The catalogue of job kinds: what each kind runs and which parameters it accepts.

A kind names its entry point as ``"module:function"`` so that heavy code (torch, transformers)
is imported only in the job's own process, never in the API server. Domain packages declare
their kinds in a ``job_kinds.py`` module listed in :data:`KIND_MODULES`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from llmore.errors import AppError, validation_details

KIND_MODULES = (
    "llmore.jobs.job_kinds",
    "llmore.models.job_kinds",
    "llmore.datasets.job_kinds",
    "llmore.training.job_kinds",
    "llmore.evaluation.job_kinds",
)


class NoParams(BaseModel):
    """Parameters of a kind that takes none."""

    model_config = ConfigDict(extra="forbid")


@dataclass(frozen=True)
class JobKind:
    """A runnable kind of job.

    ``target`` is ``"package.module:function"``; the function is called in the job process as
    ``function(ctx, params)`` with a :class:`llmore.jobs.context.JobContext` and an instance of
    ``params``, and may return a dict merged into the job's result references.
    """

    name: str
    target: str
    description: str
    params: type[BaseModel] = NoParams
    default_timeout_seconds: float | None = None

    def validate_params(self, raw: dict[str, Any]) -> BaseModel:
        """Parse ``raw``; errors name the field as ``body.params.<field>``."""
        try:
            return self.params.model_validate(raw)
        except ValidationError as exc:
            details = validation_details([{**e, "loc": ("body", "params", *e["loc"])} for e in exc.errors()])
            raise AppError(
                f"Invalid parameters for job kind '{self.name}'.", code="validation_error", details=details
            ) from exc

    def load(self) -> Callable[..., Any]:
        """Import the entry point (in the job process)."""
        module_name, _, function = self.target.partition(":")
        return getattr(importlib.import_module(module_name), function)


@cache
def all_kinds() -> dict[str, JobKind]:
    """Every registered kind by name."""
    kinds: dict[str, JobKind] = {}
    for module_name in KIND_MODULES:
        for kind in importlib.import_module(module_name).KINDS:
            if kind.name in kinds:
                raise RuntimeError(f"job kind {kind.name!r} is declared twice")
            kinds[kind.name] = kind
    return kinds


def get_kind(name: str) -> JobKind:
    """The kind called ``name`` or a 400 listing the known kinds."""
    kinds = all_kinds()
    if name not in kinds:
        raise AppError(
            f"Unknown job kind '{name}'.",
            code="unknown_kind",
            details=[{"field": "body.kind", "message": f"known kinds: {', '.join(sorted(kinds))}"}],
        )
    return kinds[name]
