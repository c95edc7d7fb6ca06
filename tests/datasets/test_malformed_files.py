"""Every malformed file gives a clear error naming its place, and nothing crashes."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmore.datasets.formats import DataFileError, iter_records
from llmore.datasets.record_schemas import RowError, SchemaDetectionError, detect_schema, to_canonical
from tests.datasets.malformed import CASES, MalformedCase, build_corpus


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, MalformedCase]]:
    folder = tmp_path_factory.mktemp("malformed")
    return folder, {case.name: case for case in build_corpus(folder)}


def problems(path: Path) -> list[str]:
    """Every problem an import of ``path`` reports, read the way the importer reads: records, schema, rows.

    Only the errors meant for users are caught; anything else fails the test as a crash.
    """
    found: list[str] = []
    try:
        records = list(iter_records(path))
    except DataFileError as exc:
        return [exc.message]
    found += [record.error_for(path.name).message for record in records if record.error]
    good = [record for record in records if record.error is None]
    if not good:
        return found
    try:
        detected = detect_schema([record.data for record in good if record.data is not None])
    except SchemaDetectionError as exc:
        return [*found, f"{path.name}: {exc.message}"]
    for record in good:
        try:
            to_canonical(record.data or {}, detected.schema)
        except RowError as exc:
            found.append(record.error_for(path.name, problem=exc.reason, field=exc.field).message)
    return found


def test_the_corpus_is_large_enough() -> None:
    assert len(CASES) >= 30
    assert len({case.name for case, _ in CASES}) == len(CASES)


@pytest.mark.parametrize("name", [case.name for case, _ in CASES])
def test_malformed_file_gives_a_clear_error(corpus: tuple[Path, dict[str, MalformedCase]], name: str) -> None:
    folder, cases = corpus
    case = cases[name]
    reported = problems(folder / name)
    assert reported, f"{name} ({case.problem}) was accepted without a problem"
    assert any(all(fragment in message for fragment in case.expect) for message in reported), \
        f"{name}: no message holds all of {case.expect}; got {reported}"


def test_data_file_error_details_name_file_line_and_field(corpus: tuple[Path, dict[str, MalformedCase]]) -> None:
    folder, _ = corpus
    records = list(iter_records(folder / "ragged.csv"))
    bad = next(record for record in records if record.error)
    error = bad.error_for("ragged.csv")
    assert error.details == [{"file": "ragged.csv", "line": 3, "field": None,
                              "message": "4 values but the header has 3 columns"}]
    assert error.status_code == 422
    with pytest.raises(DataFileError) as raised:
        list(iter_records(folder / "traversal.zip"))
    assert raised.value.details[0]["file"] == "traversal.zip"


def test_good_rows_around_a_bad_line_are_still_read(corpus: tuple[Path, dict[str, MalformedCase]]) -> None:
    folder, _ = corpus
    records = list(iter_records(folder / "huge_field.jsonl"))
    assert [(r.line, r.error is None) for r in records] == [(1, True), (2, False), (3, True)]
    records = list(iter_records(folder / "broken_line.jsonl"))
    assert [r.line for r in records if r.error is None] == [1, 2, 4]
