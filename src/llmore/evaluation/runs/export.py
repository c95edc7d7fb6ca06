"""A run's records as a download: JSON lines (one record a line) or CSV (one column per score)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from enum import StrEnum

from llmore.evaluation.runs.schemas import EvalRecordOut

CSV_FIELDS = ("id", "model_label", "item_index", "source", "dimension", "input", "reference", "output")
SCORE_PREFIX = "score_"


class RecordFormat(StrEnum):
    """The download formats of a run's records."""

    JSONL = "jsonl"
    CSV = "csv"


MEDIA_TYPES = {RecordFormat.JSONL: "application/x-ndjson", RecordFormat.CSV: "text/csv"}


def render(records: Sequence[EvalRecordOut], fmt: RecordFormat) -> str:
    """The records in ``fmt``; in CSV the input messages are a JSON cell and each score has its own column."""
    if fmt is RecordFormat.JSONL:
        return "".join(json.dumps(record.model_dump(mode="json"), ensure_ascii=False) + "\n" for record in records)
    names = list(dict.fromkeys(name for record in records for name in record.scores))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[*CSV_FIELDS, *(SCORE_PREFIX + name for name in names)])
    writer.writeheader()
    for record in records:
        row = record.model_dump(mode="json", include=set(CSV_FIELDS))
        row["input"] = json.dumps(row["input"], ensure_ascii=False)
        row.update({SCORE_PREFIX + name: value for name, value in record.scores.items()})
        writer.writerow(row)
    return out.getvalue()
