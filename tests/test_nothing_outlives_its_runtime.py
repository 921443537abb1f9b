"""A stopped runtime leaves nothing behind: no module or library registry keeps its database, notifier or app.

Found the hard way: SQLAlchemy's class-keyed listener registry held every Database ever made (through a
bound-method listener), and a module-level dict held every Runtime's App Home refresher, so the test
process grew to millions of objects whose full garbage collections paused every thread for seconds:
longer than Slack's 3 s ack limit, so parallel requests got 404s. A long-lived process that rebuilds
its runtime (or a test suite) must not pay for the ones before.
"""

from __future__ import annotations

import gc
import weakref

from conftest import HOST, give_roles, make_settings, serve

from bot.app import create_app
from bot.db.session import Database
from bot.handlers.home import refresher
from bot.runtime import Runtime


def survivors(refs: list[weakref.ref]) -> list[object]:
    gc.collect()
    return [r() for r in refs if r() is not None]


def test_a_database_that_committed_is_freed_once_dropped(db_url):
    db = Database(db_url)
    give_roles(db, {HOST: "host"})  # a commit runs the after-commit listener
    ref = weakref.ref(db)
    db.dispose()
    del db
    assert survivors([ref]) == []


def test_a_runtime_with_its_app_and_home_refresher_is_freed_once_dropped(db_url, stub):
    db = Database(db_url)
    rt = Runtime.build(make_settings(db_url, stub.base_url), db)
    create_app(rt)
    refresher(rt).seen(HOST)
    refs = [weakref.ref(rt), weakref.ref(db), weakref.ref(rt.notifier)]
    db.dispose()
    del rt, db
    assert survivors(refs) == []


def test_a_served_bot_is_freed_after_its_requests(db_url, stub):
    db = Database(db_url)
    give_roles(db, {HOST: "host"})
    with serve(db, stub, db_url) as server:
        assert server.command("/checkin", "", HOST)[0] == 200
        server.drain()
        refs = [weakref.ref(server.rt), weakref.ref(db)]
    db.dispose()
    del server, db
    assert survivors(refs) == []
