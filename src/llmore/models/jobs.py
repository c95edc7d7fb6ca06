"""Job functions of the model registry; each runs in its own process and ends in a new version or an export.

New files are written into a hidden staging folder under ``$LLMORE_HOME/models/registry/<model
id>`` and renamed to ``v<number>`` in the same transaction that records the version, so a
failed job never leaves a half-written version behind a registered row.
"""

from __future__ import annotations

import shutil
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from llmore.db.base import ACTOR_ID
from llmore.errors import AppError
from llmore.jobs.context import JobContext
from llmore.jobs.models import Job
from llmore.models import service
from llmore.models.importing import (
    Inspection,
    copy_artifact,
    download,
    export_target,
    folder_size,
    inspect_artifact,
    registry_dir,
    staging_dir,
)
from llmore.models.job_kinds import ConvertGgufParams, ExportParams, ImportModelParams, MergeParams
from llmore.models.lifecycle import Kind
from llmore.models.models import Model, ModelVersion

# Tokenizer files an adapter folder may carry (training saves them when it added tokens).
_TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "tokenizer.model")


@dataclass(frozen=True)
class _Snapshot:
    """The fields of a version a job needs after its database session closed."""

    id: int
    model_id: int
    number: int
    kind: str
    format: str
    path: Path
    base_version_id: int | None
    reference: str


def _actor(ctx: JobContext) -> int | None:
    """Who submitted the job: the author of what it records."""
    with ctx.sessions() as session:
        job = session.get(Job, ctx.job_id)
        return job.created_by if job is not None else None


def _session(ctx: JobContext, actor: int | None) -> Session:
    session = ctx.sessions()
    session.info[ACTOR_ID] = actor
    return session


def _snapshot(ctx: JobContext, *, model_id: int, number: int) -> _Snapshot:
    with ctx.sessions() as session:
        return _snapshot_of(service.get_version(session, model=service.get_model(session, model_id=model_id),
                                                number=number))


def _snapshot_by_id(ctx: JobContext, version_id: int) -> _Snapshot:
    with ctx.sessions() as session:
        return _snapshot_of(service.get_version_by_id(session, version_id))


def _snapshot_of(version: ModelVersion) -> _Snapshot:
    return _Snapshot(id=version.id, model_id=version.model_id, number=version.number, kind=version.kind,
                     format=version.format, path=Path(version.path), base_version_id=version.base_version_id,
                     reference=service.reference(version))


def _register_staged(ctx: JobContext, *, model_id: int, staging: Path, artifact: Path, inspection: Inspection,
                     base: str | None = None, kind: Kind | None = None, **fields: Any) -> dict[str, Any]:
    """Rename ``staging`` to ``v<number>`` and record the version, in one transaction."""
    actor = _actor(ctx)
    with _session(ctx, actor) as session, session.begin():
        model = session.get(Model, model_id, with_for_update=True)
        if model is None or model.is_deleted:
            raise AppError(f"Model {model_id} was deleted while the job ran; its files are kept at {staging}.")
        base_id = fields.pop("base_version_id", None)
        if base_id is None and (kind or inspection.kind) == Kind.ADAPTER:
            base_id = service.find_base(session, inspection, base).id
        target = registry_dir(ctx.settings.models_dir, model_id) / f"v{model.latest_version + 1}"
        if target.exists():  # left by a run whose transaction failed after the rename
            shutil.rmtree(target)
        staging.rename(target)
        path = target / artifact.relative_to(staging) if artifact != staging else target
        version = service.record_version(session, model_id=model_id, inspection=inspection, path=path,
                                         storage="copy", base_version_id=base_id, job_id=ctx.job_id, kind=kind,
                                         actor_id=actor, **fields)
        result = {"model_id": model_id, "version": version.number, "version_id": version.id,
                  "reference": service.reference(version), "path": str(path)}
    ctx.log(f"registered {result['reference']} at {path}")
    return result


# ---------------------------------------------------------------- import


def import_job(ctx: JobContext, params: ImportModelParams) -> dict[str, Any]:
    """Copy a server folder or file, or download a hub repository, and register it."""
    staging = staging_dir(ctx.settings.models_dir, params.model_id)
    try:
        if params.source in ("huggingface", "modelscope"):
            ctx.log(f"downloading {params.location} from {params.source} (revision {params.revision or 'default'})")
            ctx.progress(0, 1, "downloading")
            download(params.source, params.location, params.revision, staging)
            shutil.rmtree(staging / ".cache", ignore_errors=True)  # the hub client's bookkeeping
            artifact, uri = staging, params.location
        else:
            source = Path(params.location)
            ctx.log(f"copying {source} ({folder_size(source) / 1e6:.1f} MB)")
            artifact = copy_artifact(source, staging, lambda done, total: ctx.progress(done, total, "copying"))
            uri = None
        inspection = inspect_artifact(artifact)
        if params.source == "gguf" and inspection.format != "gguf":
            raise AppError(f"{params.location} is not a .gguf file; import model folders with source 'path'.")
        ctx.log(f"{inspection.kind.value} model, {inspection.architecture or 'unknown architecture'}, "
                f"{inspection.parameter_count or '?'} parameters, {inspection.size_bytes} bytes")
        return _register_staged(
            ctx, model_id=params.model_id, staging=staging, artifact=artifact, inspection=inspection,
            base=params.base, uri=uri, description=params.description, license=params.license, tags=params.tags,
            source={"kind": params.source, "location": params.location, "revision": params.revision,
                    "job_id": ctx.job_id},
            reason=f"imported from {params.source} {params.location}")
    finally:
        shutil.rmtree(staging, ignore_errors=True)


# ---------------------------------------------------------------- merge


def merge_job(ctx: JobContext, params: MergeParams) -> dict[str, Any]:
    """Merge an adapter into its base with peft's ``merge_and_unload`` and register the result (kind merged)."""
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    adapter = _snapshot(ctx, model_id=params.model_id, number=params.number)
    if adapter.kind != Kind.ADAPTER or adapter.base_version_id is None:
        raise AppError(f"{adapter.reference} is a {adapter.kind} version; only adapters can be merged.")
    base = _snapshot_by_id(ctx, adapter.base_version_id)
    if base.format == "gguf":
        raise AppError(f"The base {base.reference} is a GGUF file; convert it to safetensors first "
                       "(models.convert_gguf) and register the adapter over the converted version.")
    target_model_id = params.target_model_id or adapter.model_id
    staging = staging_dir(ctx.settings.models_dir, target_model_id)
    try:
        ctx.log(f"loading the base {base.reference} from {base.path}")
        ctx.progress(0, 4, "loading the base")
        model = AutoModelForCausalLM.from_pretrained(base.path, dtype="auto", local_files_only=True)
        ctx.log(f"applying the adapter {adapter.reference} and merging")
        ctx.progress(1, 4, "merging")
        with torch.no_grad():
            merged = PeftModel.from_pretrained(model, adapter.path, local_files_only=True).merge_and_unload()
        ctx.progress(2, 4, "saving")
        merged.save_pretrained(staging)
        has_tokenizer = any((adapter.path / name).is_file() for name in _TOKENIZER_FILES)
        AutoTokenizer.from_pretrained(adapter.path if has_tokenizer else base.path,
                                      local_files_only=True).save_pretrained(staging)
        ctx.progress(3, 4, "registering")
        return _register_staged(
            ctx, model_id=target_model_id, staging=staging, artifact=staging, inspection=inspect_artifact(staging),
            kind=Kind.MERGED, base_version_id=base.id, parent_id=adapter.id, description=params.description,
            source={"kind": "merge", "adapter_version_id": adapter.id, "base_version_id": base.id,
                    "job_id": ctx.job_id},
            reason=f"merged {adapter.reference} into {base.reference}")
    finally:
        shutil.rmtree(staging, ignore_errors=True)


# ---------------------------------------------------------------- GGUF conversion


def convert_gguf_job(ctx: JobContext, params: ConvertGgufParams) -> dict[str, Any]:
    """De-quantize a GGUF version into a safetensors checkpoint and register it as the model's next version."""
    from llmore.models.bundled import convert_gguf_checkpoint

    source = _snapshot(ctx, model_id=params.model_id, number=params.number)
    if source.format != "gguf":
        raise AppError(f"{source.reference} is {source.format}, not a GGUF file; nothing to convert.")
    holder = staging_dir(ctx.settings.models_dir, params.model_id)
    try:
        # The converter writes its own temporary sibling and renames it to the path it is given.
        converted = holder / "checkpoint"
        convert_gguf_checkpoint(source.path, converted, progress=ctx.progress, log=ctx.log,
                                source_info={"version_id": source.id})
        return _register_staged(
            ctx, model_id=params.model_id, staging=holder, artifact=converted, inspection=inspect_artifact(converted),
            kind=Kind.BASE, parent_id=source.id,
            source={"kind": "convert", "from_version_id": source.id, "job_id": ctx.job_id},
            reason=f"de-quantized from {source.reference}")
    finally:
        shutil.rmtree(holder, ignore_errors=True)


# ---------------------------------------------------------------- export


def export_job(ctx: JobContext, params: ExportParams) -> dict[str, Any]:
    """Write a version's files to ``$LLMORE_HOME/exports`` as ``<model>-v<n>.tar`` or a folder of that name."""
    version = _snapshot(ctx, model_id=params.model_id, number=params.number)
    target = export_target(ctx.settings.home, version.reference, params.format)
    target.parent.mkdir(parents=True, exist_ok=True)
    if not version.path.exists():
        raise AppError(f"The files of {version.reference} are gone from {version.path}; nothing to export.")
    files = [version.path] if version.path.is_file() else sorted(p for p in version.path.rglob("*") if p.is_file())
    root = version.path.parent if version.path.is_file() else version.path
    total = sum(p.stat().st_size for p in files) or 1
    done = 0
    if params.format == "folder":
        if target.exists():
            shutil.rmtree(target)
        for path in files:
            (target / path.relative_to(root)).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target / path.relative_to(root))
            done += path.stat().st_size
            ctx.progress(done, total, "copying")
    else:
        partial = target.with_name(target.name + ".part")
        with tarfile.open(partial, "w") as archive:
            for path in files:
                archive.add(path, arcname=f"{target.stem}/{path.relative_to(root)}")
                done += path.stat().st_size
                ctx.progress(done, total, "archiving")
        partial.replace(target)
    ctx.log(f"exported {version.reference} to {target}")
    return {"model_id": version.model_id, "version": version.number, "path": str(target), "format": params.format}
