"""The outbox and its notifier: nothing lost when Slack is down, rate limits honoured, no duplicates."""

from __future__ import annotations

from datetime import date, timedelta

from conftest import HOST, OPS_CHANNEL, give_roles
from freezegun import freeze_time
from sqlalchemy import select

from bot import clock
from bot.db.models import OutboxMessage, PostedMessage
from bot.notifier import Notifier
from bot.runtime import make_client
from bot.services import outbox


def statuses(db):
    with db.read() as s:
        return [(m.kind, m.status) for m in s.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]


def test_checkin_while_slack_is_down_is_saved_and_board_posts_later(server, db, roster):
    server.stub.down = True
    status, body = server.command("/checkin", "", HOST)
    assert status == 200 and "Clocked in" in body["text"]  # the ack does not need the Web API
    server.drain()
    assert statuses(db) == [("board", "pending")]
    with db.read() as s:
        msg = s.scalars(select(OutboxMessage)).one()
        assert msg.attempts == 1 and msg.last_error
    server.stub.down = False
    with freeze_time(clock.now() + timedelta(minutes=5)):
        assert server.drain() == 1
    assert statuses(db) == [("board", "sent")]
    assert len([c for c in server.stub.calls_to("chat.postMessage") if c.ok]) == 1


def test_rate_limit_waits_for_retry_after(server, db, roster):
    server.stub.fail_next("chat.postMessage", error="ratelimited", status=429, retry_after=30)
    server.command("/checkin", "", HOST)
    server.drain()
    with db.read() as s:
        msg = s.scalars(select(OutboxMessage)).one()
        assert msg.status == "pending" and msg.last_error == "ratelimited"
        wait = (msg.next_attempt_at - clock.now()).total_seconds()
    assert 25 <= wait <= 30
    with freeze_time(clock.now() + timedelta(seconds=10)):
        assert server.drain() == 0  # too early: still waiting
    with freeze_time(clock.now() + timedelta(seconds=31)):
        assert server.drain() == 1


def test_permanent_error_fails_without_retrying_and_outbox_cli_shows_it(server, db, capsys, roster):
    server.stub.fail_next("chat.postMessage", error="channel_not_found", status=200)
    server.command("/checkin", "", HOST)
    server.drain()
    assert statuses(db)[0] == ("board", "failed")
    assert statuses(db)[1:] == [("dm", "pending")]  # the associate's alert (see test_outbox_retry.py)
    from bot.cli import main

    import os

    os.environ["DATABASE_URL"] = server.rt.settings.database_url
    try:
        assert main(["outbox"]) == 0
        out = capsys.readouterr().out
        assert "failed" in out and "channel_not_found" in out
        msg_id = out.splitlines()[1].split()[0]
        assert main(["outbox", "--retry", msg_id]) == 0
    finally:
        del os.environ["DATABASE_URL"]
    assert statuses(db)[0] == ("board", "pending")
    assert server.drain() == 2  # the alert, and the board sent again
    assert statuses(db)[0] == ("board", "sent")


def test_dedupe_key_makes_enqueue_idempotent(db):
    with db.transaction() as s:
        assert outbox.dm(s, HOST, "hi", key="k1") is not None
        assert outbox.dm(s, HOST, "hi", key="k1") is None
    with db.transaction() as s:
        assert outbox.dm(s, HOST, "hi", key="k1") is None
    assert statuses(db) == [("dm", "pending")]


def test_board_is_posted_once_by_two_notifiers(server, db, stub, roster):
    """Two processes' notifiers race to post the first board of the day: one message, then edits."""
    server.command("/checkin", "", HOST)
    other = Notifier(db, make_client(server.rt.settings, retry_rate_limits=False), server.rt.notifier.boards)
    with db.transaction() as s:
        outbox.refresh_board(s, "onset", date.fromisoformat(_first_board_day(db)))
    import threading

    threads = [threading.Thread(target=n.deliver_due) for n in (server.rt.notifier, other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    server.drain()
    other.deliver_due()
    posts = [c for c in stub.calls_to("chat.postMessage") if c.params["channel"] == OPS_CHANNEL]
    assert len(posts) == 1
    with db.read() as s:
        assert s.scalars(select(PostedMessage)).one().ts is not None


def _first_board_day(db) -> str:
    with db.read() as s:
        return s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "board")).first().payload["date"]


def test_board_edits_are_spaced_and_folded(server, db, stub, roster):
    """A burst of check-ins within the interval becomes one edit once the interval has passed."""
    server.rt.notifier.board_min_interval = timedelta(seconds=3)
    give_roles(db, {"UCREW0001": "pa", "UCREW0002": "pa", "UCREW0003": "host"})
    server.command("/checkin", "", HOST)
    server.drain()  # first post
    for user in ("UCREW0001", "UCREW0002", "UCREW0003"):
        server.command("/checkin", "", user)
        server.drain()
    assert stub.calls_to("chat.update") == []  # edited moments ago: deferred, not failed
    with db.read() as s:
        waiting = s.scalars(select(OutboxMessage).where(OutboxMessage.status == "pending")).all()
        assert len(waiting) == 1 and waiting[0].attempts == 0
    with freeze_time(clock.now() + timedelta(seconds=4)):
        server.drain()
    [update] = stub.calls_to("chat.update")
    assert all(f"<@{u}>" in str(update.params["blocks"]) for u in ("UCREW0001", "UCREW0002", "UCREW0003"))


def test_notifier_is_woken_only_by_transactions_that_queue_messages(db):
    woken = []
    db.on_outbox_commit(lambda: woken.append(1))
    with db.transaction() as s:
        outbox.dm(s, HOST, "hello")
    assert woken == [1]
    with db.transaction() as s:  # a change that queues nothing does not wake it
        from bot.services import people

        people.get_or_create(s, HOST)
    assert woken == [1]
    try:
        with db.transaction() as s:  # rolled back: nothing to deliver
            outbox.dm(s, HOST, "never sent")
            s.flush()
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert woken == [1]
