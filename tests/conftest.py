"""Shared fixtures: a migrated database (SQLite, or PostgreSQL via OPSBOT_TEST_DATABASE_URL),
the Web API stand-in, and the real Bolt app served over HTTP."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent))

import slack_signing  # noqa: E402
from slack_signing import SlackClient  # noqa: E402
from slack_stub import SlackStub  # noqa: E402

import bot.blocks.notices  # noqa: E402,F401 - service-level tests queue notices without the app
from bot.config import Settings  # noqa: E402
from bot.db.all_models import metadata  # noqa: E402
from bot.db.migrate import upgrade  # noqa: E402
from bot.db.session import Database  # noqa: E402

PG_URL = os.environ.get("OPSBOT_TEST_DATABASE_URL")
SIGNING_SECRET = "test-signing-secret-0123456789"
BOT_TOKEN = "xoxb-test-token-123"
ADMIN = "UADMIN01"
LEGAL = "ULEGAL01"
LEADER = "ULEAD001"
HOST = "UHOST001"
HOST2 = "UHOST002"
PA = "UPA00001"
OPS_CHANNEL = "C0OPS"


@pytest.fixture(autouse=True)
def _no_outage_from_an_earlier_test() -> Iterator[None]:
    """The outage logs are per process (bot.logs): a test that left Slack "down" must not leak into the next."""
    from bot.logs import DATABASE, SLACK

    SLACK.reset()
    DATABASE.reset()
    yield


@pytest.fixture(scope="session")
def _template_db() -> Iterator[str]:
    """Migrate once per test run: a template SQLite file to copy, or the PostgreSQL database itself."""
    if PG_URL:
        db = Database(PG_URL)
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade(db.engine)
        db.dispose()
        yield PG_URL
        return
    tmp = tempfile.mkdtemp(prefix="opsbot-tests-")
    path = os.path.join(tmp, "template.db")
    db = Database(f"sqlite:///{path}")
    upgrade(db.engine)
    db.dispose()
    yield path
    shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture
def db_url(_template_db: str, tmp_path: Path) -> Iterator[str]:
    if PG_URL:
        db = Database(PG_URL)
        tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
        with db.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        db.dispose()
        yield PG_URL
        return
    path = tmp_path / "opsbot.db"
    shutil.copy(_template_db, path)
    yield f"sqlite:///{path}"


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    yield database
    database.dispose()


def make_settings(db_url: str, api_url: str = "http://127.0.0.1:9/api/", **overrides: Any) -> Settings:
    values: dict[str, Any] = dict(
        slack_bot_token=BOT_TOKEN, slack_signing_secret=SIGNING_SECRET, slack_api_url=api_url,
        database_url=db_url, ops_channel=OPS_CHANNEL, leadership_channel="C0LEAD", legal_channel="C0LEGAL",
        escalation_channel="C0ESC", opsbot_admins=ADMIN, opsbot_legal=LEGAL, opsbot_leadership=LEADER,
        board_min_interval_seconds=0,
        channel_pace_seconds=0,  # tests drain the outbox at once; tests/test_notifier_pacing.py turns pacing on
    )
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


#: The studio's rostered on-set people: only hosts and PAs may clock in (OPEN_CHECKIN is off).
ROSTER = {HOST: "host", HOST2: "host", PA: "pa"}


def give_roles(db: Database, roster: dict[str, str] | None = None) -> None:
    """Put people on the roster the way the associate does (`/ops role add`), so the time clock accepts them."""
    from bot.services import people

    with db.transaction() as s:
        for user_id, role in (ROSTER if roster is None else roster).items():
            people.grant(s, people.get_or_create(s, user_id), role, actor=ADMIN)


@pytest.fixture
def roster(db: Database) -> dict[str, str]:
    """HOST, HOST2 (hosts) and PA on the roster, for tests that clock them in."""
    give_roles(db)
    return dict(ROSTER)


@pytest.fixture
def settings(db_url: str) -> Settings:
    return make_settings(db_url)


@pytest.fixture
def stub() -> Iterator[SlackStub]:
    with SlackStub() as s:
        s.users.update({
            ADMIN: {"real_name": "Ava Associate", "display_name": "ava", "email": "ava@studio.test"},
            HOST: {"real_name": "Hana Host", "display_name": "hana", "email": "hana@studio.test"},
            HOST2: {"real_name": "Hugo Host", "display_name": "hugo", "email": "hugo@studio.test"},
            PA: {"real_name": "Pat Assistant", "display_name": "pat", "email": "pat@studio.test"},
        })
        old = slack_signing.RESPONSE_URL_BASE
        slack_signing.RESPONSE_URL_BASE = s.root_url + "response/"
        yield s
        slack_signing.RESPONSE_URL_BASE = old


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    request_queue_size = 64  # parallel-request tests open 20 connections at once


@dataclass
class BotServer:
    """The real Bolt app behind the real WSGI adapter, on a local port."""

    url: str
    rt: Any
    slack: SlackClient
    stub: SlackStub

    def drain(self) -> int:
        """Deliver every queued outbox message now (tests don't wait for the background notifier)."""
        total = 0
        while True:
            sent = self.rt.notifier.deliver_due()
            total += sent
            if not sent:
                return total

    def command(self, command: str, text: str, user_id: str, **kw: Any) -> tuple[int, Any]:
        return self.slack.command(command, text, user_id, **kw)


@contextmanager
def serve(db: Database, stub: SlackStub, db_url: str, **overrides: Any) -> Iterator[BotServer]:
    """The real Bolt app behind opsbot's WSGI server on a free port (tests start a second one as after a restart)."""
    from bot.app import create_app
    from bot.runtime import Runtime
    from bot.server import OpsbotWSGI

    rt = Runtime.build(make_settings(db_url, stub.base_url, **overrides), db)
    rt.bootstrap_roles()
    httpd = make_server("127.0.0.1", 0, OpsbotWSGI(create_app(rt), db, SIGNING_SECRET),
                        server_class=_ThreadingWSGIServer, handler_class=_QuietHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        yield BotServer(url=base, rt=rt, slack=SlackClient(f"{base}/slack/events", SIGNING_SECRET), stub=stub)
    finally:
        from bot.handlers.home import refresher

        refresher(rt).close()  # no debounced App Home refresh outlives the server
        rt.profiles.close()  # nor a profile lookup
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def server(db: Database, stub: SlackStub, db_url: str) -> Iterator[BotServer]:
    with serve(db, stub, db_url) as running:
        yield running
    assert stub.violations == [], stub.violations
