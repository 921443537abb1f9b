"""What one /checkin costs, counted (not timed): SQL statements and Slack Web API calls over signed HTTP.

A regression here (an extra query per check-in, a board edit per person instead of one per burst,
users.info on the ack path) shows in CI long before anyone notices a slow answer on set. The bounds
are tight on purpose: raise one only with a reason in the commit message.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from conftest import HOST, ROSTER, give_roles, serve
from sqlalchemy import event, select

from bot.db.models import Person

CREW = [f"UCREW{i:03d}" for i in range(10)]
TRANSACTION_CONTROL = ("BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT")


@contextmanager
def counted(db) -> Iterator[list[str]]:  # type: ignore[no-untyped-def]
    """Every SQL statement sent to the database while the block runs: through SQLAlchemy (both SQLite engines)
    and through the punch's plain-SQL transactions (Database.statement_hooks)."""
    seen: list[str] = []

    def raw(statement: str) -> None:
        if not statement.lstrip().upper().startswith(TRANSACTION_CONTROL):
            seen.append(" ".join(statement.split()))

    def note(conn, cursor, statement, params, context, executemany):  # type: ignore[no-untyped-def]
        raw(statement)

    engines = {db.engine, db._read_engine}
    for engine in engines:
        event.listen(engine, "before_cursor_execute", note)
    db.statement_hooks.append(raw)
    try:
        yield seen
    finally:
        db.statement_hooks.remove(raw)
        for engine in engines:
            event.remove(engine, "before_cursor_execute", note)


def settle(rt, user_id: str) -> None:  # type: ignore[no-untyped-def]
    """Wait for the after-ack work of earlier requests (the profile lookup) to finish."""
    deadline = time.monotonic() + 5
    while user_id not in rt._profiled and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.05)


def steady(server, user_id: str) -> None:  # type: ignore[no-untyped-def]
    """A person who has used the bot before: one check-in and check-out done, profile filled, board posted."""
    server.command("/checkin", "", user_id)
    server.command("/checkout", "", user_id)
    settle(server.rt, user_id)
    server.drain()
    server.stub.clear()


def test_one_checkin_costs_four_statements_and_no_web_api_call(server, db, roster):
    steady(server, HOST)
    with counted(db) as statements:
        status, body = server.command("/checkin", "", HOST)
        time.sleep(0.1)  # after-ack work included
    assert status == 200 and "Clocked in" in body["text"]
    # person + open entry + clock role + matching shift (one SELECT); the entry; its audit row; the board refresh
    assert len(statements) <= 4, statements
    assert sum(s.startswith("SELECT") for s in statements) == 1, statements
    assert server.stub.calls == []  # the answer is the HTTP response; nothing is sent to Slack on the way
    server.drain()
    assert [c.method for c in server.stub.calls] == ["chat.update"]  # the board, edited in place once


def test_one_checkout_costs_five_statements(server, db, roster):
    steady(server, HOST)
    server.command("/checkin", "", HOST)
    server.drain()
    server.stub.clear()
    with counted(db) as statements:
        status, body = server.command("/checkout", "", HOST)
        time.sleep(0.1)
    assert status == 200 and "You worked" in body["text"]
    # load; close the entry; audit; board refresh; today's total
    assert len(statements) <= 5, statements
    assert server.stub.calls == []


def test_a_burst_of_checkins_edits_the_board_once_with_everyone(server, db):
    give_roles(db, {**ROSTER, **{u: "host" for u in CREW}})
    steady(server, HOST)
    with counted(db) as statements:
        threads = [threading.Thread(target=server.command, args=("/checkin", "", u)) for u in CREW]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        time.sleep(0.2)
    # ten check-ins, and the profile lookups of ten people seen for the first time in this process
    # (on PostgreSQL the board refresh rides inside the check-in's one statement, a data-modifying CTE)
    assert len([s for s in statements if "INSERT INTO outbox" in s]) == len(CREW)
    server.drain()
    calls = [c for c in server.stub.calls if c.method in ("chat.update", "chat.postMessage")]
    assert len(calls) == 1, [c.method for c in calls]  # one edit for the burst ...
    board = str(calls[0].params["blocks"])
    assert all(f"<@{u}>" in board for u in CREW)  # ... showing the latest state: all ten on set


@pytest.fixture
def open_server(db, stub, db_url):  # type: ignore[no-untyped-def]
    with serve(db, stub, db_url, open_checkin=True) as running:
        yield running


def test_first_contact_is_answered_before_users_info(open_server, db):
    server = open_server
    newcomer = "UNEW00001"
    gate = threading.Event()
    real = server.rt.client.users_info

    def slow_users_info(**kw):  # type: ignore[no-untyped-def]
        assert gate.wait(5), "users.info was never released"
        return real(**kw)

    steady(server, HOST)  # the first request of a process also records the workspace: not counted here
    server.rt.client.users_info = slow_users_info
    with counted(db) as statements:
        status, body = server.command("/checkin", "", newcomer)  # returns while users.info is still held
    assert status == 200 and "Clocked in" in body["text"]
    # look up (not found); create the person and its audit row; the entry, its audit row; the board;
    # after the answer, the profile lookup reads the person once before calling users.info
    assert len(statements) <= 7, statements
    gate.set()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        with db.read() as s:
            person = s.scalar(select(Person).where(Person.slack_user_id == newcomer))
        if person is not None and person.profile_synced_at is not None:
            break
        time.sleep(0.02)
    assert person is not None and person.profile_synced_at is not None
    assert [c.params.get("user") for c in server.stub.calls_to("users.info")] == [newcomer]


def test_two_refreshes_of_one_board_queued_at_once_make_one_edit(server, db):
    """On PostgreSQL two punches committing at the same moment can each queue a board refresh; the first
    edit renders both changes, so the second refresh is folded into it instead of editing again."""
    from bot import clock
    from bot.db.models import OutboxMessage
    from bot.timefmt import local_date

    steady(server, HOST)
    server.drain()
    server.stub.clear()
    now = clock.now()
    key = f"onset:{local_date(now, server.rt.tz).isoformat()}"
    with db.transaction() as s:  # what two concurrent punches can leave
        for _ in range(2):
            s.add(OutboxMessage(kind="board", channel=key, payload={"board": "onset", "date": key[6:]}, status="pending",
                                attempts=0, next_attempt_at=now, created_at=now, chain=key))
    server.drain()
    assert len([c for c in server.stub.calls if c.method in ("chat.update", "chat.postMessage")]) == 1
    with db.read() as s:
        waiting = s.scalars(select(OutboxMessage).where(OutboxMessage.chain == key, OutboxMessage.status != "sent")).all()
    assert waiting == []
