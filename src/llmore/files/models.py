"""Table of the files domain: uploads of the OpenAI-compatible ``/v1/files`` API."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from llmore.db.base import Record


class UploadedFile(Record):
    """One uploaded file: its name and purpose, and the content-addressed blob holding its bytes.

    The OpenAI id is ``file-<id>``. ``dataset_versions`` remembers the dataset version each
    import of this file created, keyed by schema, so fine-tuning twice on one file imports it once.
    """

    __tablename__ = "files"

    filename: Mapped[str] = mapped_column(String(255))
    purpose: Mapped[str] = mapped_column(String(32), index=True)
    bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    lines: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default="processed")
    dataset_versions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
