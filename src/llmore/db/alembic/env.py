"""Alembic environment: runs migrations against the URL given in the config."""

from __future__ import annotations

from alembic import context

from llmore.db.engine import make_engine
from llmore.db.registry import load_all_models

target_metadata = load_all_models()


def run_migrations_online() -> None:
    url = context.config.get_main_option("sqlalchemy.url")
    assert url, "sqlalchemy.url must be set by llmore.db.migrate.alembic_config"
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
