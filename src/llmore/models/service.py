"""Logic of the model registry: models, versions, lineage, lifecycle transitions, aliases, references.

Every holder of ``models:read`` sees every model (models are shared building blocks; datasets
carry the sensitive data and their own visibility). Renaming and deleting a model need its owner
or an admin; models LLMore registered itself (no owner) are changed by admins only.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Text, cast, or_, select
from sqlalchemy.orm import Session

from llmore.auth.service import Principal
from llmore.db.crud import check_version, get_or_404
from llmore.errors import AppError, Conflict, Forbidden, NotFound
from llmore.jobs.models import Job
from llmore.models.importing import Inspection, inspect_artifact
from llmore.models.lifecycle import DEPLOYABLE, Kind, State, refusal
from llmore.models.models import Model, ModelAlias, ModelTransition, ModelVersion
from llmore.pagination import PageParams, paginate
from llmore.settings import Settings

if TYPE_CHECKING:
    from llmore.models.bundled import BundledModel

ADMIN_ROLE = "admin"
BUNDLED_LICENSES = {"SmolLM2-135M-Instruct": "apache-2.0", "all-MiniLM-L6-v2": "apache-2.0"}
SORTABLE = {"created_at": Model.created_at, "name": Model.name, "id": Model.id}


@dataclass
class Lineage:
    """A version's neighbours: its base and parent, the versions derived from it, its job and training data."""

    base: ModelVersion | None
    parent: ModelVersion | None
    children: list[ModelVersion] = field(default_factory=list)
    job: Job | None = None
    dataset: tuple[int, int] | None = None
    """(dataset id, version number) of the data a training run used."""


def _is_admin(principal: Principal | None) -> bool:
    return principal is not None and ADMIN_ROLE in principal.roles


def reference(version: ModelVersion) -> str:
    """The reference that addresses exactly this version: ``model-name:number``."""
    return f"{version.model.name}:{version.number}"


# ---------------------------------------------------------------- models


def create_model(session: Session, *, principal: Principal | None, name: str, description: str = "",
                 task: str = "chat", tags: Sequence[str] = ()) -> Model:
    """A new, empty model; the name must be new (deleted models keep theirs)."""
    clash = session.scalar(select(Model.id).where(Model.name == name).execution_options(include_deleted=True))
    if clash is not None:
        raise Conflict(f"A model named '{name}' exists (perhaps deleted); choose another name.", code="duplicate",
                       details=[{"field": "body.name", "message": "already exists"}])
    model = Model(name=name, description=description, task=getattr(task, "value", task), tags=list(tags),
                  owner_id=principal.user_id if principal else None)
    session.add(model)
    session.flush()
    return model


def get_model(session: Session, *, model_id: int) -> Model:
    return get_or_404(session, Model, model_id)


def get_model_by_name(session: Session, name: str, *, field: str = "name") -> Model:
    model = session.scalar(select(Model).where(Model.name == name))
    if model is None:
        raise NotFound(f"No model named '{name}'; list models with GET /api/models or `llmore models list`.",
                       details=[{"field": field, "message": "unknown model"}])
    return model


def list_models(session: Session, params: PageParams, *, q: str | None = None, task: str | None = None,
                state: str | None = None, tag: str | None = None) -> tuple[list[Model], int]:
    """A page of models; ``state`` keeps models with at least one version in that state."""
    stmt = select(Model)
    if q:
        stmt = stmt.where(or_(Model.name.ilike(f"%{q}%"), Model.description.ilike(f"%{q}%")))
    if task:
        stmt = stmt.where(Model.task == task)
    if state:
        stmt = stmt.where(Model.id.in_(select(ModelVersion.model_id).where(ModelVersion.state == state,
                                                                          ModelVersion.deleted_at.is_(None))))
    if tag:
        # Tags are a JSON list; matching its serialised form works the same on every backend.
        stmt = stmt.where(cast(Model.tags, Text).contains(json.dumps(tag), autoescape=True))
    rows, total = paginate(session, stmt, params, SORTABLE)
    return list(rows), total


def _check_owner(model: Model, principal: Principal) -> None:
    if model.owner_id != principal.user_id and not _is_admin(principal):
        owner = "LLMore itself" if model.owner_id is None else f"user {model.owner_id}"
        raise Forbidden(f"Model '{model.name}' belongs to {owner}; only its owner or an admin may rename or "
                        "delete it.")


def update_model(session: Session, *, model_id: int, version: int, principal: Principal, **changes: Any) -> Model:
    model = get_model(session, model_id=model_id)
    check_version(model, version)
    if changes.get("name") not in (None, model.name):
        _check_owner(model, principal)
        clash = session.scalar(select(Model.id).where(Model.name == changes["name"])
                               .execution_options(include_deleted=True))
        if clash is not None:
            raise Conflict(f"A model named '{changes['name']}' exists (perhaps deleted); choose another name.",
                           code="duplicate", details=[{"field": "body.name", "message": "already exists"}])
    for key, value in changes.items():
        if value is not None:
            setattr(model, key, getattr(value, "value", value))
    session.flush()
    return model


def delete_model(session: Session, *, model_id: int, principal: Principal) -> Model:
    """Soft-delete a model (its versions and files are kept); refused while a version is deployed."""
    model = get_model(session, model_id=model_id)
    _check_owner(model, principal)
    deployed = [v.number for v in list_versions(session, model=model) if v.state == State.DEPLOYED]
    if deployed:
        raise Conflict(f"Model '{model.name}' has deployed version(s) {', '.join(map(str, deployed))}; undeploy "
                       "or retire them first.", code="model_deployed")
    model.soft_delete()
    session.flush()
    return model


# ---------------------------------------------------------------- versions


def list_versions(session: Session, *, model: Model) -> list[ModelVersion]:
    """A model's versions, newest first."""
    return list(session.scalars(select(ModelVersion).where(ModelVersion.model_id == model.id)
                                .order_by(ModelVersion.number.desc())))


def get_version(session: Session, *, model: Model, number: int) -> ModelVersion:
    version = session.scalar(select(ModelVersion).where(ModelVersion.model_id == model.id,
                                                        ModelVersion.number == number))
    if version is None:
        raise NotFound(f"Model '{model.name}' has no version {number} (latest is {model.latest_version}).",
                       details=[{"field": "number", "message": "unknown version"}])
    return version


def get_version_by_id(session: Session, version_id: int) -> ModelVersion:
    return get_or_404(session, ModelVersion, version_id, label="model version")


def update_version(session: Session, *, model: Model, number: int, version: int, **changes: Any) -> ModelVersion:
    """Edit a version's description, license or tags (its files and lineage never change)."""
    row = get_version(session, model=model, number=number)
    check_version(row, version)
    for key, value in changes.items():
        if value is not None:
            setattr(row, key, value)
    session.flush()
    return row


def record_version(
    session: Session, *, model_id: int, inspection: Inspection, path: Path | str, storage: str = "reference",
    uri: str | None = None, source: dict[str, Any] | None = None, base_version_id: int | None = None,
    parent_id: int | None = None, job_id: int | None = None, description: str = "", tags: Sequence[str] = (),
    license: str | None = None, state: State = State.REGISTERED, reason: str = "", actor_id: int | None = None,
    kind: Kind | None = None,
) -> ModelVersion:
    """Add the next version of a model (numbers increase by one) and the first entry of its history.

    ``kind`` overrides the inspected kind (a merge inspects as a plain checkpoint but is ``merged``).
    Training jobs pass ``state=State.TRAINING`` and ``source={"kind": "training", "job_id": …,
    "dataset_version_id": …, "base_version_id": …}``.
    """
    model = session.get(Model, model_id, with_for_update=True)
    if model is None or model.is_deleted:
        raise NotFound(f"Model {model_id} does not exist (or was deleted); the files are kept at {path}.")
    fields = inspection.fields()
    if kind is not None:
        fields["kind"] = kind.value
    if license:
        fields["license"] = license
    number = model.latest_version + 1
    version = ModelVersion(model_id=model_id, number=number, state=state.value, path=str(path), uri=uri,
                           storage=storage, base_version_id=base_version_id, parent_id=parent_id, job_id=job_id,
                           description=description, tags=list(tags), source=source or {}, created_by=actor_id,
                           **fields)
    session.add(version)
    model.latest_version = number
    session.flush()
    session.add(ModelTransition(version_id=version.id, from_state=None, to_state=state.value, reason=reason,
                                created_by=actor_id))
    session.flush()
    return version


def find_base(session: Session, inspection: Inspection, explicit: str | None) -> ModelVersion:
    """The registered version an adapter applies to: ``explicit`` (a reference), else the one its config names.

    ``adapter_config.json`` names its base by folder or hub id; a version registered from that
    folder or id, or a model of that name (or of the folder's name), is taken.
    """
    if explicit:
        base = resolve_reference(session, explicit, field="body.base")
    else:
        named = inspection.base_model
        if not named:
            raise AppError("The adapter's adapter_config.json names no base model; pass base as name, name:N or "
                           "name@alias.", code="base_not_registered",
                           details=[{"field": "body.base", "message": "required for this adapter"}])
        base = _find_named_base(session, named)
        if base is None:
            raise AppError(f"The adapter's base '{named}' is not registered; import the base model first, or pass "
                           "base as name, name:N or name@alias.", code="base_not_registered",
                           details=[{"field": "body.base", "message": f"no registered version of {named}"}])
    if base.kind == Kind.ADAPTER:
        raise AppError(f"{reference(base)} is itself an adapter; an adapter's base must be a full model.",
                       code="invalid_base", details=[{"field": "body.base", "message": "is an adapter"}])
    return base


def _find_named_base(session: Session, named: str) -> ModelVersion | None:
    as_path = Path(named).expanduser()
    candidates = [named, str(as_path.resolve())] if as_path.is_absolute() else [named]
    found = session.scalar(select(ModelVersion).where(or_(ModelVersion.path.in_(candidates),
                                                          ModelVersion.uri == named))
                           .order_by(ModelVersion.id.desc()).limit(1))
    if found is not None:
        return found
    for name in dict.fromkeys([named, as_path.name, named.rsplit("/", 1)[-1]]):
        try:
            return resolve_reference(session, name)
        except NotFound:
            continue
    return None


def check_model_path(settings: Settings, location: str) -> Path:
    """Resolve a server path and refuse anything outside the import roots and LLMore's models folder."""
    path = Path(location).expanduser().resolve()
    roots = [root.expanduser().resolve() for root in settings.import_roots] + [settings.models_dir.resolve()]
    if not any(path.is_relative_to(root) for root in roots):
        allowed = ", ".join(str(r) for r in roots)
        raise AppError(f"Importing from {path} is not allowed (allowed folders: {allowed}); an admin can add a "
                       "folder to LLMORE_IMPORT_ROOTS.", code="path_not_allowed",
                       details=[{"field": "body.location", "message": "outside the import roots"}])
    if not path.exists():
        raise AppError(f"Nothing at {path} on the server.", details=[{"field": "body.location",
                                                                       "message": "does not exist"}])
    return path


def register_reference(session: Session, *, model: Model, path: Path, source_kind: str, base: str | None = None,
                       description: str = "", license: str | None = None, tags: Sequence[str] = (),
                       actor_id: int | None = None) -> ModelVersion:
    """Register the folder or GGUF file at ``path`` in place (nothing is copied) as the model's next version."""
    inspection = inspect_artifact(path)
    if source_kind == "gguf" and inspection.format != "gguf":
        raise AppError(f"{path} is not a .gguf file; use source 'path' for model folders.",
                       details=[{"field": "body.source", "message": "not a GGUF file"}])
    base_id = find_base(session, inspection, base).id if inspection.kind == Kind.ADAPTER else None
    return record_version(session, model_id=model.id, inspection=inspection, path=path, storage="reference",
                          source={"kind": source_kind, "location": str(path)}, base_version_id=base_id,
                          description=description, license=license, tags=tags, actor_id=actor_id,
                          reason=f"registered from {path} (referenced in place)")


# ---------------------------------------------------------------- lifecycle


def transition(session: Session, *, version: ModelVersion, to: State | str, reason: str = "", force: bool = False,
               principal: Principal | None = None, require_approval: bool = True,
               expected_version: int | None = None) -> ModelTransition:
    """Move ``version`` to state ``to`` if the lifecycle allows it, and record the change.

    ``principal=None`` is LLMore itself (jobs, automatic approval). ``force`` lets an admin make
    a move the rules refuse; it needs a reason and is marked in the history. Refusals raise
    409 ``illegal_transition`` with the reason.
    """
    target = State(to)
    current = State(version.state)
    if expected_version is not None:
        check_version(version, expected_version)
    label = f"Version {version.number} of '{version.model.name}'"
    problem = refusal(current, target, require_approval=require_approval, label=label,
                      evaluation_return=_evaluation_return(session, version) if current is State.EVALUATING else None)
    forced = False
    if problem is not None:
        if not force:
            raise Conflict(problem, code="illegal_transition",
                           details=[{"field": "body.to", "message": f"{current.value} → {target.value} refused"}])
        if current == target:
            raise Conflict(problem, code="illegal_transition")
        if not _is_admin(principal):
            raise Forbidden("Only an admin may force a lifecycle transition; ask an admin or follow the lifecycle.")
        if not reason.strip():
            raise AppError("A forced transition needs a reason; it is kept in the version's history.",
                           details=[{"field": "body.reason", "message": "required with force"}])
        forced = True
    version.state = target.value
    entry = ModelTransition(version_id=version.id, from_state=current.value, to_state=target.value,
                            reason=reason.strip(), forced=forced,
                            created_by=principal.user_id if principal else None)
    session.add(entry)
    session.flush()
    return entry


def _evaluation_return(session: Session, version: ModelVersion) -> State | None:
    """The state a version had when its current evaluation started."""
    last = session.scalar(select(ModelTransition).where(ModelTransition.version_id == version.id,
                                                        ModelTransition.to_state == State.EVALUATING.value)
                          .order_by(ModelTransition.id.desc()).limit(1))
    return State(last.from_state) if last is not None and last.from_state else None


def history(session: Session, *, version: ModelVersion) -> list[ModelTransition]:
    """Every lifecycle change of a version, oldest first."""
    return list(session.scalars(select(ModelTransition).where(ModelTransition.version_id == version.id)
                                .order_by(ModelTransition.id)))


def lineage(session: Session, *, version: ModelVersion) -> Lineage:
    """Where ``version`` came from and what was made from it, for the console's lineage graph.

    The producing job is the version's own ``job_id`` (import, merge, conversion or training);
    the dataset version is the one a training run recorded in ``source``.
    """
    linked_ids = {i for i in (version.base_version_id, version.parent_id) if i is not None}
    linked = {v.id: v for v in session.scalars(select(ModelVersion).where(ModelVersion.id.in_(linked_ids)))}
    children = list(session.scalars(select(ModelVersion).where(or_(ModelVersion.base_version_id == version.id,
                                                                   ModelVersion.parent_id == version.id))
                                    .order_by(ModelVersion.id)))
    job_id = version.job_id or version.source.get("job_id")
    job = session.get(Job, job_id) if isinstance(job_id, int) else None
    dataset_id, dataset_number = version.source.get("dataset_id"), version.source.get("dataset_version")
    dataset = ((dataset_id, dataset_number) if isinstance(dataset_id, int) and isinstance(dataset_number, int)
               else None)
    return Lineage(base=linked.get(version.base_version_id or 0), parent=linked.get(version.parent_id or 0),
                   children=children, job=job, dataset=dataset)


# ---------------------------------------------------------------- aliases and references


def aliases_by_model(session: Session, model_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """Per model id: alias → version number."""
    ids = list(model_ids)
    if not ids:
        return {}
    rows = session.execute(select(ModelAlias.model_id, ModelAlias.alias, ModelVersion.number)
                           .join(ModelVersion, ModelVersion.id == ModelAlias.version_id)
                           .where(ModelAlias.model_id.in_(ids), ModelAlias.deleted_at.is_(None)))
    found: dict[int, dict[str, int]] = {model_id: {} for model_id in ids}
    for model_id, alias, number in rows:
        found[model_id][alias] = number
    return found


def set_alias(session: Session, *, model: Model, alias: str, number: int) -> ModelAlias:
    """Point ``alias`` at version ``number`` (moving it if it pointed elsewhere)."""
    version = get_version(session, model=model, number=number)
    if version.state == State.RETIRED:
        raise Conflict(f"Version {number} of '{model.name}' is retired; an alias must point at a usable version.",
                       code="retired_version", details=[{"field": "body.number", "message": "retired"}])
    row = session.scalar(select(ModelAlias).where(ModelAlias.model_id == model.id, ModelAlias.alias == alias)
                         .execution_options(include_deleted=True))
    if row is None:
        row = ModelAlias(model_id=model.id, alias=alias, version_id=version.id)
        session.add(row)
    else:
        row.version_id, row.deleted_at = version.id, None
    session.flush()
    return row


def remove_alias(session: Session, *, model: Model, alias: str) -> None:
    row = session.scalar(select(ModelAlias).where(ModelAlias.model_id == model.id, ModelAlias.alias == alias))
    if row is None:
        raise NotFound(f"Model '{model.name}' has no alias '{alias}'.",
                       details=[{"field": "alias", "message": "unknown alias"}])
    row.soft_delete()
    session.flush()


def resolve_reference(session: Session, ref: str, *, field: str = "ref") -> ModelVersion:
    """The version ``ref`` names: ``name@alias``, ``name:N``, or ``name`` alone.

    A bare name means the newest approved or deployed version, else the newest version that is
    not retired. Raises :class:`NotFound` (404) saying what was missing.
    """
    ref = ref.strip()
    if "@" in ref:
        name, alias = ref.rsplit("@", 1)
        model = get_model_by_name(session, name, field=field)
        row = session.scalar(select(ModelAlias).where(ModelAlias.model_id == model.id, ModelAlias.alias == alias))
        if row is None:
            known = ", ".join(sorted(aliases_by_model(session, [model.id])[model.id])) or "none"
            raise NotFound(f"Model '{name}' has no alias '{alias}' (aliases: {known}).",
                           details=[{"field": field, "message": "unknown alias"}])
        return get_version_by_id(session, row.version_id)
    name, sep, number = ref.rpartition(":")
    if sep and number.isdigit():
        return get_version(session, model=get_model_by_name(session, name, field=field), number=int(number))
    model = get_model_by_name(session, ref, field=field)
    versions = list_versions(session, model=model)
    chosen = next((v for v in versions if v.state in DEPLOYABLE), None) or next(
        (v for v in versions if v.state != State.RETIRED), None)
    if chosen is None:
        detail = "has no versions yet" if not versions else "has only retired versions; name one as name:N"
        raise NotFound(f"Model '{ref}' {detail}.", details=[{"field": field, "message": "no usable version"}])
    return chosen


# ---------------------------------------------------------------- bundled models


def register_bundled(session: Session, models: Sequence[BundledModel]) -> list[ModelVersion]:
    """Register prepared bundled models as approved base versions; a model already registered is skipped.

    They are upstream releases LLMore ships unchanged (SmolLM2 only de-quantized and checked
    against the GGUF's logits), so nothing here trained or evaluated them: each is registered
    and then approved automatically, with that reason in its history, so that a fresh demo can
    deploy them. A new package release (another source sha256) becomes the next version.
    """
    registered = []
    for bundled in models:
        if not bundled.prepared or bundled.prepared_path is None:
            continue
        model = session.scalar(select(Model).where(Model.name == bundled.name))
        if model is None:
            model = create_model(session, principal=None, name=bundled.name, description=bundled.summary,
                                 task=bundled.task, tags=["bundled"])
        known = [v for v in list_versions(session, model=model)
                 if v.source.get("kind") == "bundled" and v.source.get("sha256") == bundled.source_sha256
                 and v.path == str(bundled.prepared_path)]
        if known:
            registered.append(known[0])
            continue
        source = {"kind": "bundled", "package": bundled.package, "package_version": bundled.package_version,
                  "sha256": bundled.source_sha256, "source_path": str(bundled.source_path),
                  "source_format": bundled.source_format}
        inspection = inspect_artifact(bundled.prepared_path)
        if bundled.source_format == "gguf":
            # The llama.cpp engine can serve the shipped GGUF directly.
            inspection.details["gguf_path"] = str(bundled.source_path)
        version = record_version(session, model_id=model.id, inspection=inspection, path=bundled.prepared_path,
                                 source=source, license=BUNDLED_LICENSES.get(bundled.name),
                                 reason=f"bundled in package {bundled.package} {bundled.package_version}")
        transition(session, version=version, to=State.APPROVED,
                   reason="upstream model shipped with LLMore, used unchanged; approved automatically")
        registered.append(version)
    return registered
