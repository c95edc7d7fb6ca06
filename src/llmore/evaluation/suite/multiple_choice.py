"""Local benchmark files in the common multiple-choice CSV layouts: C-Eval, CMMLU and MMLU.

* C-Eval: a header ``id,question,A,B,C,D,answer`` (``explanation`` may follow);
* CMMLU: a header ``,Question,A,B,C,D,Answer`` (the first column is an unnamed row number);
* MMLU: no header, six columns ``question,A,B,C,D,answer``.

Headers are matched without regard to case. Every problem is reported with the file and line and
what to do about it; a file with problems loads nothing.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from llmore.errors import AppError
from llmore.evaluation.suite.choice import choice_item
from llmore.evaluation.suite.items import SuiteItem

LETTERS = ("A", "B", "C", "D")
COLUMNS = ("question", *LETTERS, "answer")
MAX_REPORTED = 20


class _Problems:
    """The problems found in one file, each with its line, raised together."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.details: list[dict[str, Any]] = []

    def add(self, line: int, field: str, message: str) -> None:
        self.details.append({"field": field, "line": line, "message": f"{self.path}:{line}: {message}"})

    def raise_if_any(self) -> None:
        if self.details:
            first = self.details[0]["message"]
            more = f" (and {len(self.details) - 1} more problems)" if len(self.details) > 1 else ""
            raise AppError(f"{first}{more}", code="invalid_benchmark_file", details=self.details[:MAX_REPORTED])


def _columns(header: list[str], path: Path) -> dict[str, int] | None:
    """Column positions from a C-Eval / CMMLU header, or None when the first row is data (MMLU)."""
    names = [cell.strip().lower() for cell in header]
    if "question" not in names and "answer" not in names:
        return None
    missing = [name for name in COLUMNS if name.lower() not in names]
    if missing:
        problems = _Problems(path)
        problems.add(1, "header", f"the header lacks the column(s) {', '.join(missing)}; a C-Eval or CMMLU file "
                                  "has question, A, B, C, D and answer columns (an MMLU file has no header at all)")
        problems.raise_if_any()
    return {name: names.index(name.lower()) for name in COLUMNS}


def load_multiple_choice(path: Path) -> list[SuiteItem]:
    """The questions of a C-Eval, CMMLU or MMLU CSV file as suite items (no dimension), ids ``<file stem>-<n>``."""
    path = Path(path)
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise AppError(f"Cannot read the benchmark file {path}: {exc.strerror}. Give the path of a CSV file "
                       "readable by the server.", code="invalid_benchmark_file",
                       details=[{"field": "path", "message": f"{path}: {exc.strerror}"}]) from exc
    with handle:
        try:
            rows = list(csv.reader(handle))
        except (csv.Error, UnicodeDecodeError) as exc:
            raise AppError(f"{path}: not a UTF-8 CSV file ({exc}). Save it as UTF-8 CSV.",
                           code="invalid_benchmark_file", details=[{"field": "path", "message": str(exc)}]) from exc
    numbered = [(line, row) for line, row in enumerate(rows, start=1) if any(cell.strip() for cell in row)]
    if not numbered:
        problems = _Problems(path)
        problems.add(1, "path", "the file has no questions; a benchmark file has one question a line")
        problems.raise_if_any()
    columns = _columns(numbered[0][1], path)
    if columns is None:
        columns = {name: index for index, name in enumerate(COLUMNS)}
    else:
        numbered = numbered[1:]
    return _items(path, numbered, columns)


def _items(path: Path, numbered: list[tuple[int, list[str]]], columns: dict[str, int]) -> list[SuiteItem]:
    problems = _Problems(path)
    items: list[SuiteItem] = []
    width = max(columns.values()) + 1
    for line, row in numbered:
        if len(row) < width:
            problems.add(line, "row", f"{len(row)} columns where {width} are needed ({', '.join(COLUMNS)}); "
                                      "quote cells that contain commas")
            continue
        values = {name: row[index].strip() for name, index in columns.items()}
        answer = values["answer"].upper()
        if answer not in LETTERS:
            problems.add(line, "answer", f"answer {values['answer']!r} is not one of A, B, C, D")
        if not values["question"]:
            problems.add(line, "question", "the question is empty")
        if answer in LETTERS and values["question"]:
            options = {letter: values[letter] for letter in LETTERS}
            items.append(choice_item(f"{path.stem}-{len(items) + 1}", None, values["question"], options, answer))
    if not items and not problems.details:
        problems.add(numbered[0][0] if numbered else 1, "path", "the file has a header but no questions")
    problems.raise_if_any()
    return items
