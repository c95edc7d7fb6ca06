"""HTTP routes of the model registry."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query
from fastapi import Path as PathParam
from fastapi.responses import FileResponse
from sqlalchemy.orm import Session

from llmore.auth.permissions import Perm
from llmore.auth.service import Principal
from llmore.deps import DB, get_settings, requires
from llmore.errors import AppError, NotFound
from llmore.jobs import service as jobs_service
from llmore.jobs.models import Job
from llmore.jobs.schemas import JobOut
from llmore.models import schemas
from llmore.models import service as registry
from llmore.models.importing import export_target
from llmore.models.lifecycle import ALLOWED, Kind, State
from llmore.models.models import Model, ModelVersion
from llmore.pagination import Page, PageParams, page_params
from llmore.settings import Settings

router = APIRouter(prefix="/api/models", tags=["models"])

ALIAS = PathParam(pattern=schemas.ALIAS_PATTERN, description="Letters, digits, '_', '.', '-'; starts with a letter.")


def _versions_out(session: Session, versions: list[ModelVersion]) -> list[schemas.ModelVersionOut]:
    aliases = registry.aliases_by_model(session, {v.model_id for v in versions})
    computed = ("reference", "aliases")
    return [schemas.ModelVersionOut(
        **{name: getattr(version, name) for name in schemas.ModelVersionOut.model_fields if name not in computed},
        reference=registry.reference(version),
        aliases=sorted(a for a, n in aliases.get(version.model_id, {}).items() if n == version.number),
    ) for version in versions]


def _models_out(session: Session, models: list[Model]) -> list[schemas.ModelOut]:
    aliases = registry.aliases_by_model(session, [m.id for m in models])
    latest = {m.id: registry.get_version(session, model=m, number=m.latest_version) for m in models
              if m.latest_version}
    latest_out = dict(zip(latest, _versions_out(session, list(latest.values())), strict=True))
    return [schemas.ModelOut.model_validate(m).model_copy(update={"aliases": aliases.get(m.id, {}),
                                                                  "latest": latest_out.get(m.id)}) for m in models]


def _version(db: Session, model_id: int, number: int) -> tuple[Model, ModelVersion]:
    model = registry.get_model(db, model_id=model_id)
    return model, registry.get_version(db, model=model, number=number)


# ---------------------------------------------------------------- models


@router.get("", response_model=Page[schemas.ModelOut], summary="List models")
def list_models(
    _: Principal = requires(Perm.MODELS_READ),
    params: PageParams = Depends(page_params),
    q: str | None = Query(None, max_length=200, description="Text in the name or description."),
    task: schemas.Task | None = Query(None),
    state: State | None = Query(None, description="Only models with a version in this state."),
    tag: str | None = Query(None, max_length=schemas.TAG_MAX),
    db: Session = DB,
) -> Page[schemas.ModelOut]:
    rows, total = registry.list_models(db, params, q=q, task=task.value if task else None,
                                       state=state.value if state else None, tag=tag)
    return Page(items=_models_out(db, rows), total=total, page=params.page, page_size=params.page_size)


@router.post("", response_model=schemas.ModelOut, status_code=201, summary="Create an empty model")
def create_model(body: schemas.ModelCreate, principal: Principal = requires(Perm.MODELS_WRITE), db: Session = DB
                 ) -> schemas.ModelOut:
    return _models_out(db, [registry.create_model(db, principal=principal, **body.model_dump())])[0]


@router.get("/resolve", response_model=schemas.ModelVersionOut,
            summary="The version a reference names: name (newest approved/deployed), name:N or name@alias")
def resolve(_: Principal = requires(Perm.MODELS_READ), ref: str = Query(min_length=1, max_length=300),
            db: Session = DB) -> schemas.ModelVersionOut:
    return _versions_out(db, [registry.resolve_reference(db, ref, field="query.ref")])[0]


@router.get("/lifecycle", response_model=schemas.LifecycleOut, summary="The lifecycle's states and legal moves")
def lifecycle(_: Principal = requires(Perm.MODELS_READ), settings: Settings = Depends(get_settings)
              ) -> schemas.LifecycleOut:
    return schemas.LifecycleOut(states=list(State), allowed={state: sorted(ALLOWED[state], key=list(State).index)
                                                             for state in State},
                                require_approval_to_deploy=settings.require_approval_to_deploy)


@router.get("/{model_id}", response_model=schemas.ModelOut, summary="One model")
def get_model(model_id: int, _: Principal = requires(Perm.MODELS_READ), db: Session = DB) -> schemas.ModelOut:
    return _models_out(db, [registry.get_model(db, model_id=model_id)])[0]


@router.patch("/{model_id}", response_model=schemas.ModelOut, summary="Edit a model's name, description, task, tags")
def update_model(model_id: int, body: schemas.ModelUpdate, principal: Principal = requires(Perm.MODELS_WRITE),
                 db: Session = DB) -> schemas.ModelOut:
    changes = body.model_dump(exclude_unset=True, exclude={"version"})
    model = registry.update_model(db, model_id=model_id, version=body.version, principal=principal, **changes)
    return _models_out(db, [model])[0]


@router.delete("/{model_id}", response_model=schemas.ModelOut, summary="Delete a model (soft: files and rows are kept)")
def delete_model(model_id: int, principal: Principal = requires(Perm.MODELS_WRITE), db: Session = DB
                 ) -> schemas.ModelOut:
    model = registry.delete_model(db, model_id=model_id, principal=principal)
    # Its versions are hidden with it, so the answer carries no latest version.
    return schemas.ModelOut.model_validate(model)


# ---------------------------------------------------------------- import


@router.post("/{model_id}/imports", response_model=schemas.ImportOut, status_code=201,
             summary="Import a version: a server folder or GGUF file (in place or copied) or a hub id (downloaded)")
def import_version(model_id: int, body: schemas.ModelImportRequest, principal: Principal = requires(Perm.MODELS_WRITE),
                   db: Session = DB, settings: Settings = Depends(get_settings)) -> schemas.ImportOut:
    model = registry.get_model(db, model_id=model_id)
    local = body.source in (schemas.ModelImportSource.PATH, schemas.ModelImportSource.GGUF)
    path = registry.check_model_path(settings, body.location) if local else None
    if path is not None and not body.copy_files:
        version = registry.register_reference(db, model=model, path=path, source_kind=body.source.value,
                                              base=body.base, description=body.description, license=body.license,
                                              tags=body.tags, actor_id=principal.user_id)
        return schemas.ImportOut(version=_versions_out(db, [version])[0])
    if path is None and body.copy_files:
        raise AppError("Hub imports always download; leave out copy.", details=[{"field": "body.copy",
                                                                                  "message": "only for path/gguf"}])
    location = str(path) if path is not None else body.location
    job = jobs_service.submit_job(db, kind="models.import", name=f"Import {body.location[-80:]} into {model.name}",
                                  params={"model_id": model.id, "source": body.source.value, "location": location,
                                          "revision": body.revision, "base": body.base,
                                          "description": body.description, "license": body.license,
                                          "tags": body.tags})
    return schemas.ImportOut(job=JobOut.model_validate(job))


# ---------------------------------------------------------------- versions


@router.get("/{model_id}/versions", response_model=list[schemas.ModelVersionOut], summary="Versions, newest first")
def list_versions(model_id: int, _: Principal = requires(Perm.MODELS_READ), db: Session = DB
                  ) -> list[schemas.ModelVersionOut]:
    return _versions_out(db, registry.list_versions(db, model=registry.get_model(db, model_id=model_id)))


@router.get("/{model_id}/versions/{number}", response_model=schemas.ModelVersionOut, summary="One version")
def get_version(model_id: int, number: int, _: Principal = requires(Perm.MODELS_READ), db: Session = DB
                ) -> schemas.ModelVersionOut:
    return _versions_out(db, [_version(db, model_id, number)[1]])[0]


@router.patch("/{model_id}/versions/{number}", response_model=schemas.ModelVersionOut,
              summary="Edit a version's description, license or tags")
def update_version(model_id: int, number: int, body: schemas.VersionUpdate,
                   _: Principal = requires(Perm.MODELS_WRITE), db: Session = DB) -> schemas.ModelVersionOut:
    model = registry.get_model(db, model_id=model_id)
    version = registry.update_version(db, model=model, number=number, version=body.version,
                                      **body.model_dump(exclude_unset=True, exclude={"version"}))
    return _versions_out(db, [version])[0]


@router.post("/{model_id}/versions/{number}/transition", response_model=schemas.ModelVersionOut,
             summary="Move a version through its lifecycle (409 with the reason when the move is not allowed)")
def transition(model_id: int, number: int, body: schemas.TransitionRequest,
               principal: Principal = requires(Perm.MODELS_WRITE), db: Session = DB,
               settings: Settings = Depends(get_settings)) -> schemas.ModelVersionOut:
    _, version = _version(db, model_id, number)
    registry.transition(db, version=version, to=body.to, reason=body.reason, force=body.force, principal=principal,
                        require_approval=settings.require_approval_to_deploy, expected_version=body.version)
    return _versions_out(db, [version])[0]


@router.get("/{model_id}/versions/{number}/history", response_model=list[schemas.TransitionOut],
            summary="The version's lifecycle history, oldest first")
def history(model_id: int, number: int, _: Principal = requires(Perm.MODELS_READ), db: Session = DB) -> list[Any]:
    return registry.history(db, version=_version(db, model_id, number)[1])


@router.get("/{model_id}/versions/{number}/lineage", response_model=schemas.LineageOut,
            summary="Where a version came from and the versions made from it")
def lineage(model_id: int, number: int, _: Principal = requires(Perm.MODELS_READ), db: Session = DB
            ) -> schemas.LineageOut:
    found = registry.lineage(db, version=_version(db, model_id, number)[1])
    return schemas.LineageOut(
        base=_link(found.base) if found.base else None, parent=_link(found.parent) if found.parent else None,
        children=[_link(child) for child in found.children],
        job=schemas.JobLink.model_validate(found.job) if found.job else None,
        dataset=schemas.DatasetLink(dataset_id=found.dataset[0], number=found.dataset[1]) if found.dataset else None)


def _link(version: ModelVersion) -> schemas.VersionLink:
    fields = {name: getattr(version, name) for name in ("id", "model_id", "number", "kind", "state")}
    return schemas.VersionLink(**fields, reference=registry.reference(version))


# ---------------------------------------------------------------- aliases


@router.put("/{model_id}/aliases/{alias}", response_model=schemas.ModelOut, summary="Point an alias at a version")
def set_alias(model_id: int, body: schemas.AliasRequest, alias: str = ALIAS,
              _: Principal = requires(Perm.MODELS_WRITE), db: Session = DB) -> schemas.ModelOut:
    model = registry.get_model(db, model_id=model_id)
    registry.set_alias(db, model=model, alias=alias, number=body.number)
    return _models_out(db, [model])[0]


@router.delete("/{model_id}/aliases/{alias}", response_model=schemas.ModelOut, summary="Remove an alias")
def remove_alias(model_id: int, alias: str = ALIAS, _: Principal = requires(Perm.MODELS_WRITE), db: Session = DB
                 ) -> schemas.ModelOut:
    model = registry.get_model(db, model_id=model_id)
    registry.remove_alias(db, model=model, alias=alias)
    return _models_out(db, [model])[0]


# ---------------------------------------------------------------- operations (jobs)


@router.post("/{model_id}/versions/{number}/merge", response_model=JobOut, status_code=201,
             summary="Merge an adapter version into its base (a job producing a merged version)")
def merge(model_id: int, number: int, body: schemas.MergeRequest, principal: Principal = requires(Perm.MODELS_WRITE),
          db: Session = DB) -> Job:
    model, version = _version(db, model_id, number)
    if version.kind != Kind.ADAPTER:
        raise AppError(f"{registry.reference(version)} is a {version.kind} version; only adapters can be merged.",
                       code="not_an_adapter", details=[{"field": "number", "message": f"kind is {version.kind}"}])
    target = model
    if body.target_model and body.target_model != model.name:
        try:
            target = registry.get_model_by_name(db, body.target_model, field="body.target_model")
        except NotFound:
            target = registry.create_model(db, principal=principal, name=body.target_model, task=model.task,
                                           description=f"Merged from {registry.reference(version)}.")
    return jobs_service.submit_job(db, kind="models.merge", name=f"Merge {registry.reference(version)}",
                                   params={"model_id": model.id, "number": number, "target_model_id": target.id,
                                           "description": body.description})


@router.post("/{model_id}/versions/{number}/convert", response_model=JobOut, status_code=201,
             summary="De-quantize a GGUF version into a safetensors version (a job)")
def convert(model_id: int, number: int, _: Principal = requires(Perm.MODELS_WRITE), db: Session = DB) -> Job:
    _, version = _version(db, model_id, number)
    if version.format != "gguf":
        raise AppError(f"{registry.reference(version)} is {version.format}, not GGUF; nothing to convert.",
                       code="not_gguf", details=[{"field": "number", "message": f"format is {version.format}"}])
    return jobs_service.submit_job(db, kind="models.convert_gguf", name=f"Convert {registry.reference(version)}",
                                   params={"model_id": model_id, "number": number})


@router.post("/{model_id}/versions/{number}/export", response_model=JobOut, status_code=201,
             summary="Export a version's files as a tar archive or folder under $LLMORE_HOME/exports (a job)")
def export(model_id: int, number: int, body: schemas.ExportRequest, _: Principal = requires(Perm.MODELS_WRITE),
           db: Session = DB) -> Job:
    _, version = _version(db, model_id, number)
    return jobs_service.submit_job(db, kind="models.export", name=f"Export {registry.reference(version)}",
                                   params={"model_id": model_id, "number": number, "format": body.format.value})


@router.get("/{model_id}/versions/{number}/export", summary="Download the tar archive a finished export wrote")
def download_export(model_id: int, number: int, _: Principal = requires(Perm.MODELS_READ), db: Session = DB,
                    settings: Settings = Depends(get_settings)) -> FileResponse:
    _, version = _version(db, model_id, number)
    archive = export_target(settings.home, registry.reference(version), "tar")
    if not archive.is_file():
        raise NotFound(f"{registry.reference(version)} has no tar export yet; start one with POST …/export and "
                       "download it when the job succeeded.")
    return FileResponse(archive, filename=archive.name, media_type="application/x-tar")
