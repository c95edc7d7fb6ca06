"""The ORM base every table inherits: id, timestamps, author, optimistic version, soft delete."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, MetaData, event
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    ORMExecuteState,
    Session,
    declared_attr,
    mapped_column,
    with_loader_criteria,
)

from llmore.db.types import UTCDateTime, utcnow

# Deterministic constraint names keep Alembic migrations identical on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

INCLUDE_DELETED = "include_deleted"
"""Execution option: ``session.execute(stmt.execution_options(include_deleted=True))`` sees soft-deleted rows."""

ACTOR_ID = "actor_id"
"""Key in ``Session.info`` naming the user whose changes the session carries (fills ``created_by``)."""


class Base(DeclarativeBase):
    """Declarative base holding the shared metadata."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Record(Base):
    """Abstract base for domain tables: the shared columns of DESIGN.md section 4."""

    __abstract__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    created_by: Mapped[int | None] = mapped_column(Integer, default=None)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:  # noqa: N805 - declared_attr receives the class
        # SQLAlchemy's own optimistic locking: every UPDATE carries `WHERE version = <loaded>`
        # and raises StaleDataError when another writer got there first.
        return {"version_id_col": cls.version}

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def soft_delete(self) -> None:
        """Mark the row deleted; it stays in the table and can be restored."""
        self.deleted_at = utcnow()


@event.listens_for(Session, "do_orm_execute")
def _hide_soft_deleted(state: ORMExecuteState) -> None:
    """Filter soft-deleted rows out of every ORM SELECT unless asked otherwise."""
    if (
        state.is_select
        and not state.is_column_load
        and not state.is_relationship_load
        and not state.execution_options.get(INCLUDE_DELETED, False)
    ):
        state.statement = state.statement.options(
            with_loader_criteria(Record, lambda cls: cls.deleted_at.is_(None), include_aliases=True)
        )


@event.listens_for(Session, "before_flush")
def _stamp_author(session: Session, flush_context: Any, instances: Any) -> None:
    """Fill ``created_by`` of new rows from the session's actor."""
    actor = session.info.get(ACTOR_ID)
    if actor is None:
        return
    for obj in session.new:
        if isinstance(obj, Record) and obj.created_by is None:
            obj.created_by = actor
