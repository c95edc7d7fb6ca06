"""Recording a training run's output in the model registry, with lineage to its base and data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from llmore.jobs.context import JobContext
from llmore.models import service as registry
from llmore.models.importing import inspect_artifact
from llmore.models.lifecycle import State
from llmore.models.models import Model, ModelVersion

# A reward model's lineage ``task`` and its model's tag: the base with a one-score head, not a chat model.
REWARD_MODEL_TASK = "reward-model"


def register_output(
    session: Session,
    *,
    output: Path,
    model_name: str,
    base_model: str,
    job_id: int,
    lineage: dict[str, Any],
    base_version_id: int | None = None,
    tags: list[str] | None = None,
) -> ModelVersion:
    """Add the run's output as the next version of ``model_name`` (created if new), then mark it trained.

    The base is linked when it was named as a registered version (``base_version_id``) or its folder
    is one; the source keeps the job, dataset version and hyper-parameters either way.
    """
    model = session.scalar(select(Model).where(Model.name == model_name))
    if model is None:
        model = registry.create_model(
            session,
            principal=None,
            name=model_name,
            description=f"Fine-tuned from {Path(base_model).name}",
            tags=tags or ["fine-tuned"],
        )
    by_path = select(ModelVersion).where(ModelVersion.path == str(base_model)).order_by(ModelVersion.id.desc())
    base = session.get(ModelVersion, base_version_id) if base_version_id else session.scalar(by_path.limit(1))
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


def merge_output(ctx: JobContext, adapter_version_id: int) -> dict[str, Any]:
    """Merge the run's adapter into its base with the registry's merge job and name the merged version.

    The merged version's parent is the adapter version, its base the run's base version.
    """
    from llmore.models.job_kinds import MergeParams
    from llmore.models.jobs import merge_job

    with ctx.sessions() as session:
        adapter = registry.get_version_by_id(session, adapter_version_id)
        params = MergeParams(
            model_id=adapter.model_id, number=adapter.number, description=f"{registry.reference(adapter)} merged"
        )
    merged = merge_job(ctx, params)
    return {"merged_model": merged["reference"], "merged_path": merged["path"]}
