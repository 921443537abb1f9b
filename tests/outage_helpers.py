"""A database outage for tests: the SQLite file is replaced by a folder, so no new connection opens
(even as root), the way PostgreSQL refuses connections while it is down."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import pytest


@contextmanager
def database_down(db, tmp_path) -> Iterator[None]:
    if db.engine.dialect.name != "sqlite":
        pytest.skip("simulated with the SQLite file")
    path = db.engine.url.database
    moved = str(tmp_path / "elsewhere.db")
    for engine in (db.engine, db._read_engine):
        engine.dispose()  # pooled connections would still reach the moved file
    os.rename(path, moved)
    os.mkdir(path)
    try:
        yield
    finally:
        os.rmdir(path)
        os.rename(moved, path)
