"""Imports every module that defines tables, so the metadata is complete for migrations and tests."""

from __future__ import annotations

import importlib

from sqlalchemy import MetaData

from llmore.db.base import Base

MODEL_MODULES = (
    "llmore.auth.models",
    "llmore.jobs.models",
    "llmore.datasets.models",
    "llmore.models.models",
    "llmore.serving.models",
    "llmore.files.models",
    "llmore.evaluation.models",
    "llmore.evaluation.human.models",
    "llmore.evaluation.arena.models",
    "llmore.evaluation.gates.models",
)


def load_all_models() -> MetaData:
    """Import all table modules and return the shared metadata."""
    for module in MODEL_MODULES:
        importlib.import_module(module)
    return Base.metadata
