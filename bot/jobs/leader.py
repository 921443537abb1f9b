"""One scheduler leader at a time across processes.

PostgreSQL: a session advisory lock held on a dedicated connection for the leader's lifetime; it is
released when the process exits or dies (the server ends the session), and a standby takes over.
SQLite (one host): an exclusive flock on a file beside the database, released by the OS on exit.
"""

from __future__ import annotations

import fcntl
import logging
import os
from typing import IO, Any

from sqlalchemy import Engine, text

log = logging.getLogger("opsbot.scheduler")

SCHEDULER_LOCK_ID = 0x0B5B0701


class LeaderLock:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._conn: Any = None
        self._file: IO[str] | None = None

    @property
    def held(self) -> bool:
        return self._conn is not None or self._file is not None

    def try_acquire(self) -> bool:
        if self.held:
            return self.still_held()
        if self.engine.dialect.name == "postgresql":
            conn = self.engine.connect()
            got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": SCHEDULER_LOCK_ID}).scalar()
            conn.commit()
            if got:
                self._conn = conn
                return True
            conn.close()
            return False
        path = (self.engine.url.database or "opsbot.db") + ".scheduler.lock"
        handle = open(path, "a+")  # noqa: SIM115 - held open for the process lifetime
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._file = handle
        return True

    def still_held(self) -> bool:
        """False if the leader's database session was lost (then another process may lead)."""
        if self._conn is None:
            return self._file is not None
        try:
            self._conn.execute(text("SELECT 1"))
            self._conn.commit()
            return True
        except Exception:
            log.warning("lost the scheduler lock's database session")
            self._conn = None
            return False

    def release(self) -> None:
        if self._conn is not None:
            try:
                self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": SCHEDULER_LOCK_ID})
                self._conn.commit()
                self._conn.close()
            except Exception:
                pass
            self._conn = None
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None
