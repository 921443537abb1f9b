"""Slack outages through the signed endpoint: nothing lost, in order, nothing twice; plain answers.

The stub answers 503 while `down`; the notifier's passes are driven with the clock advanced by freezegun
(as its background loop would run them), so a 15-minute outage takes seconds.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from datetime import timedelta

from conftest import ADMIN, HOST, OPS_CHANNEL, PA
from escalation_helpers import ESC_CHANNEL, add_session, click, grant, open_modal, replies, submit
from freezegun import freeze_time
from outage_helpers import database_down
from sqlalchemy import select

from bot import clock
from bot.db.escalations import Escalation
from bot.db.models import OutboxMessage
from bot.handlers.outage import DB_DOWN, FORM_BUSY, FORM_DOWN, FORM_EXPIRED

OOPS_START = "Something went wrong"


def outbox_rows(db) -> list[OutboxMessage]:
    with db.read() as s:
        return list(s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def run_notifier(server, start, minutes: float, every_seconds: int = 10) -> None:
    """Drive the notifier's passes from `start` for `minutes`, as its loop would while the outage lasts."""
    for step in range(int(minutes * 60 // every_seconds) + 1):
        with freeze_time(start + timedelta(seconds=step * every_seconds)):
            server.drain()


def test_slack_down_15_minutes_checkin_escalation_and_ack_all_delivered_in_order_once(server, db, caplog):
    grant(db, HOST, "host")
    grant(db, PA, "pa")
    live = add_session(db, "Hero bundle LIVE", clock.now() - timedelta(minutes=20), crew={HOST: "host", PA: "pa"})
    view = open_modal(server, HOST)  # the form was open when Slack went down
    server.drain()
    server.stub.clear()

    start = clock.now()
    server.stub.down = True
    status, body = server.command("/checkin", "", HOST)
    assert status == 200 and "Clocked in" in body["text"]
    server.drain()  # the notifier's first pass meets the outage
    status, body = submit(server, HOST, view, severity="1", session=str(live))
    assert status == 200 and body.get("response_action") == "update", body
    said = str(body["view"]["blocks"])
    assert "is recorded" in said and "as soon as Slack is back" in said  # not "being paged"
    with db.read() as s:
        esc_id = s.scalars(select(Escalation.id)).one()
    click(server, "esc_ack", esc_id, ADMIN)
    assert not any(r.startswith(OOPS_START) for r in replies(server))

    with caplog.at_level(logging.INFO):
        run_notifier(server, start, minutes=15)
    assert [c for c in server.stub.calls if c.ok and c.method.startswith("chat.")] == []
    rows = outbox_rows(db)
    assert rows and {r.status for r in rows} == {"pending"}, [(r.id, r.kind, r.status, r.last_error) for r in rows]
    outage_lines = [r for r in caplog.records if "unreachable" in r.getMessage()]
    assert 1 <= len(outage_lines) <= 16  # once, then at most once a minute
    assert all(r.exc_info is None for r in caplog.records if r.name.startswith("opsbot"))

    server.stub.down = False
    with freeze_time(start + timedelta(minutes=15, seconds=61)):
        server.drain()
    rows = outbox_rows(db)
    assert {r.status for r in rows} == {"sent"}, [(r.id, r.kind, r.status, r.last_error) for r in rows]

    ok = [c for c in server.stub.calls if c.ok and c.method in ("chat.postMessage", "chat.update")]
    keys = Counter((c.method, c.params.get("channel"), c.params.get("thread_ts"), c.params.get("text")) for c in ok)
    assert max(keys.values()) == 1, keys  # nothing twice
    posts = [c for c in ok if c.method == "chat.postMessage" and c.params["channel"] == ESC_CHANNEL]
    [parent] = [c for c in posts if not c.params.get("thread_ts")]
    thread = [c for c in posts if c.params.get("thread_ts")]
    edits = [c for c in ok if c.method == "chat.update" and c.params["channel"] == ESC_CHANNEL]
    assert thread and edits
    parent_ts = parent_ts_of(server, parent)
    assert all(c.params["thread_ts"] == parent_ts for c in thread)
    assert all(c.params["ts"] == parent_ts for c in edits)
    assert ok.index(parent) < min(ok.index(c) for c in thread + edits)  # the parent first
    assert "SEV1" in str(parent.params["blocks"])
    assert any(c.params["channel"] == OPS_CHANNEL for c in ok)  # the On set board
    assert any(str(c.params["channel"]).startswith("D") for c in ok)  # the SEV1 pages
    assert any("reachable again" in r.getMessage() for r in caplog.records)


def parent_ts_of(server, call) -> str:
    """The ts the stub gave a recorded chat.postMessage (calls are recorded with their params only)."""
    with server.rt.db.read() as s:
        row = s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "post", OutboxMessage.channel == ESC_CHANNEL,
                                                     OutboxMessage.payload["text"].as_string() == call.params["text"])).first()
        assert row is not None and row.result_ts
        return row.result_ts


def test_permanent_error_dms_the_associate_once_with_the_retry_command(server, db):
    grant(db, HOST, "host")
    server.stub.fail_next("chat.postMessage", error="not_in_channel", status=200)
    server.command("/checkin", "", HOST)
    for _ in range(3):
        server.drain()
    rows = outbox_rows(db)
    board = rows[0]
    assert (board.kind, board.status, board.last_error) == ("board", "failed", "not_in_channel")
    alerts = [c for c in server.stub.calls_to("chat.postMessage") if c.ok and c.params["channel"] == f"D{ADMIN}"]
    assert len(alerts) == 1
    text = alerts[0].params["text"]
    assert f"opsbot outbox --retry {board.id}" in text and "not_in_channel" in text and "board" in text
    run_notifier(server, clock.now(), minutes=3, every_seconds=30)
    assert len([c for c in server.stub.calls_to("chat.postMessage") if c.params["channel"] == f"D{ADMIN}"]) == 1


def test_rate_limits_for_minutes_never_fail_a_message(server, db):
    """A 429 with Retry-After, again and again: the message waits as told and goes out, no attempt budget."""
    grant(db, HOST, "host")
    server.stub.fail_next("chat.postMessage", error="ratelimited", status=429, retry_after=30, times=20)
    server.command("/checkin", "", HOST)
    start = clock.now()
    run_notifier(server, start, minutes=12, every_seconds=15)
    [row] = outbox_rows(db)
    assert row.status == "sent" and row.attempts == 21


def test_escalate_while_slack_is_down_says_slack_is_unreachable(server, db):
    grant(db, HOST, "host")
    server.stub.down = True
    status, _ = server.command("/escalate", "checkout link dead", HOST)
    assert status == 200
    [answer] = wait_for_replies(server, 1)
    assert answer == FORM_DOWN and not answer.startswith(OOPS_START)


def wait_for_replies(server, count: int, timeout: float = 5.0) -> list[str]:
    deadline = time.monotonic() + timeout
    while len(replies(server)) < count and time.monotonic() < deadline:
        time.sleep(0.01)
    return replies(server)


def test_rate_limited_views_open_is_not_retried_past_the_trigger_and_says_try_again(server, db):
    grant(db, HOST, "host")
    server.stub.fail_next("views.open", error="ratelimited", status=429, retry_after=5, times=3)
    started = time.monotonic()
    server.command("/escalate", "", HOST)
    [answer] = wait_for_replies(server, 1)
    assert time.monotonic() - started < 3  # inside the trigger's lifetime, not after Retry-After
    assert answer == FORM_BUSY
    assert len(server.stub.calls_to("views.open")) == 1


def test_expired_trigger_says_try_again(server, db):
    grant(db, HOST, "host")
    server.stub.fail_next("views.open", error="expired_trigger_id", status=200)
    server.command("/escalate", "", HOST)
    [answer] = wait_for_replies(server, 1)
    assert answer == FORM_EXPIRED


def test_database_down_answers_in_plain_words_and_logs_once_a_minute(server, db, tmp_path, caplog):
    grant(db, HOST, "host")
    with database_down(db, tmp_path), caplog.at_level(logging.WARNING):
        answers = [server.command("/checkin", "", HOST)[1] for _ in range(5)]
    assert all(a["text"] == DB_DOWN for a in answers), answers
    lines = [r for r in caplog.records if "unreachable" in r.getMessage()]
    assert len(lines) == 1 and lines[0].getMessage().startswith("database unreachable")
    assert all(r.exc_info is None for r in caplog.records if r.name.startswith("opsbot"))


def test_postgresql_refusing_connections_reads_as_an_outage_not_a_bug():
    """Nothing listens on port 1: the error a stopped PostgreSQL gives is recognised as unreachable."""
    from sqlalchemy import text

    from bot.db.outage import unreachable
    from bot.db.session import Database

    down = Database("postgresql+psycopg://postgres@127.0.0.1:1/opsbot?connect_timeout=2")
    try:
        with down.read() as s:
            s.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - the point is what it is
        assert unreachable(exc), repr(exc)
    else:
        raise AssertionError("port 1 answered")
    finally:
        down.dispose()
