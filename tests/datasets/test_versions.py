"""Version blobs: row diffs against the parent, sparse-index paging, refusal of repeated row ids."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmore.datasets import versions
from llmore.errors import AppError
from llmore.storage.store import ArtifactStore


@pytest.fixture
def store(tmp_path: Path) -> ArtifactStore:
    return ArtifactStore((tmp_path / "store").as_uri())


def _rows(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"_id": row_id, "text": text} for row_id, text in pairs]


def test_diff_counts_added_removed_and_changed(store: ArtifactStore, tmp_path: Path) -> None:
    first = versions.write_rows(store, _rows(("a", "1"), ("b", "2"), ("c", "3")), parent=None, scratch=tmp_path)
    assert first.diff == {"added": 3, "removed": 0, "changed": 0}
    parent = versions.parent_prints(store, first.sha256)
    second = versions.write_rows(store, _rows(("a", "1"), ("c", "three"), ("d", "4"), ("e", "5")), parent=parent,
                                 scratch=tmp_path)
    assert second.diff == {"added": 2, "removed": 1, "changed": 1}
    assert second.row_count == 4


def test_pages_seek_with_the_sparse_index(store: ArtifactStore, tmp_path: Path) -> None:
    rows = [{"_id": str(i), "text": f"row {i} 行"} for i in range(2500)]
    written = versions.write_rows(store, rows, parent=None, scratch=tmp_path)
    assert len(written.line_index) == 3
    page = list(versions.iter_rows(store, written.sha256, start=2105, line_index=written.line_index))
    assert page[0] == rows[2105]
    assert len(page) == 2500 - 2105


def test_repeated_row_ids_are_refused_and_nothing_is_stored(store: ArtifactStore, tmp_path: Path) -> None:
    with pytest.raises(AppError, match="repeat another row's _id"):
        versions.write_rows(store, _rows(("a", "1"), ("a", "2")), parent=None, scratch=tmp_path)
    assert list(tmp_path.glob("*.jsonl")) == []
