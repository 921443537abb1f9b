"""Check-in and check-out end to end: signed HTTP requests in, database rows and Slack calls out."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from conftest import ADMIN, HOST, OPS_CHANNEL
from sqlalchemy import func, select

from bot.db.models import AuditRecord, Person, PostedMessage, TimeEntry


def entries(db):
    with db.read() as s:
        return list(s.scalars(select(TimeEntry).order_by(TimeEntry.id)))


def test_checkin_then_checkout_records_entry_and_board(server, db, roster):
    status, body = server.command("/checkin", "on set early", HOST)
    assert status == 200
    assert "Clocked in" in body["text"]
    assert "unscheduled" in body["text"]
    [entry] = entries(db)
    assert entry.clock_out_at is None and entry.unscheduled and entry.note_in == "on set early"

    server.drain()
    [board] = server.stub.calls_to("chat.postMessage")
    assert board.params["channel"] == OPS_CHANNEL
    assert "On set today" in board.params["blocks"][0]["text"]["text"]
    assert f"<@{HOST}>" in str(board.params["blocks"])

    status, body = server.command("/checkout", "", HOST)
    assert status == 200 and "You worked" in body["text"]
    [entry] = entries(db)
    assert entry.clock_out_at is not None
    server.drain()
    # the board is edited in place, not posted again
    assert len(server.stub.calls_to("chat.postMessage")) == 1
    [update] = server.stub.calls_to("chat.update")
    with db.read() as s:
        posted = s.scalars(select(PostedMessage)).one()
    assert posted.key.startswith("onset:") and update.params["ts"] == posted.ts and update.params["channel"] == OPS_CHANNEL
    with db.read() as s:
        actions = [a.action for a in s.scalars(select(AuditRecord).order_by(AuditRecord.id))]
    assert "timeclock.check_in" in actions and "timeclock.check_out" in actions


def test_second_checkin_refused_nothing_written(server, db, roster):
    server.command("/checkin", "", HOST)
    status, body = server.command("/checkin", "", HOST)
    assert status == 200
    assert "already clocked in" in body["text"]
    assert len(entries(db)) == 1


def test_checkout_without_checkin_refused(server, db, roster):
    status, body = server.command("/checkout", "", HOST)
    assert "not clocked in" in body["text"]
    assert entries(db) == []


def test_note_over_2000_chars_refused(server, db, roster):
    status, body = server.command("/checkin", "x" * 2001, HOST)
    assert "2,000" in body["text"]
    assert entries(db) == []


def test_checkin_text_mentioning_payload_is_not_lost(server, db, roster):
    """Bolt 1.30 drops form bodies that contain the word 'payload'; the server restores them."""
    status, body = server.command("/checkin", "fixing the payload cable", HOST)
    assert status == 200 and "Clocked in" in body["text"]
    assert entries(db)[0].note_in == "fixing the payload cable"


def test_first_contact_fills_profile_from_users_info(server, db, roster):
    server.command("/checkin", "", HOST)
    server.stub.wait_for("users.info")
    import time

    for _ in range(50):
        with db.read() as s:
            person = s.scalar(select(Person).where(Person.slack_user_id == HOST))
            if person.email:
                break
        time.sleep(0.05)
    assert person.email == "hana@studio.test" and person.real_name == "Hana Host"


def test_bad_signature_is_401_and_writes_nothing(server, db):
    from slack_signing import command_body

    status, _, _ = server.slack.post(command_body("/checkin", "", HOST), signature="v0=deadbeef")
    assert status == 401
    assert entries(db) == []
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Person).where(Person.slack_user_id == HOST)) == 0


def test_stale_timestamp_is_401(server, db):
    import time

    from slack_signing import command_body

    status, _, _ = server.slack.post(command_body("/checkin", "", HOST), timestamp=int(time.time()) - 600)
    assert status == 401
    assert entries(db) == []


def test_malformed_payload_is_refused_without_trace(server, db):
    status, _, text = server.slack.post("payload=%7Bnot-json")
    assert status in (400, 401, 404, 500)
    assert "Traceback" not in text
    assert entries(db) == []


def test_healthz(server):
    import json
    import urllib.request

    with urllib.request.urlopen(f"{server.url}/healthz") as resp:
        data = json.loads(resp.read())
    assert resp.status == 200 and data["database"] == "ok"


def test_typed_note_cannot_ping_the_channel(server, db, roster):
    status, body = server.command("/checkin", "<!channel> I'm here <@UBOSS01>", HOST)
    assert "<!channel>" not in str(body) and "<@UBOSS01>" not in str(body)
    assert "&lt;!channel&gt;" in str(body["blocks"])
    assert entries(db)[0].note_in == "<!channel> I'm here <@UBOSS01>"  # stored as typed, escaped when shown
