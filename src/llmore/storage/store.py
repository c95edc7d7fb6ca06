"""Content-addressed artifact storage on any fsspec filesystem (file://, s3://, hdfs://, memory://).

A blob lives at ``blobs/<sha256[:2]>/<sha256>``: identical content is stored once, a stored
blob is never rewritten, and its address proves its integrity. Writes go to a temporary name
first and are renamed into place, so readers never see a half-written blob.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import fsspec
from fsspec.core import url_to_fs

from llmore.errors import AppError, NotFound

CHUNK_BYTES = 1024 * 1024
SHA256_HEX_LENGTH = 64


@dataclass(frozen=True)
class StoredBlob:
    """A blob's address and size."""

    sha256: str
    size: int


class ArtifactStore:
    """Blobs addressed by their SHA-256 under one fsspec root URL."""

    def __init__(self, url: str):
        self.url = url.rstrip("/")
        self.fs: fsspec.AbstractFileSystem
        self.fs, self.root = url_to_fs(self.url)
        self.fs.makedirs(self._join("blobs"), exist_ok=True)
        self.fs.makedirs(self._join("tmp"), exist_ok=True)

    def _join(self, *parts: str) -> str:
        return "/".join([self.root.rstrip("/"), *parts])

    def blob_path(self, sha256: str) -> str:
        """Filesystem path of the blob ``sha256`` (validated, so no path tricks)."""
        if len(sha256) != SHA256_HEX_LENGTH or any(c not in "0123456789abcdef" for c in sha256):
            raise AppError(
                f"'{sha256}' is not a SHA-256 hex digest.",
                code="invalid_digest",
                details=[{"field": "sha256", "message": "64 lowercase hex characters"}],
            )
        return self._join("blobs", sha256[:2], sha256)

    def put_stream(self, chunks: Iterable[bytes]) -> StoredBlob:
        """Store the bytes of ``chunks`` (streamed: memory stays flat for any size)."""
        digest = hashlib.sha256()
        size = 0
        tmp = self._join("tmp", uuid.uuid4().hex)
        with self.fs.open(tmp, "wb") as out:
            for chunk in chunks:
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
        sha = digest.hexdigest()
        final = self.blob_path(sha)
        if self.fs.exists(final):
            self.fs.rm(tmp)
        else:
            self.fs.makedirs(self._join("blobs", sha[:2]), exist_ok=True)
            self.fs.mv(tmp, final)
        return StoredBlob(sha256=sha, size=size)

    def put_bytes(self, data: bytes) -> StoredBlob:
        return self.put_stream([data])

    def put_file(self, path: Path | str) -> StoredBlob:
        with open(path, "rb") as handle:
            return self.put_stream(iter(lambda: handle.read(CHUNK_BYTES), b""))

    def exists(self, sha256: str) -> bool:
        return bool(self.fs.exists(self.blob_path(sha256)))

    def open(self, sha256: str) -> BinaryIO:
        """A binary reader of the blob; 404 when it is not stored."""
        path = self.blob_path(sha256)
        if not self.fs.exists(path):
            raise NotFound(f"No blob {sha256} in the artifact store {self.url}.")
        return self.fs.open(path, "rb")

    def read_bytes(self, sha256: str) -> bytes:
        with self.open(sha256) as handle:
            return handle.read()

    def verify(self, sha256: str) -> bool:
        """Re-hash a stored blob and compare with its address (detects corruption)."""
        digest = hashlib.sha256()
        with self.open(sha256) as handle:
            for chunk in iter(lambda: handle.read(CHUNK_BYTES), b""):
                digest.update(chunk)
        return digest.hexdigest() == sha256
