"""Before a command reads or writes the database: is it migrated? Otherwise say "run `opsbot migrate`", not
"no such table" from deep inside the command."""

from __future__ import annotations

import argparse
import sys

from sqlalchemy.exc import SQLAlchemyError

from bot.config import Settings

# Commands that never open the database, or apply the migrations themselves (`run` unless --no-migrate).
NO_DATABASE = frozenset({"migrate", "check-config", "demo", "claims", "template", "run"})

NOT_MIGRATED = ("opsbot: the database ({where}) has no tables yet or is behind this version of opsbot: "
                "run `opsbot migrate` first.")


def needs_database(args: argparse.Namespace) -> bool:
    """True for a subcommand that works on the database; help screens (lambdas that print usage) don't."""
    func = getattr(args, "func", None)
    return args.command not in NO_DATABASE and getattr(func, "__name__", "") != "<lambda>"


def require_migrated(settings: Settings) -> None:
    """Exit 2 with one sentence when the database is not at the newest revision.

    A database that can't be reached is left to the command itself (it reports that in its own words)."""
    from bot.db.migrate import pending
    from bot.db.session import Database

    db = Database(settings.database_url)
    try:
        behind = pending(db.engine)
    except SQLAlchemyError:
        return
    finally:
        db.dispose()
    if behind:
        url = db.engine.url
        where = url.database if url.get_backend_name() == "sqlite" else url.render_as_string(hide_password=True)
        print(NOT_MIGRATED.format(where=where), file=sys.stderr)
        raise SystemExit(2)


def require_reachable(settings: Settings) -> None:
    """Connect once, so an unreachable database is reported (by the CLI's error boundary) before anything else.

    A SQLite file whose folder exists is not opened: opening it would create an empty database."""
    from pathlib import Path

    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and (not url.database or url.database == ":memory:"
                                               or Path(url.database).parent.exists()):
        return
    engine = create_engine(url)
    try:
        with engine.connect():
            pass
    finally:
        engine.dispose()
