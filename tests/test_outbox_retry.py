"""The notifier's retry rules: no attempt budget, a horizon, chains in order, stale edits folded,
one alert per failed message (never about an alert), and outage log lines at most once a minute."""

from __future__ import annotations

import logging
import os
from datetime import timedelta

from conftest import ADMIN, HOST, OPS_CHANNEL, give_roles
from freezegun import freeze_time
from sqlalchemy import select

from bot import clock
from bot.db.models import OutboxMessage
from bot.logs import OutageLog
from bot.services import outbox


def rows(db) -> list[OutboxMessage]:
    with db.read() as s:
        return list(s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def drive(server, start, seconds: int, every: int = 10) -> None:
    for step in range(seconds // every + 1):
        with freeze_time(start + timedelta(seconds=step * every)):
            server.drain()


def test_backoff_is_capped_at_a_minute_however_long_slack_is_down(server, db):
    server.stub.down = True
    with db.transaction() as s:
        outbox.post(s, OPS_CHANNEL, "hello")
    start = clock.now()
    drive(server, start, 30 * 60, every=20)
    [row] = rows(db)
    assert row.status == "pending" and row.attempts > 25
    assert row.next_attempt_at - (start + timedelta(minutes=30)) <= timedelta(seconds=61)


def test_children_wait_for_their_parent_and_edits_collapse_into_the_newest(server, db):
    server.stub.down = True
    with db.transaction() as s:
        outbox.post(s, OPS_CHANNEL, "parent", remember_as="thing:1")
        outbox.update(s, "thing:1", "state 1")
        outbox.post(s, OPS_CHANNEL, "reply", thread_of="thing:1")
        outbox.update(s, "thing:1", "state 2")
        outbox.update(s, "thing:1", "state 3")
    start = clock.now()
    drive(server, start, 10 * 60, every=30)
    assert {r.status for r in rows(db)} == {"pending"}
    server.stub.down = False
    with freeze_time(start + timedelta(minutes=11)):
        server.drain()
    assert {r.status for r in rows(db)} == {"sent"}
    sent = [c for c in server.stub.calls if c.ok]
    assert [c.params.get("text") for c in sent] == ["parent", "reply", "state 3"]
    assert [r.last_error for r in rows(db)][1:] == ["superseded by newer edit #5", None, "superseded by newer edit #5", None]


def test_after_the_horizon_a_message_fails_and_the_associate_is_told(server, db):
    server.stub.down = True
    with db.transaction() as s:
        outbox.post(s, OPS_CHANNEL, "the daily plan")
    start = clock.now()
    server.drain()
    with freeze_time(start + timedelta(hours=23, minutes=59)):
        server.drain()
    assert rows(db)[0].status == "pending"
    with freeze_time(start + timedelta(hours=24, minutes=1)):
        server.drain()
    first, alert = rows(db)
    assert first.status == "failed" and "gave up after 24 h" in first.last_error
    assert alert.kind == "dm" and alert.channel == ADMIN and f"opsbot outbox --retry {first.id}" in alert.payload["text"]
    assert "the daily plan" in alert.payload["text"]


def test_retry_from_the_cli_renews_the_horizon(server, db, capsys):
    server.stub.down = True
    with db.transaction() as s:
        outbox.post(s, OPS_CHANNEL, "late plan")
    later = clock.now() + timedelta(hours=25)
    with freeze_time(later):
        server.drain()
    assert rows(db)[0].status == "failed"
    from bot.cli import main

    os.environ["DATABASE_URL"] = server.rt.settings.database_url
    try:
        with freeze_time(later):
            assert main(["outbox", "--retry", str(rows(db)[0].id)]) == 0
    finally:
        del os.environ["DATABASE_URL"]
    with freeze_time(later + timedelta(minutes=1)):
        server.drain()  # still down, but within the new horizon: waits, does not fail again
    assert rows(db)[0].status == "pending"
    server.stub.down = False
    with freeze_time(later + timedelta(minutes=3)):
        server.drain()
    assert rows(db)[0].status == "sent"


def test_an_alert_that_fails_is_not_alerted_about(server, db):
    server.stub.fail_next("chat.postMessage", error="channel_not_found", status=200)
    server.stub.fail_next("conversations.open", error="user_not_found", status=200)
    with db.transaction() as s:
        outbox.post(s, OPS_CHANNEL, "to a channel that is gone")
    for _ in range(3):
        server.drain()
    assert [(r.kind, r.status) for r in rows(db)] == [("post", "failed"), ("dm", "failed")]


def test_a_dm_to_someone_else_that_fails_alerts_each_associate_once(server, db):
    server.stub.fail_next("conversations.open", error="user_not_found", status=200)
    with db.transaction() as s:
        outbox.dm(s, HOST, "your shift moved")
    for _ in range(3):
        server.drain()
    assert [(r.kind, r.channel, r.status) for r in rows(db)] == [("dm", HOST, "failed"), ("dm", ADMIN, "sent")]


def test_outage_log_says_it_once_then_once_a_minute_then_back(caplog):
    log = OutageLog("Slack", logging.getLogger("test.outage"))
    start = clock.now()
    with caplog.at_level(logging.WARNING, "test.outage"):
        for second in range(0, 300, 2):  # 150 failures in 5 minutes
            with freeze_time(start + timedelta(seconds=second)):
                log.down("http_503")
        with freeze_time(start + timedelta(seconds=301)):
            log.up()
            log.up()
    lines = [r.getMessage() for r in caplog.records]
    assert lines[0].startswith("Slack unreachable (http_503)")
    assert sum("still unreachable" in line for line in lines) == 4
    assert lines[-1] == "Slack reachable again after 301 s" and len(lines) == 6


def test_board_refreshes_during_an_outage_become_one_post_with_the_latest_state(server, db):
    give_roles(db, {u: "host" for u in ("UCREW0001", "UCREW0002", "UCREW0003")})
    server.stub.down = True
    start = clock.now()
    for i, user in enumerate(("UCREW0001", "UCREW0002", "UCREW0003")):
        server.command("/checkin", "", user)
        drive(server, start + timedelta(minutes=2 * i), 110, every=10)
    assert [(r.kind, r.status) for r in rows(db)] == [("board", "pending")]
    server.stub.down = False
    with freeze_time(start + timedelta(minutes=8)):
        server.drain()
    [post] = [c for c in server.stub.calls_to("chat.postMessage") if c.ok]
    assert all(f"<@{u}>" in str(post.params["blocks"]) for u in ("UCREW0001", "UCREW0002", "UCREW0003"))
    assert [c for c in server.stub.calls_to("chat.update") if c.ok] == []
