"""Writing and reading dataset versions: canonical JSONL blobs in the artifact store.

A version is written by streaming rows into a temporary file while counting them, indexing
their offsets and hashing each row for the diff against the parent; the finished file is moved
into the content-addressed store. Reading streams the blob back, seeking with the sparse index.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import xxhash

from llmore.datasets.canonical import ROW_ID, SPLIT, Row
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
    fingerprints: dict[str, int] = field(repr=False, default_factory=dict)


def encode_row(row: Row) -> bytes:
    """One JSONL line: compact, UTF-8 (Chinese stays readable), keys in a stable order."""
    return json.dumps(row, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode() + b"\n"


def fingerprint(line: bytes) -> int:
    """A 64-bit hash of a row's encoded line, to tell changed rows from unchanged ones."""
    return xxhash.xxh3_64_intdigest(line)


def parent_fingerprints(store: ArtifactStore, sha256: str) -> dict[str, int]:
    """Row id → fingerprint of every row of a stored version (about 100 bytes per row in memory)."""
    prints: dict[str, int] = {}
    with store.open(sha256) as handle:
        for line in handle:
            prints[json.loads(line)[ROW_ID]] = fingerprint(line)
    return prints


def write_rows(
    store: ArtifactStore, rows: Iterable[Row], *, parent: dict[str, int] | None, scratch: Path
) -> WrittenRows:
    """Stream ``rows`` into the store as one blob; the diff counts rows added, removed and changed vs ``parent``."""
    scratch.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=scratch, suffix=".jsonl")
    seen: dict[str, int] = {}
    index: list[int] = []
    splits: dict[str, int] = {}
    offset = 0
    changed = 0
    try:
        with os.fdopen(fd, "wb") as out:
            for count, row in enumerate(rows):
                row_id = row[ROW_ID]
                if row_id in seen:
                    raise ValueError(f"row id {row_id!r} appears twice; every row needs its own _id")
                line = encode_row(row)
                print_ = fingerprint(line)
                seen[row_id] = print_
                if parent is not None and row_id in parent and parent[row_id] != print_:
                    changed += 1
                if count % LINE_INDEX_STEP == 0:
                    index.append(offset)
                if SPLIT in row:
                    splits[row[SPLIT]] = splits.get(row[SPLIT], 0) + 1
                out.write(line)
                offset += len(line)
        blob = store.put_file(tmp_name)
    finally:
        Path(tmp_name).unlink(missing_ok=True)
    if parent is None:
        diff = {"added": len(seen), "removed": 0, "changed": 0}
    else:
        added = sum(1 for row_id in seen if row_id not in parent)
        removed = sum(1 for row_id in parent if row_id not in seen)
        diff = {"added": added, "removed": removed, "changed": changed}
    return WrittenRows(sha256=blob.sha256, size_bytes=blob.size, row_count=len(seen), line_index=index,
                       diff=diff, splits=splits or None, fingerprints=seen)


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
