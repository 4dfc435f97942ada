"""The SQL projection: typed models, sessions and Alembic migrations."""
