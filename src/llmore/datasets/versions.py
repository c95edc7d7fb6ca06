"""Writing and reading dataset versions: canonical JSONL blobs in the artifact store.

A version is written by streaming rows into a temporary file while counting them, indexing
their offsets and hashing each row for the diff against the parent; the finished file is moved
into the content-addressed store. Reading streams the blob back, seeking with the sparse index.
"""

from __future__ import annotations

import json
import os
import tempfile
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import xxhash

from llmore.datasets.canonical import ROW_ID, SPLIT, Row
from llmore.errors import AppError
from llmore.storage.store import ArtifactStore

LINE_INDEX_STEP = 1000


@dataclass
class WrittenRows:
    """What streaming rows into a new version produced."""

    sha256: str
    size_bytes: int
    row_count: int
    line_index: list[int]
    diff: dict[str, int]
    splits: dict[str, int] | None


@dataclass
class RowPrints:
    """Hashes of a version's row ids with the fingerprints of their content, sorted by id hash.

    Sixteen bytes a row, so diffing a ten-million-row version against its parent needs about
    160 MB each, where a dict of the ids would need several gigabytes.
    """

    ids: np.ndarray
    prints: np.ndarray

    @classmethod
    def collect(cls, ids: array[int], prints: array[int]) -> RowPrints:
        id_array = np.frombuffer(ids, dtype=np.uint64)
        order = np.argsort(id_array, kind="stable")
        return cls(ids=id_array[order], prints=np.frombuffer(prints, dtype=np.uint64)[order])

    def repeated_ids(self) -> int:
        return int(np.count_nonzero(self.ids[1:] == self.ids[:-1]))


def encode_row(row: Row) -> bytes:
    """One JSONL line: compact, UTF-8 (Chinese stays readable), keys in a stable order."""
    return json.dumps(row, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode() + b"\n"


def _id_hash(row_id: str) -> int:
    return xxhash.xxh3_64_intdigest(row_id.encode())


def parent_prints(store: ArtifactStore, sha256: str) -> RowPrints:
    """Row-id hashes and fingerprints of every row of a stored version."""
    ids, prints = array("Q"), array("Q")
    with store.open(sha256) as handle:
        for line in handle:
            ids.append(_id_hash(json.loads(line)[ROW_ID]))
            prints.append(xxhash.xxh3_64_intdigest(line))
    return RowPrints.collect(ids, prints)


def diff(current: RowPrints, parent: RowPrints | None) -> dict[str, int]:
    """Rows added, removed and changed (same id, other content) from ``parent`` to ``current``."""
    if parent is None:
        return {"added": len(current.ids), "removed": 0, "changed": 0}
    in_parent = np.isin(current.ids, parent.ids, assume_unique=True)
    kept_ids = current.ids[in_parent]
    parent_prints_of_kept = parent.prints[np.searchsorted(parent.ids, kept_ids)]
    return {
        "added": int(np.count_nonzero(~in_parent)),
        "removed": len(parent.ids) - len(kept_ids),
        "changed": int(np.count_nonzero(parent_prints_of_kept != current.prints[in_parent])),
    }


def write_rows(store: ArtifactStore, rows: Iterable[Row], *, parent: RowPrints | None, scratch: Path) -> WrittenRows:
    """Stream ``rows`` into the store as one blob; the diff counts rows added, removed and changed vs ``parent``."""
    scratch.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=scratch, suffix=".jsonl")
    ids, prints = array("Q"), array("Q")
    index: list[int] = []
    splits: dict[str, int] = {}
    offset = 0
    try:
        with os.fdopen(fd, "wb") as out:
            for count, row in enumerate(rows):
                line = encode_row(row)
                ids.append(_id_hash(row[ROW_ID]))
                prints.append(xxhash.xxh3_64_intdigest(line))
                if count % LINE_INDEX_STEP == 0:
                    index.append(offset)
                if SPLIT in row:
                    splits[row[SPLIT]] = splits.get(row[SPLIT], 0) + 1
                out.write(line)
                offset += len(line)
        current = RowPrints.collect(ids, prints)
        if current.repeated_ids():
            raise AppError(f"{current.repeated_ids()} rows repeat another row's _id; every row needs its own _id "
                           "(a user rule that rewrites _id must keep it unique).", code="duplicate_row_ids")
        blob = store.put_file(tmp_name)
    finally:
        Path(tmp_name).unlink(missing_ok=True)
    return WrittenRows(sha256=blob.sha256, size_bytes=blob.size, row_count=len(current.ids), line_index=index,
                       diff=diff(current, parent), splits=splits or None)


def iter_rows(store: ArtifactStore, sha256: str, *, start: int = 0, line_index: list[int] | None = None
              ) -> Iterator[Row]:
    """Rows of a stored version from row number ``start`` on, seeking with the sparse index."""
    skip = start
    with store.open(sha256) as handle:
        if line_index and start >= LINE_INDEX_STEP:
            block = min(start // LINE_INDEX_STEP, len(line_index) - 1)
            handle.seek(line_index[block])
            skip = start - block * LINE_INDEX_STEP
        for number, line in enumerate(handle):
            if number >= skip:
                yield json.loads(line)


def matches(row: Row, needle: str) -> bool:
    """Whether any text or label of ``row`` contains ``needle`` (case-insensitive)."""
    return needle in json.dumps(_visible(row), ensure_ascii=False).lower()


def _visible(row: Row) -> dict[str, Any]:
    return {key: value for key, value in row.items() if not key.startswith("_")}
