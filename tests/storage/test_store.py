"""Content-addressed artifact storage on local files and fsspec's in-memory filesystem."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

import pytest

from llmore.errors import AppError, NotFound
from llmore.storage.store import ArtifactStore


@pytest.fixture(params=["file", "memory"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> ArtifactStore:
    url = (tmp_path / "store").as_uri() if request.param == "file" else f"memory://llmore-{uuid.uuid4().hex}"
    return ArtifactStore(url)


def test_blob_is_addressed_by_its_sha256_and_stored_once(store: ArtifactStore) -> None:
    data = b"hello artifacts\n"
    first = store.put_bytes(data)
    second = store.put_bytes(data)
    assert first == second
    assert first.sha256 == hashlib.sha256(data).hexdigest()
    assert first.size == len(data)
    assert store.read_bytes(first.sha256) == data
    assert store.verify(first.sha256)
    assert store.fs.ls(store._join("tmp")) == []  # no temporary files are left behind


def test_large_file_streams_in_chunks(store: ArtifactStore, tmp_path: Path) -> None:
    source = tmp_path / "big.bin"
    chunk = bytes(range(256)) * 4096
    with source.open("wb") as handle:
        for _ in range(8):
            handle.write(chunk)
    blob = store.put_file(source)
    assert blob.size == 8 * len(chunk)
    assert blob.sha256 == hashlib.sha256(source.read_bytes()).hexdigest()


def test_corruption_is_detected(tmp_path: Path) -> None:
    store = ArtifactStore((tmp_path / "store").as_uri())
    blob = store.put_bytes(b"original")
    Path(store.blob_path(blob.sha256)).write_bytes(b"tampered")
    assert not store.verify(blob.sha256)


def test_bad_and_unknown_digests_are_refused(store: ArtifactStore) -> None:
    with pytest.raises(AppError, match="not a SHA-256"):
        store.open("../../etc/passwd")
    with pytest.raises(NotFound):
        store.open("0" * 64)
