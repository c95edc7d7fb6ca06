"""Turning source records into canonical rows: detect the schema, validate, convert, give ids.

Invalid rows are either dropped and reported (line, field, reason) or stop the import at the
first one, as the user chose. Only the first ``MAX_REPORTED_ERRORS`` problems are kept in full;
all are counted.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from llmore.datasets import record_schemas
from llmore.datasets.canonical import ROW_ID, DataSchema, Row
from llmore.datasets.formats import SourceRecord
from llmore.errors import AppError

DETECTION_SAMPLE = 200
MAX_REPORTED_ERRORS = 1000


@dataclass
class ImportStats:
    """What happened to the source records."""

    read: int = 0
    imported: int = 0
    invalid: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    def problem(self, detail: dict[str, Any]) -> None:
        self.invalid += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(detail)


@dataclass
class ConvertedImport:
    """The detected schemas, a stream of canonical rows, and the statistics it fills as it is read."""

    source_schema: str
    data_schema: DataSchema
    reason: str
    rows: Iterator[Row]
    stats: ImportStats


def _row_id(record: SourceRecord) -> str:
    return f"{record.member}:{record.line}" if record.member else str(record.line)


def convert_records(records: Iterable[SourceRecord], *, file_name: str, source_schema: str | None,
                    stop_on_invalid: bool) -> ConvertedImport:
    """Detect (or take) the schema from the first records and stream them as canonical rows."""
    stats = ImportStats()
    stream = iter(records)
    head = list(itertools.islice(stream, DETECTION_SAMPLE))
    sample = [r.data for r in head if r.error is None]
    if source_schema:
        schema = record_schemas.SourceSchema(source_schema)
        reason = "chosen by the user"
    else:
        if not sample:
            first = next((r for r in head if r.error is not None), None)
            if first is None:
                raise AppError(f"{file_name} holds no records.", code="no_records")
            problem = first.error_for(file_name)
            raise AppError(f"{problem.message} (no valid record in the first {len(head)}, so no schema can be "
                           "detected; fix the file)", code="no_records", details=problem.details)
        try:
            detected = record_schemas.detect_schema(sample)
        except record_schemas.SchemaDetectionError as exc:
            raise AppError(f"{file_name}: {exc.message}", code=exc.code, details=exc.details) from exc
        schema, reason = detected.schema, detected.reason
    data_schema = record_schemas.canonical_schema(schema)

    def rows() -> Iterator[Row]:
        for record in itertools.chain(head, stream):
            stats.read += 1
            if record.error is not None:
                problem = record.error_for(file_name)
            else:
                try:
                    _, row = record_schemas.to_canonical(record.data or {}, schema)
                except record_schemas.RowError as exc:
                    problem = record.error_for(file_name, problem=exc.reason, field=exc.field)
                else:
                    stats.imported += 1
                    yield {ROW_ID: _row_id(record), **row}
                    continue
            if stop_on_invalid:
                raise AppError(f"{problem.message} — the import stopped, as chosen; fix the row or import again "
                               "dropping invalid rows.", code="invalid_row", details=problem.details)
            stats.problem(problem.details[0])

    return ConvertedImport(source_schema=schema.value, data_schema=data_schema, reason=reason, rows=rows(),
                           stats=stats)
