"""Tables of the model registry: models, their immutable versions, aliases and lifecycle history."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from llmore.db.base import Record


class Model(Record):
    """A named model (one family of versions) with its task, description, tags and owner.

    ``owner_id`` is ``None`` for models LLMore registers itself (the bundled demo models).
    """

    __tablename__ = "models"

    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    task: Mapped[str] = mapped_column(String(32), default="chat")
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    latest_version: Mapped[int] = mapped_column(Integer, default=0)


class ModelVersion(Record):
    """One immutable artifact of a model (base, adapter, merged or quantized) with its metadata and lineage.

    ``path`` is the local folder (or the file, for GGUF) that engines load; ``storage`` says whether
    LLMore owns those files (``copy``: under ``$LLMORE_HOME/models/registry``) or only points at
    them (``reference``). ``base_version_id`` is the base an adapter applies to (and the base a
    merged model was merged into); ``parent_id`` the version this one was derived from (the
    adapter of a merge, the source of a conversion). ``source`` records where it came from:
    ``{"kind": "path" | "huggingface" | "modelscope" | "gguf" | "bundled" | "merge" | "convert" |
    "training", ...}`` with job id, dataset version and base version where they apply.
    """

    __tablename__ = "model_versions"
    __table_args__ = (UniqueConstraint("model_id", "number"),)

    model_id: Mapped[int] = mapped_column(ForeignKey("models.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), index=True)
    base_version_id: Mapped[int | None] = mapped_column(ForeignKey("model_versions.id"), default=None)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("model_versions.id"), default=None)
    path: Mapped[str] = mapped_column(String(2000))
    uri: Mapped[str | None] = mapped_column(String(2000), default=None)
    storage: Mapped[str] = mapped_column(String(16), default="reference")
    format: Mapped[str] = mapped_column(String(32))
    train_framework: Mapped[str | None] = mapped_column(String(64), default=None)
    inference_framework: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    parameter_count: Mapped[int | None] = mapped_column(BigInteger, default=None)
    context_length: Mapped[int | None] = mapped_column(Integer, default=None)
    has_chat_template: Mapped[bool] = mapped_column(Boolean, default=False)
    license: Mapped[str] = mapped_column(String(100), default="")
    architecture: Mapped[str | None] = mapped_column(String(100), default=None)
    dtype: Mapped[str | None] = mapped_column(String(32), default=None)
    description: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    source: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id"), default=None)

    model: Mapped[Model] = relationship(lazy="joined")


class ModelAlias(Record):
    """A movable name for one version of a model (``prod`` → version 3), unique per model.

    Removing an alias soft-deletes the row; setting the alias again revives the same row, so the
    unique constraint holds across deletions.
    """

    __tablename__ = "model_aliases"
    __table_args__ = (UniqueConstraint("model_id", "alias"),)

    model_id: Mapped[int] = mapped_column(ForeignKey("models.id"))
    alias: Mapped[str] = mapped_column(String(64))
    version_id: Mapped[int] = mapped_column(ForeignKey("model_versions.id"))


class ModelTransition(Record):
    """One lifecycle change of a version: from, to, why, whether an admin forced it; ``created_by`` is who."""

    __tablename__ = "model_version_transitions"

    version_id: Mapped[int] = mapped_column(ForeignKey("model_versions.id"), index=True)
    from_state: Mapped[str | None] = mapped_column(String(16), default=None)
    to_state: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    forced: Mapped[bool] = mapped_column(Boolean, default=False)
