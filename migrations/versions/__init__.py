"""Alembic revisions (alembic ignores this file)."""
