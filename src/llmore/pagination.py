"""Paginated, sorted list queries shared by every list endpoint."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel, ConfigDict
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from llmore.errors import AppError

T = TypeVar("T")

MAX_PAGE_SIZE = 200


class Page(BaseModel, Generic[T]):
    """One page of a list: the items and where they sit in the whole."""

    model_config = ConfigDict(from_attributes=True)

    items: list[T]
    total: int
    page: int
    page_size: int


class PageParams(BaseModel):
    """Page number, size and sort key of a list request."""

    page: int = 1
    page_size: int = 20
    sort: str = "-created_at"


def page_params(
    page: int = Query(1, ge=1, description="1-based page number."),
    page_size: int = Query(20, ge=1, le=MAX_PAGE_SIZE, description="Items per page."),
    sort: str = Query("-created_at", description="Field to sort by; prefix with '-' for descending."),
) -> PageParams:
    """FastAPI dependency reading the common list query parameters."""
    return PageParams(page=page, page_size=page_size, sort=sort)


def paginate(
    session: Session, stmt: Select[Any], params: PageParams, sortable: dict[str, Any]
) -> tuple[Sequence[Any], int]:
    """Run ``stmt`` for one page sorted by an allowed key; returns (rows, total)."""
    descending = params.sort.startswith("-")
    key = params.sort.lstrip("-")
    if key not in sortable:
        raise AppError(
            f"Cannot sort by '{key}'.",
            code="invalid_sort",
            details=[{"field": "query.sort", "message": f"allowed: {', '.join(sorted(sortable))}"}],
        )
    column = sortable[key]
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    ordered = stmt.order_by(column.desc() if descending else column.asc(), *_tiebreak(stmt, descending))
    rows = session.scalars(ordered.limit(params.page_size).offset((params.page - 1) * params.page_size)).all()
    return rows, total


def _tiebreak(stmt: Select[Any], descending: bool) -> list[Any]:
    """Order by primary key last so pages are stable when sort keys tie."""
    entity = stmt.column_descriptions[0].get("entity")
    if entity is None or not hasattr(entity, "id"):
        return []
    return [entity.id.desc() if descending else entity.id.asc()]
