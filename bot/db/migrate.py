"""Apply alembic migrations, serialised across processes so several web workers may start at once."""

from __future__ import annotations

import importlib.util
import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

log = logging.getLogger("opsbot.migrate")


def migrations_dir() -> Path:
    """The alembic scripts, found through the package: a wheel ships the top-level migrations/ as bot.migrations
    (pyproject.toml maps it), and an editable install maps the same name onto the checkout's folder."""
    beside = Path(__file__).resolve().parents[2] / "migrations"
    if (beside / "env.py").is_file():  # bot/ imported from a checkout (or a git worktree): its own scripts
        return beside
    spec = importlib.util.find_spec("bot.migrations")
    if spec is not None and spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    # Not installed at all (bot/ imported straight from a checkout): the folder beside bot/.
    return Path(__file__).resolve().parents[2] / "migrations"


MIGRATIONS_DIR = migrations_dir()
# Any constant works; it names "opsbot migrations" among other advisory locks on the server.
MIGRATION_LOCK_ID = 0x0B5B0700


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def pending(engine: Engine) -> bool:
    """True when the database is not at the newest revision (never migrated, or behind this code)."""
    heads = set(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())
    with engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
    return current != heads


def upgrade(engine: Engine, revision: str = "heads") -> None:
    """alembic upgrade, under a PostgreSQL advisory lock (SQLite serialises writers by itself)."""
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": MIGRATION_LOCK_ID})
            try:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, revision)
                conn.commit()
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATION_LOCK_ID})
                conn.commit()
    else:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
    log.info("migrations applied to %s", revision)


def downgrade(engine: Engine, revision: str) -> None:
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)
