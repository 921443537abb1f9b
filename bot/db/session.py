"""Engine and transactions. One Session per request or job; one transaction per state change."""

from __future__ import annotations

import functools
import json
import os
import re
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import datetime, timezone

from sqlalchemy import Engine, create_engine, event, make_url, text
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

from bot.db.outage import unreachable

try:
    import fcntl
except ImportError:  # Windows has none: SQLite's busy timeout alone queues other processes there
    fcntl = None  # type: ignore[assignment]


WRITE_LOCK_WAIT_SECONDS = 30


def make_engine(url: str, *, writer: bool = True, pool_size: int = 10) -> Engine:
    """An engine tuned for the backend.

    SQLite: WAL, a busy timeout, foreign keys on; a writer engine starts every transaction with
    `BEGIN IMMEDIATE` so a read that decides a write (am I clocked in?) cannot race another writer,
    while a reader engine uses plain deferred transactions that never wait for the write lock.
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": WRITE_LOCK_WAIT_SECONDS, "check_same_thread": False},
                               **({} if ":memory:" in url or url.rstrip("/") == "sqlite:" else {"pool_size": pool_size, "max_overflow": 20}))

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
    # pool_size covers every thread that may hold a connection at once: past it, each extra connection is
    # opened for one request and closed after it (a new PostgreSQL backend every time).
    # LIFO: the connection used last is handed out next, so a few warm connections (their prepared
    # statements and cached plans) serve a burst instead of every request taking the next cold one in turn.
    # force_generic_plan: a prepared statement (psycopg prepares one a connection runs 5 times, the punch's at
    # once) is planned once per connection, not again on each of its first executions and after each
    # autovacuum ANALYZE (the punch's SELECT takes PostgreSQL longer to plan than to run; measured in
    # bench/README.md). Statements run rarely are not prepared, so reports keep plans made for their values.
    given = make_url(url).query.get("options")  # a DATABASE_URL's own ?options=... are kept
    options = " ".join(o for o in ((given if isinstance(given, str) else " ".join(given or ())), GENERIC_PLANS) if o)
    engine = create_engine(url, pool_size=pool_size, max_overflow=20, pool_use_lifo=True,
                           connect_args={"options": options})
    _ping_when_idle(engine)
    return engine


IDLE_PING_SECONDS = 5.0
GENERIC_PLANS = "-c plan_cache_mode=force_generic_plan"


def _ping_when_idle(engine: Engine) -> None:
    """Check a pooled connection before use only when it sat idle (`pool_pre_ping` pings on every checkout:
    a round trip per request). One used moments ago is alive; one idle across a database restart is
    found dead here, and the pool replaces it (DisconnectionError) before anyone's request meets it."""

    @event.listens_for(engine, "connect")
    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_conn, record) -> None:  # type: ignore[no-untyped-def]
        record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _taken(dbapi_conn, record, _proxy) -> None:  # type: ignore[no-untyped-def]
        if time.monotonic() - record.info.get("returned_at", 0.0) < IDLE_PING_SECONDS:
            return
        try:
            cur = dbapi_conn.cursor()
            cur.execute(";")
            cur.close()
            dbapi_conn.rollback()  # end the transaction the ping opened
        except Exception as exc:
            raise DisconnectionError(f"idle connection is gone: {type(exc).__name__}") from exc


def _note_outbox_rows(session: Session, _flush_context: object) -> None:
    from bot.db.models import OutboxMessage

    if any(isinstance(obj, OutboxMessage) for obj in session.new):
        session.info["outbox_written"] = True


class Database:
    """The engine plus a session factory; `transaction()` is the unit of work."""

    def __init__(self, url: str, pool_size: int = 10) -> None:
        self.url = url
        self.engine = make_engine(url, pool_size=pool_size)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        sqlite = self.engine.dialect.name == "sqlite"
        self._read_engine = make_engine(url, writer=False, pool_size=pool_size) if sqlite and ":memory:" not in url else self.engine
        self._read_sessions = sessionmaker(self._read_engine, expire_on_commit=False)
        # SQLite has one writer at a time: queue writers on a lock instead of letting them poll SQLite's
        # busy handler, which sleeps up to 100 ms between tries (see WriterLock).
        self._write_lock = WriterLock(self.engine.url.database) if sqlite else None
        self._outbox_listeners: list[Callable[[], None]] = []
        # Called with each statement a RawTransaction runs (the statement-count test listens here).
        self.statement_hooks: list[Callable[[str], None]] = []
        event.listen(self.sessions, "after_flush", _note_outbox_rows)
        # SQLAlchemy keeps a sessionmaker's listeners in a class-keyed WeakKeyDictionary: a listener holding
        # this Database (a bound method) would keep the key alive, and every Database ever made with it.
        myself = weakref.ref(self)

        def _after_commit(session: Session) -> None:
            db = myself()
            if db is not None:
                db._after_commit(session)

        event.listen(self.sessions, "after_commit", _after_commit)

    def on_outbox_commit(self, listener: Callable[[], None]) -> None:
        """Call `listener` after any transaction that queued Slack messages commits (the notifier's wake-up)."""
        self._outbox_listeners.append(listener)

    def _after_commit(self, session: Session) -> None:
        if session.info.pop("outbox_written", False):
            self.outbox_committed()

    def outbox_committed(self) -> None:
        """A committed transaction queued Slack messages: wake whoever delivers them."""
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
    def raw_transaction(self) -> Iterator[RawTransaction]:
        """One unit of work on the driver's own connection, without the ORM (the time clock's hot path).

        SQLite: this process's writers queue on the lock and take the write lock up front (BEGIN
        IMMEDIATE), so the read that decides a write cannot race another writer; commit on success,
        roll back on any exception. PostgreSQL: the connection runs in autocommit, because every state
        change on this path is written as one statement (a data-modifying CTE; see bot/services/punch.py)
        guarded in SQL by the partial unique index and `clock_out_at IS NULL`, so BEGIN and COMMIT would
        only add two round trips. Either way a queued Slack message wakes the notifier once committed."""
        sqlite = self.engine.dialect.name == "sqlite"
        # The pool checkout and return (its reset is a ROLLBACK) stay outside SQLite's writer lock: the lock
        # is held only from BEGIN IMMEDIATE to COMMIT, because every other writer of the studio waits for it.
        proxied = self.engine.raw_connection()
        driver = proxied.driver_connection
        try:
            tx = RawTransaction(driver, self.engine.dialect.name, self.statement_hooks)
            with self._write_lock or nullcontext():
                if sqlite:
                    tx.cursor.execute("BEGIN IMMEDIATE")
                else:
                    driver.autocommit = True  # type: ignore[union-attr]
                try:
                    yield tx
                except BaseException as exc:
                    if _roll_back(proxied, exc):
                        self.engine.dispose(close=False)  # the others were likely dropped too: reconnect them
                    raise
                if sqlite:
                    tx.cursor.execute("COMMIT")
        finally:
            if not sqlite and not driver.closed:  # type: ignore[union-attr]
                driver.autocommit = False  # type: ignore[union-attr]
            proxied.close()  # back to the pool
        if tx.outbox_written:
            self.outbox_committed()

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


def _roll_back(proxied, exc: BaseException) -> bool:  # type: ignore[no-untyped-def]
    """Undo the transaction; a connection the database dropped leaves the pool instead of going back to it
    (True then)."""
    if unreachable(exc):
        proxied.invalidate(exc)  # type: ignore[arg-type]
        return True
    proxied.driver_connection.rollback()  # a no-op in PostgreSQL's autocommit
    return False


class WriterLock:
    """SQLite's writers queue here: this process's threads on a lock, other processes (gunicorn workers,
    the scheduler) on an flock of `<database>.writer-lock` beside the file.

    Without the file lock, a writer of another process that finds the database busy sleeps in SQLite's
    busy handler (1, 2, 5, 10 ... 100 ms between tries) however soon the lock is free; a blocked flock is
    woken by the kernel the moment it is released. SQLite's own locking still guards every write."""

    def __init__(self, database: str | None) -> None:
        self._thread_lock = threading.Lock()
        self._path = f"{database}.writer-lock" if database and database != ":memory:" and fcntl is not None else None
        self._fd: int | None = None
        self._pid = 0
        self._held: int | None = None  # the fd locked by the thread holding _thread_lock

    def __enter__(self) -> WriterLock:
        self._thread_lock.acquire()
        self._held = None
        try:
            fd = self._file() if self._path is not None else None
            if fd is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)  # type: ignore[union-attr]
                self._held = fd
        except BaseException:
            self._thread_lock.release()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if self._held is not None:
                fcntl.flock(self._held, fcntl.LOCK_UN)  # type: ignore[union-attr]
        finally:
            self._thread_lock.release()

    def _file(self) -> int | None:
        """The lock file, opened once per process (a forked child must not share its parent's lock); None when
        it can't be (no such folder, read-only): SQLite then says what is wrong with the database itself."""
        if self._fd is None or self._pid != os.getpid():
            try:
                self._fd, self._pid = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o644), os.getpid()  # type: ignore[arg-type]
            except OSError:
                return None
        return self._fd


class RawTransaction:
    """A DBAPI cursor inside one transaction, for statements written as plain SQL (`:name` parameters).

    Built for a path that runs on every check-in: no compilation, no result objects, no ORM identity
    map. `sql()` turns a statement into the driver's parameter style once; the caller keeps it."""

    def __init__(self, dbapi_connection: object, backend: str, hooks: list[Callable[[str], None]]) -> None:
        self.sqlite = backend == "sqlite"
        self.backend = backend
        # PostgreSQL: a RawCursor takes the statement's $1, $2 ... as written, with no `%(name)s` rewrite per run.
        self.cursor = dbapi_connection.cursor() if self.sqlite else _raw_cursor(dbapi_connection)  # type: ignore[attr-defined]
        self.hooks = hooks
        self.outbox_written = False
        self.integrity_error = _integrity_error(backend)

    @classmethod
    def within(cls, session: Session) -> RawTransaction:
        """The same unit of work as an ORM session's (its pending objects are flushed first)."""
        session.flush()
        conn = session.connection()
        return cls(conn.connection.driver_connection, conn.dialect.name, [])

    def json(self, value: object) -> object:
        """A value for a JSON column: text on SQLite, JSONB on PostgreSQL (None is JSON null, as the ORM stores it)."""
        if self.sqlite:
            return json.dumps(value)
        from psycopg.types.json import Jsonb

        return Jsonb(value)

    def timestamp(self, value: datetime | None) -> object:
        """A UTC instant as the column stores it (SQLAlchemy's naive text on SQLite, timestamptz on PostgreSQL)."""
        if value is None or not self.sqlite:
            return value
        return value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")

    def instant(self, value: object) -> datetime | None:
        """A stored timestamp read back as an aware UTC datetime."""
        if value is None:
            return None
        if isinstance(value, str):
            return datetime.fromisoformat(value).replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)  # type: ignore[attr-defined]

    def execute(self, statement: Statement, params: dict[str, object]) -> object:
        for hook in self.hooks:
            hook(statement.text if self.sqlite else statement.for_postgresql)
        if self.sqlite:
            return self.cursor.execute(statement.for_sqlite, params)
        # Prepared on the connection's first use of it (psycopg would wait for a fifth): the punch's SELECT
        # takes PostgreSQL longer to plan than to run.
        return self.cursor.execute(statement.for_postgresql, [params[name] for name in statement.names], prepare=True)


class Statement:
    """One SQL statement in both drivers' parameter styles (sqlite3 `:name`, PostgreSQL's `$1`).

    `postgresql` replaces the text there, for a statement PostgreSQL can do in one round trip (a
    data-modifying CTE) where SQLite needs several."""

    def __init__(self, text: str, postgresql: str | None = None) -> None:
        self.text = " ".join(text.split())
        self.for_sqlite = self.text
        pg = " ".join(postgresql.split()) if postgresql else self.text
        names: list[str] = []  # PostgreSQL's parameters in $n order (a name used twice is one parameter)

        def number(match: re.Match[str]) -> str:
            if match.group(1) not in names:
                names.append(match.group(1))
            return f"${names.index(match.group(1)) + 1}"

        self.for_postgresql = re.sub(r"(?<![:\w]):(\w+)", number, pg)
        self.names = tuple(names)


def _raw_cursor(connection: object) -> object:
    import psycopg

    return psycopg.RawCursor(connection)  # type: ignore[arg-type]


@functools.cache
def _integrity_error(backend: str) -> type[Exception]:
    if backend == "sqlite":
        import sqlite3

        return sqlite3.IntegrityError
    import psycopg

    return psycopg.IntegrityError
