"""Recording a training run's output in the model registry, with lineage to its base and data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from llmore.models import service as registry
from llmore.models.importing import inspect_artifact
from llmore.models.lifecycle import State
from llmore.models.models import Model, ModelVersion


def register_output(
    session: Session, *, output: Path, model_name: str, base_model: str, job_id: int, lineage: dict[str, Any]
) -> ModelVersion:
    """Add the run's output as the next version of ``model_name`` (created if new), then mark it trained.

    The base is linked when the base folder is a registered version; the source keeps the job,
    dataset version and hyper-parameters either way.
    """
    model = session.scalar(select(Model).where(Model.name == model_name))
    if model is None:
        model = registry.create_model(
            session,
            principal=None,
            name=model_name,
            description=f"Fine-tuned from {Path(base_model).name}",
            tags=["fine-tuned"],
        )
    base = session.scalar(
        select(ModelVersion).where(ModelVersion.path == str(base_model)).order_by(ModelVersion.id.desc()).limit(1)
    )
    version = registry.record_version(
        session,
        model_id=model.id,
        inspection=inspect_artifact(output),
        path=output,
        storage="copy",
        state=State.TRAINING,
        base_version_id=base.id if base else None,
        job_id=job_id,
        source={
            "kind": "training",
            "job_id": job_id,
            "base_model": base_model,
            "base_version_id": base.id if base else None,
            **lineage,
        },
        reason=f"produced by training job {job_id}",
    )
    registry.transition(session, version=version, to=State.TRAINED, reason=f"training job {job_id} finished")
    return version
