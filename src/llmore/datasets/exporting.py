"""Writing a version out in any supported file format and record schema."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from llmore.datasets import formats, record_schemas, versions
from llmore.datasets.canonical import SPLIT, DataSchema, Row
from llmore.datasets.models import DatasetVersion
from llmore.datasets.service import artifact_store
from llmore.errors import AppError
from llmore.settings import Settings

CANONICAL = "canonical"


def export_rows(settings: Settings, version: DatasetVersion, *, target_schema: str, split: str | None
                ) -> Iterator[Row]:
    """The version's rows (of one split, if asked) converted to ``target_schema``."""
    schema = DataSchema(version.data_schema)
    target = None if target_schema == CANONICAL else _target(target_schema)
    for row in versions.iter_rows(artifact_store(settings), version.sha256):
        if split and row.get(SPLIT) != split:
            continue
        yield row if target is None else record_schemas.from_canonical(row, schema, target)


def _target(name: str) -> record_schemas.SourceSchema:
    try:
        return record_schemas.SourceSchema(name)
    except ValueError as exc:
        known = ", ".join([CANONICAL, *(s.value for s in record_schemas.SourceSchema)])
        raise AppError(f"Unknown export schema '{name}'.",
                       details=[{"field": "query.target_schema", "message": f"known: {known}"}]) from exc


def export_version(settings: Settings, version: DatasetVersion, path: Path, *, file_format: str, target_schema: str,
                   split: str | None) -> None:
    """Write the export to ``path``."""
    rows = export_rows(settings, version, target_schema=target_schema, split=split)
    with path.open("wb") as out:
        formats.write_records(rows, out, file_format)
