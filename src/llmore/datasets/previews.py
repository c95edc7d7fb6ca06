"""Quick answers the console needs before starting a job: import previews, rule previews, rule checks."""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from llmore.datasets import formats, versions
from llmore.datasets.canonical import DataSchema
from llmore.datasets.importing import convert_records
from llmore.datasets.models import DatasetVersion
from llmore.datasets.schemas import PreviewOut
from llmore.datasets.service import artifact_store
from llmore.errors import AppError
from llmore.settings import Settings

PREVIEW_ROWS = 20
PREVIEW_SCAN = 200
RULE_PREVIEW_ROWS = 200


def preview_bytes(head: bytes, *, filename: str) -> PreviewOut:
    """Detect format and schema from the first bytes of a file and convert the first rows.

    The console sends only the beginning of a large file, so a broken last line is expected and
    not reported.
    """
    if not head:
        raise AppError(f"'{filename}' is empty (0 bytes); choose a file with data.", code="empty_upload",
                       details=[{"field": "body", "message": "0 bytes"}])
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / Path(filename).name
        path.write_bytes(head)
        file_format = formats.detect_format(filename, head[:4096])
        records = list(itertools.islice(formats.iter_records(path, fmt=file_format), PREVIEW_SCAN + 1))
    truncated = len(records) > PREVIEW_SCAN
    if not truncated and records and records[-1].error is not None:
        records = records[:-1]  # most likely the line the console cut in half
    converted = convert_records(records[:PREVIEW_SCAN], file_name=filename, source_schema=None,
                                stop_on_invalid=False)
    rows = list(converted.rows)
    return PreviewOut(file_format=file_format, source_schema=converted.source_schema,
                      data_schema=converted.data_schema, reason=converted.reason, rows=rows[:PREVIEW_ROWS],
                      errors=converted.stats.errors, scanned=converted.stats.read)


def _invalid(exc: ValidationError, body_field: str, what: str) -> AppError:
    details = [{"field": ".".join(["body", body_field, *map(str, error["loc"])]), "message": error["msg"]}
               for error in exc.errors()]
    return AppError(f"Some {what} are invalid; see details.", code="validation_error", details=details)


def check_rules(raw_rules: list[dict[str, Any]]) -> list[Any]:
    """Parse a rule set, refusing an invalid one before a job starts (errors name ``body.rules.N.field``)."""
    from llmore.datasets.cleaning import UserCodeError, parse_rules

    try:
        return parse_rules(raw_rules)
    except ValidationError as exc:
        raise _invalid(exc, "rules", "cleaning rules") from exc
    except UserCodeError as exc:
        raise AppError(f"The python rule's code is refused: {exc}", code="invalid_user_code",
                       details=[{"field": "body.rules", "message": str(exc), "line": getattr(exc, "line", None)}]
                       ) from exc


def check_methods(raw_methods: list[dict[str, Any]]) -> None:
    """Refuse invalid augmentation methods before a job starts (errors name ``body.methods.N.field``)."""
    from llmore.datasets.augmentation import NoSuchDeployment, parse_methods
    from llmore.datasets.augmentation import check_methods as check_runnable

    try:
        check_runnable(parse_methods(raw_methods))
    except ValidationError as exc:
        raise _invalid(exc, "methods", "augmentation methods") from exc
    except NoSuchDeployment as exc:
        field, _, message = str(exc).partition(": ")
        raise AppError(message, code="no_deployment", details=[{"field": f"body.{field}", "message": message}]
                       ) from exc


def preview_cleaning(settings: Settings, version: DatasetVersion, raw_rules: list[dict[str, Any]]) -> dict[str, Any]:
    """What ``raw_rules`` would change on the first rows of ``version``."""
    from llmore.datasets.cleaning import RuleError, preview

    rules = check_rules(raw_rules)
    rows = list(itertools.islice(versions.iter_rows(artifact_store(settings), version.sha256), RULE_PREVIEW_ROWS))
    try:
        result = preview(rows, DataSchema(version.data_schema), rules, limit=RULE_PREVIEW_ROWS)
    except RuleError as exc:
        raise AppError(str(exc), code="rule_failed",
                       details=[{"field": f"body.rules.{exc.index}", "message": str(exc), "line": exc.line}]) from exc
    return result.model_dump(mode="json")
