"""The shared table base on every backend: optimistic version, soft delete, author, UTC times, migrations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from llmore.auth.models import Department
from llmore.db.base import ACTOR_ID
from llmore.db.crud import check_version
from llmore.db.engine import make_engine
from llmore.db.registry import load_all_models
from llmore.errors import StaleVersion


def test_concurrent_writers_cannot_overwrite_each_other(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as session:
        session.add(Department(name="Ops"))
    with session_factory() as alice, session_factory() as bob:
        mine = alice.scalars(select(Department)).one()
        theirs = bob.scalars(select(Department)).one()
        mine.description = "Alice's"
        alice.commit()
        theirs.description = "Bob's"
        with pytest.raises(StaleDataError):
            bob.commit()
    with session_factory() as session:
        stored = session.scalars(select(Department)).one()
        assert (stored.description, stored.version) == ("Alice's", 2)


def test_check_version_refuses_an_edit_of_an_old_version(db: Session) -> None:
    department = Department(name="Legal")
    db.add(department)
    db.flush()
    with pytest.raises(StaleVersion) as refused:
        check_version(department, department.version - 1 if department.version > 1 else 99)
    assert refused.value.details[0]["field"] == "body.version"


def test_soft_deleted_rows_are_hidden_but_kept(db: Session) -> None:
    db.add_all([Department(name="Kept"), Department(name="Gone")])
    db.flush()
    gone = db.scalars(select(Department).where(Department.name == "Gone")).one()
    gone.soft_delete()
    db.commit()
    assert [d.name for d in db.scalars(select(Department))] == ["Kept"]
    everything = db.scalars(select(Department).execution_options(include_deleted=True)).all()
    assert sorted(d.name for d in everything) == ["Gone", "Kept"]


def test_author_and_utc_timestamps_are_filled(db: Session) -> None:
    db.info[ACTOR_ID] = 7
    department = Department(name="R&D")
    db.add(department)
    db.commit()
    db.expire_all()
    stored = db.get(Department, department.id)
    assert stored is not None
    assert stored.created_by == 7
    assert stored.created_at.tzinfo is UTC
    assert abs(stored.created_at - datetime.now(UTC)) < timedelta(minutes=1)


def test_naive_datetimes_are_refused(db: Session) -> None:
    db.add(Department(name="Naive", created_at=datetime(2026, 1, 1)))
    with pytest.raises(Exception, match="naive datetimes are ambiguous"):
        db.flush()
    db.rollback()


def test_migrations_match_the_models(database_url: str) -> None:
    engine = make_engine(database_url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), load_all_models())
    engine.dispose()
    assert differences == [], "models changed without a migration: run alembic revision --autogenerate"


def test_timestamps_keep_microseconds_on_every_backend(db: Session) -> None:
    moment = datetime(2026, 5, 4, 3, 2, 1, 123456, tzinfo=UTC)
    department = Department(name="Precise", created_at=moment)
    db.add(department)
    db.commit()
    db.expire_all()
    stored = db.get(Department, department.id)
    assert stored is not None
    assert stored.created_at == moment
