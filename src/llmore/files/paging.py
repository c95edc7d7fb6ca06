"""OpenAI-style object ids (``file-12``, ``ftjob-7``) and cursor pages (``after`` an id, ``limit``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Select
from sqlalchemy.orm import InstrumentedAttribute, Session

from llmore.errors import NotFound

T = TypeVar("T")


def parse_id(value: str, prefix: str, *, param: str, what: str) -> int:
    """The row id inside an OpenAI-style id; anything else answers 404 naming ``param``."""
    number = value.removeprefix(prefix)
    if not value.startswith(prefix) or not number.isdigit():
        raise NotFound(f"No {what} with id '{value}' (ids look like '{prefix}123').",
                       details=[{"field": param, "message": f"unknown {what} id"}])
    return int(number)


def cursor_page(session: Session, stmt: Select[tuple[T]], id_column: InstrumentedAttribute[Any], *,
                after: int | None, limit: int, descending: bool = True) -> tuple[list[T], bool]:
    """Up to ``limit`` rows following the row ``after`` in id order, and whether more follow."""
    if after is not None:
        stmt = stmt.where(id_column < after if descending else id_column > after)
    stmt = stmt.order_by(id_column.desc() if descending else id_column.asc()).limit(limit + 1)
    rows = list(session.scalars(stmt))
    return rows[:limit], len(rows) > limit


def page_after(items: list[T], id_of: Callable[[T], str], *, after: str | None, limit: int, what: str
               ) -> tuple[list[T], bool]:
    """Up to ``limit`` of ``items`` (already in order) after the one whose id is ``after``; and whether more follow."""
    if after:
        ids = [id_of(item) for item in items]
        if after not in ids:
            raise NotFound(f"No {what} '{after}' in this job.",
                           details=[{"field": "after", "message": f"unknown {what}"}])
        items = items[ids.index(after) + 1:]
    return items[:limit], len(items) > limit
