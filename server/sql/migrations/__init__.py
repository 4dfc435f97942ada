"""Alembic migrations of the FieldSync schema."""
