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


def _where(record: SourceRecord) -> dict[str, Any]:
    place: dict[str, Any] = {"line": record.line}
    if getattr(record, "member", None):
        place["file"] = record.member
    return place


def _row_id(record: SourceRecord) -> str:
    member = getattr(record, "member", None)
    return f"{member}:{record.line}" if member else str(record.line)


def convert_records(records: Iterable[SourceRecord], *, source_schema: str | None, stop_on_invalid: bool
                    ) -> ConvertedImport:
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
            detail = [{**_where(first), "message": first.error}] if first else []
            raise AppError("No valid record in the first rows of the file; nothing to detect a schema from.",
                           code="no_records", details=detail)
        detected = record_schemas.detect_schema(sample)
        schema, reason = detected.schema, detected.reason
    data_schema = record_schemas.canonical_schema(schema)

    def rows() -> Iterator[Row]:
        for record in itertools.chain(head, stream):
            stats.read += 1
            if record.error is not None:
                detail = {**_where(record), "field": None, "message": record.error}
            else:
                try:
                    _, row = record_schemas.to_canonical(record.data, schema)
                except record_schemas.RowError as exc:
                    detail = {**_where(record), "field": exc.field, "message": exc.reason}
                else:
                    stats.imported += 1
                    yield {ROW_ID: _row_id(record), **row}
                    continue
            if stop_on_invalid:
                where = f"Line {record.line}" + (f", field '{detail['field']}'" if detail["field"] else "")
                raise AppError(f"{where}: {detail['message']} — the import stopped, as chosen; fix the row or "
                               "import again dropping invalid rows.", code="invalid_row", details=[detail])
            stats.problem(detail)

    return ConvertedImport(source_schema=schema.value, data_schema=data_schema, reason=reason, rows=rows(),
                           stats=stats)
