"""Logic of the data domain: datasets, versions, rows, reports, and the jobs that change data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from llmore.auth.service import Principal
from llmore.datasets import versions as version_store
from llmore.datasets.models import Dataset, DatasetVersion, QualityReport
from llmore.datasets.schemas import Visibility
from llmore.db.crud import check_version, get_or_404
from llmore.db.types import utcnow
from llmore.errors import AppError, Conflict, Forbidden, NotFound
from llmore.pagination import PageParams, paginate
from llmore.settings import Settings
from llmore.storage.store import ArtifactStore

ADMIN_ROLE = "admin"


def artifact_store(settings: Settings) -> ArtifactStore:
    return ArtifactStore(settings.effective_storage_url)


# ---------------------------------------------------------------- visibility


def _visible_to(principal: Principal) -> ColumnElement[bool]:
    """Rows of ``datasets`` the caller may see: public, their own, or their department's."""
    conditions = [Dataset.visibility == Visibility.PUBLIC.value, Dataset.owner_id == principal.user_id]
    if principal.department_id is not None:
        conditions.append(
            and_(Dataset.visibility == Visibility.DEPARTMENT.value, Dataset.department_id == principal.department_id)
        )
    return or_(*conditions)


def get_dataset(session: Session, *, dataset_id: int, principal: Principal) -> Dataset:
    """A dataset the caller may see; datasets they may not see answer 404, as if absent."""
    dataset = get_or_404(session, Dataset, dataset_id)
    if ADMIN_ROLE not in principal.roles and not session.scalar(
        select(func.count()).select_from(Dataset).where(Dataset.id == dataset_id, _visible_to(principal))
    ):
        raise NotFound(f"No dataset with id {dataset_id}.", details=[{"field": "id", "message": "unknown id"}])
    return dataset


def _check_owner(dataset: Dataset, principal: Principal) -> None:
    if dataset.owner_id != principal.user_id and ADMIN_ROLE not in principal.roles:
        raise Forbidden("Only the dataset's owner or an admin may change its settings or delete it.")


# ---------------------------------------------------------------- datasets


def create_dataset(session: Session, *, principal: Principal, **fields: Any) -> Dataset:
    name = fields["name"]
    clash = session.scalar(select(Dataset.id).where(Dataset.name == name).execution_options(include_deleted=True))
    if clash is not None:
        raise Conflict(f"A dataset named '{name}' exists (perhaps deleted); choose another name.", code="duplicate",
                       details=[{"field": "body.name", "message": "already exists"}])
    if fields.get("department_id") is None:
        fields["department_id"] = principal.department_id
    dataset = Dataset(owner_id=principal.user_id, **{k: getattr(v, "value", v) for k, v in fields.items()})
    session.add(dataset)
    session.flush()
    return dataset


def list_datasets(session: Session, params: PageParams, *, principal: Principal, q: str | None = None
                  ) -> tuple[list[Dataset], int]:
    stmt = select(Dataset)
    if ADMIN_ROLE not in principal.roles:
        stmt = stmt.where(_visible_to(principal))
    if q:
        stmt = stmt.where(or_(Dataset.name.ilike(f"%{q}%"), Dataset.description.ilike(f"%{q}%")))
    rows, total = paginate(session, stmt, params,
                           {"created_at": Dataset.created_at, "name": Dataset.name, "id": Dataset.id})
    return list(rows), total


def update_dataset(session: Session, *, dataset_id: int, version: int, principal: Principal, **changes: Any
                   ) -> Dataset:
    dataset = get_dataset(session, dataset_id=dataset_id, principal=principal)
    _check_owner(dataset, principal)
    check_version(dataset, version)
    for key, value in changes.items():
        if value is not None:
            setattr(dataset, key, getattr(value, "value", value))
    session.flush()
    return dataset


def delete_dataset(session: Session, *, dataset_id: int, principal: Principal) -> Dataset:
    """Soft-delete: the dataset and its versions stay stored and can be restored by an admin."""
    dataset = get_dataset(session, dataset_id=dataset_id, principal=principal)
    _check_owner(dataset, principal)
    dataset.soft_delete()
    session.flush()
    return dataset


def latest_versions(session: Session, datasets: list[Dataset]) -> dict[int, DatasetVersion]:
    wanted = [(d.id, d.latest_version) for d in datasets if d.latest_version]
    if not wanted:
        return {}
    rows = session.scalars(select(DatasetVersion).where(
        or_(*[and_(DatasetVersion.dataset_id == d, DatasetVersion.number == n) for d, n in wanted])))
    return {row.dataset_id: row for row in rows}


# ---------------------------------------------------------------- versions


def list_versions(session: Session, *, dataset: Dataset) -> list[DatasetVersion]:
    return list(session.scalars(select(DatasetVersion).where(DatasetVersion.dataset_id == dataset.id)
                                .order_by(DatasetVersion.number.desc())))


def get_version(session: Session, *, dataset: Dataset, number: int) -> DatasetVersion:
    version = session.scalar(select(DatasetVersion).where(DatasetVersion.dataset_id == dataset.id,
                                                          DatasetVersion.number == number))
    if version is None:
        raise NotFound(f"Dataset '{dataset.name}' has no version {number} (latest is {dataset.latest_version}).",
                       details=[{"field": "number", "message": "unknown version"}])
    return version


def record_version(
    session: Session, *, dataset_id: int, parent: DatasetVersion | None, operation: str, params: dict[str, Any],
    data_schema: str, written: version_store.WrittenRows, source: dict[str, Any] | None = None,
    stats: dict[str, Any] | None = None, job_id: int | None = None,
) -> DatasetVersion:
    """Add the next version of a dataset (numbers increase by one; nothing existing is touched)."""
    dataset = session.get(Dataset, dataset_id, with_for_update=True)
    if dataset is None or dataset.is_deleted:
        raise NotFound(f"Dataset {dataset_id} was deleted while the job ran; the data is kept at {written.sha256}.")
    number = dataset.latest_version + 1
    version = DatasetVersion(
        dataset_id=dataset_id, number=number, parent_id=parent.id if parent else None, operation=operation,
        params=params, data_schema=data_schema, source=source or (parent.source if parent else {}),
        row_count=written.row_count, size_bytes=written.size_bytes, sha256=written.sha256, diff=written.diff,
        splits=written.splits, line_index=written.line_index, stats=stats or {}, job_id=job_id,
    )
    session.add(version)
    dataset.latest_version = number
    session.flush()
    return version


def rows_page(settings: Settings, version: DatasetVersion, *, page: int, page_size: int, q: str | None,
              split: str | None) -> tuple[list[dict[str, Any]], int]:
    """One page of a version's rows, optionally filtered by a search string and a split."""
    store = artifact_store(settings)
    start = (page - 1) * page_size
    if not q and not split:
        rows = []
        for row in version_store.iter_rows(store, version.sha256, start=start, line_index=version.line_index):
            if len(rows) == page_size:
                break
            rows.append(row)
        return rows, version.row_count
    needle = (q or "").lower()
    found: list[dict[str, Any]] = []
    total = 0
    for row in version_store.iter_rows(store, version.sha256):
        if (split and row.get("_split") != split) or (needle and not version_store.matches(row, needle)):
            continue
        if start <= total < start + page_size:
            found.append(row)
        total += 1
    return found, total


# ---------------------------------------------------------------- jobs on versions


def save_upload(settings: Settings, *, dataset_id: int, filename: str) -> Path:
    """A fresh path under the uploads folder for a file of ``filename`` (never the client's path)."""
    safe = Path(filename).name.replace(" ", "_")[:200] or "upload"
    folder = settings.uploads_dir / str(dataset_id)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{utcnow().strftime('%Y%m%dT%H%M%S%f')}-{safe}"


def check_import_path(settings: Settings, location: str) -> Path:
    """Resolve a server path and refuse anything outside the configured import roots."""
    path = Path(location).expanduser().resolve()
    roots = [root.expanduser().resolve() for root in settings.import_roots]
    if not any(path.is_relative_to(root) for root in roots):
        allowed = ", ".join(str(r) for r in roots) or "none configured"
        raise AppError(f"Importing from {path} is not allowed (allowed folders: {allowed}); an admin can add a "
                       "folder to LLMORE_IMPORT_ROOTS.", code="path_not_allowed",
                       details=[{"field": "body.location", "message": "outside the import roots"}])
    if not path.is_file():
        raise AppError(f"No file at {path}.", details=[{"field": "body.location", "message": "not a file"}])
    return path


LOCAL_PROTOCOLS = frozenset({"file", "local", "memory", "reference", "simplecache", "filecache", "blockcache"})


def check_remote_location(location: str) -> None:
    """Refuse fsspec URLs that would read the server's own disk (that is what path imports, with roots, are for)."""
    from fsspec.utils import get_protocol

    protocol = get_protocol(location)
    if protocol in LOCAL_PROTOCOLS or "::" in location:
        raise AppError(f"'{protocol}://' reads the server's own files; use a path import (limited to "
                       "LLMORE_IMPORT_ROOTS) or a remote location such as s3://, hdfs:// or gcs://.",
                       code="location_not_allowed",
                       details=[{"field": "body.location", "message": f"protocol {protocol} is not remote"}])


# ---------------------------------------------------------------- quality reports


def latest_report(session: Session, *, version: DatasetVersion) -> QualityReport:
    report = session.scalar(select(QualityReport).where(QualityReport.version_id == version.id)
                            .order_by(QualityReport.created_at.desc()).limit(1))
    if report is None:
        raise NotFound(f"Version {version.number} has no quality report yet; start one with POST …/report.")
    return report


def report_document(settings: Settings, report: QualityReport) -> dict[str, Any]:
    return json.loads(artifact_store(settings).read_bytes(report.sha256))
