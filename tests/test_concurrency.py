"""Double taps and parallel requests never clock anyone in twice (the partial unique index holds)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from zoneinfo import ZoneInfo

import pytest
from conftest import HOST, HOST2, PA, give_roles
from sqlalchemy import select

from bot.db.models import Person, TimeEntry


def test_parallel_checkins_of_one_person_make_one_entry(server, db, roster):
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: server.command("/checkin", "", HOST), range(8)))
    assert all(status == 200 for status, _ in results)
    texts = [body["text"] for _, body in results]
    assert sum("Clocked in at" in t for t in texts) == 1
    assert sum("already clocked in" in t for t in texts) == 7
    with db.read() as s:
        assert len(s.scalars(select(TimeEntry)).all()) == 1
        assert len(s.scalars(select(Person).where(Person.slack_user_id == HOST)).all()) == 1


def test_parallel_checkins_of_different_people_all_succeed(server, db, roster):
    crew = [f"UCREW{i:04d}" for i in range(9)]
    give_roles(db, dict.fromkeys(crew, "pa"))
    users = [HOST, HOST2, PA] + crew
    with ThreadPoolExecutor(max_workers=12) as pool:
        results = list(pool.map(lambda u: server.command("/checkin", "", u), users))
    assert all("Clocked in at" in body["text"] for _, body in results)
    with db.read() as s:
        assert len(s.scalars(select(TimeEntry)).all()) == len(users)


def test_sqlite_writers_of_other_processes_queue_on_the_writer_lock(db, tmp_path):
    """Another process (a second gunicorn worker, the scheduler) holding the writer lock makes this process's
    write wait for it, and it goes ahead as soon as the lock is released, not at SQLite's next busy retry."""
    import subprocess
    import sys
    import time


    if db.backend != "sqlite":
        pytest.skip("SQLite only: PostgreSQL has row locks")
    ready = tmp_path / "holding"
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time, pathlib\n"
        "from bot.db.session import Database\n"
        f"db = Database({db.url!r})\n"
        "with db._write_lock:\n"
        f"    pathlib.Path({str(ready)!r}).touch()\n"
        "    time.sleep(0.6)\n")])
    try:
        deadline = time.monotonic() + 20
        while not ready.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert ready.exists(), "the other process never took the lock"
        started = time.monotonic()
        with db.transaction() as s:
            s.execute(select(Person.id).limit(1))
        waited = time.monotonic() - started
    finally:
        holder.wait(20)
    assert waited >= 0.3, f"did not wait for the other process ({waited:.3f} s)"


def test_a_pooled_connection_dropped_while_idle_is_replaced_before_use(db, monkeypatch):
    """PostgreSQL restarted (or a proxy dropped idle connections): the next request still works, because a
    connection that sat idle is checked before use (bot.db.session._ping_when_idle)."""
    from sqlalchemy import create_engine, text

    import bot.db.session as session_module
    from bot import clock
    from bot.services import punch

    policy = punch.Policy(tz=ZoneInfo("America/Los_Angeles"))

    if db.backend != "postgresql":
        pytest.skip("PostgreSQL only: SQLite has no server to drop connections")
    with db.raw_transaction() as tx:  # a pooled connection now exists
        assert punch.load_subject(tx, "UNOBODY01", clock.now(), policy) is None
    admin = create_engine(db.url)
    with admin.connect() as conn:  # drop every connection of this database but the admin's own
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
        conn.commit()
    admin.dispose()
    monkeypatch.setattr(session_module, "IDLE_PING_SECONDS", 0.0)  # "idle long enough" at once
    with db.raw_transaction() as tx:
        assert punch.load_subject(tx, "UNOBODY01", clock.now(), policy) is None
    with db.read() as s:  # and the ORM's connections too
        assert s.execute(text("SELECT 1")).scalar() == 1


def test_postgresql_plans_a_prepared_statement_once_and_keeps_the_urls_own_options(db):
    """The punch's SELECT took PostgreSQL longer to plan than to run: its connections use generic plans for
    prepared statements (planned once per connection), and options given in DATABASE_URL still apply."""
    from bot.db.session import Database

    if db.backend != "postgresql":
        pytest.skip("PostgreSQL only")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("SHOW plan_cache_mode").scalar() == "force_generic_plan"
    joiner = "&" if "?" in db.url else "?"
    own = Database(f"{db.url}{joiner}options=-c%20statement_timeout%3D4321")
    try:
        with own.engine.connect() as conn:
            assert conn.exec_driver_sql("SHOW plan_cache_mode").scalar() == "force_generic_plan"
            assert conn.exec_driver_sql("SHOW statement_timeout").scalar() == "4321ms"
    finally:
        own.dispose()
