"""Alembic migration scripts. Shipped inside the distribution as `bot.migrations` (see pyproject.toml)."""
