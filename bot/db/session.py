"""Engine and transactions. One Session per request or job; one transaction per state change."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker


WRITE_LOCK_WAIT_SECONDS = 30


def make_engine(url: str, *, writer: bool = True) -> Engine:
    """An engine tuned for the backend.

    SQLite: WAL, a busy timeout, foreign keys on; a writer engine starts every transaction with
    `BEGIN IMMEDIATE` so a read that decides a write (am I clocked in?) cannot race another writer,
    while a reader engine uses plain deferred transactions that never wait for the write lock.
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": WRITE_LOCK_WAIT_SECONDS, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA busy_timeout={WRITE_LOCK_WAIT_SECONDS * 1000}")
            if ":memory:" not in url:
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: no corruption on crash, fsync at checkpoints
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):  # type: ignore[no-untyped-def]
            # A writer in another process holding the lock is waited for by SQLite's busy timeout;
            # writers of this process queue on Database._write_lock and never meet here.
            conn.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def _note_outbox_rows(session: Session, _flush_context: object) -> None:
    from bot.db.models import OutboxMessage

    if any(isinstance(obj, OutboxMessage) for obj in session.new):
        session.info["outbox_written"] = True


class Database:
    """The engine plus a session factory; `transaction()` is the unit of work."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        sqlite = self.engine.dialect.name == "sqlite"
        self._read_engine = make_engine(url, writer=False) if sqlite and ":memory:" not in url else self.engine
        self._read_sessions = sessionmaker(self._read_engine, expire_on_commit=False)
        # SQLite has one writer at a time: queue this process's writers on a lock instead of letting
        # them poll SQLite's busy handler, which sleeps up to 100 ms between tries.
        self._write_lock = threading.Lock() if sqlite else None
        self._outbox_listeners: list[Callable[[], None]] = []
        event.listen(self.sessions, "after_flush", _note_outbox_rows)
        event.listen(self.sessions, "after_commit", self._after_commit)

    def on_outbox_commit(self, listener: Callable[[], None]) -> None:
        """Call `listener` after any transaction that queued Slack messages commits (the notifier's wake-up)."""
        self._outbox_listeners.append(listener)

    def _after_commit(self, session: Session) -> None:
        if session.info.pop("outbox_written", False):
            for listener in self._outbox_listeners:
                listener()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commits on success, rolls back on any exception."""
        if self._write_lock is None:
            with self.sessions.begin() as session:
                yield session
            return
        with self._write_lock, self.sessions.begin() as session:
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only session (never takes SQLite's write lock)."""
        with self._read_sessions() as session:
            yield session

    def ping(self) -> str:
        """'ok' or a short reason, for /healthz."""
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return "ok"
        except Exception as exc:  # health checks report, never raise
            return f"error: {type(exc).__name__}"

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    def dispose(self) -> None:
        self.engine.dispose()
        self._read_engine.dispose()
