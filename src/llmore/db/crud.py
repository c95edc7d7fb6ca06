"""Small helpers every service uses: fetch-or-404 and the optimistic version check."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy.orm import Session

from llmore.db.base import Record
from llmore.errors import NotFound, StaleVersion

R = TypeVar("R", bound=Record)


def get_or_404(session: Session, model: type[R], row_id: int, *, label: str | None = None) -> R:
    """The live row ``row_id`` of ``model``, or a 404 that names what was missing."""
    row = session.get(model, row_id)
    if row is None or row.is_deleted:
        name = label or model.__tablename__.rstrip("s").replace("_", " ")
        raise NotFound(f"No {name} with id {row_id}.", details=[{"field": "id", "message": "unknown id"}])
    return row


def check_version(row: Record, version: int) -> None:
    """Refuse an edit made against an older ``version`` of ``row`` (409, nothing changes)."""
    if row.version != version:
        raise StaleVersion(
            f"This item is at version {row.version} but the edit was made on version {version}; "
            "reload it, re-apply your change and save again.",
            details=[{"field": "body.version", "message": f"current version is {row.version}"}],
        )
