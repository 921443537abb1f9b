"""Models and migrations never drift; upgrade and downgrade run clean (SQLite and PostgreSQL)."""

from __future__ import annotations

import os

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from bot.db.all_models import metadata
from bot.db.migrate import MIGRATIONS_DIR, alembic_config, downgrade, upgrade
from bot.db.session import Database

PG_URL = os.environ.get("OPSBOT_TEST_DATABASE_URL")


def _fresh(tmp_path) -> Database:
    if PG_URL:
        db = Database(PG_URL)
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        return db
    return Database(f"sqlite:///{tmp_path / 'm.db'}")


def _drift(db: Database) -> list:
    with db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "render_as_batch": True})
        return compare_metadata(ctx, metadata)


def test_models_match_migrations(tmp_path, _template_db):
    db = _fresh(tmp_path)
    try:
        upgrade(db.engine)
        assert _drift(db) == []
    finally:
        _restore(db)


def test_downgrade_to_base_and_upgrade_again(tmp_path, _template_db):
    db = _fresh(tmp_path)
    try:
        upgrade(db.engine)
        downgrade(db.engine, "base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade(db.engine)
        assert _drift(db) == []
    finally:
        _restore(db)


def test_single_head():
    """Every migration is on one line of history (a second head means a missing merge)."""
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1, script.get_heads()
    assert MIGRATIONS_DIR.exists()


def _restore(db: Database) -> None:
    """On PostgreSQL the shared test database must be left migrated for the other tests."""
    if PG_URL:
        upgrade(db.engine)
    db.dispose()
