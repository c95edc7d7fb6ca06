"""Database layer: engine and sessions, the shared ORM base, and Alembic migrations."""
