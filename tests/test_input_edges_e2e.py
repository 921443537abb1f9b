"""Hostile values at the edge: over-long user IDs, NUL bytes, Slack users that don't exist."""

from __future__ import annotations

from conftest import ADMIN, HOST
from escalation_helpers import escalation, grant, raise_one
from sqlalchemy import func, select

from bot.db.models import Person, PersonRole, TimeEntry

LONG_ID = "U" + "A" * 40  # longer than any Slack user ID, and than the column that stores IDs
GHOST = "U0GHOST01"


def _count_people(db, user_id: str | None = None) -> int:
    with db.read() as s:
        stmt = select(func.count()).select_from(Person)
        if user_id:
            stmt = stmt.where(Person.slack_user_id == user_id)
        return s.scalar(stmt)


def test_overlong_user_id_in_role_add_is_refused(server, db):
    people_before = _count_people(db)
    for ref in (f"<@{LONG_ID}>", LONG_ID, f"<@{LONG_ID}|x>"):
        status, body = server.command("/ops", f"role add {ref} host", ADMIN)
        assert status == 200 and "not a Slack user" in body["text"], body
    assert _count_people(db) == people_before


def test_overlong_user_id_in_schedule_tier_is_refused(server, db):
    people_before = _count_people(db)
    status, body = server.command("/schedule", f"tier <@{LONG_ID}> Core", ADMIN)
    assert status == 200 and "not a Slack user" in body["text"], body
    assert _count_people(db) == people_before


def test_unknown_slack_user_in_role_add_is_refused(server, db):
    server.stub.missing_users.add(GHOST)
    status, body = server.command("/ops", f"role add <@{GHOST}> host", ADMIN)
    assert status == 200 and "no user U0GHOST01" in body["text"], body
    assert "Something went wrong" not in body["text"]
    assert _count_people(db, GHOST) == 0
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(PersonRole).where(PersonRole.role == "host")) == 0


def test_unknown_slack_user_in_schedule_tier_is_refused(server, db):
    server.stub.missing_users.add(GHOST)
    status, body = server.command("/schedule", f"tier <@{GHOST}> Core", ADMIN)
    assert status == 200 and "no user U0GHOST01" in body["text"], body
    assert _count_people(db, GHOST) == 0


def test_real_slack_user_not_yet_known_can_get_a_role(server, db):
    status, body = server.command("/ops", "role add <@U0NEWBIE1> host", ADMIN)
    assert status == 200 and "is now Host" in str(body), body
    assert _count_people(db, "U0NEWBIE1") == 1


def test_nul_bytes_in_a_command_are_stripped(server, db, roster):
    status, body = server.command("/checkin", "on\x00 set\x00", HOST)
    assert status == 200 and "Clocked in" in body["text"], body
    with db.read() as s:
        assert s.scalars(select(TimeEntry)).one().note_in == "on set"


def test_nul_bytes_in_a_view_submission_are_stripped(server, db):
    grant(db, HOST, "host")
    esc_id = raise_one(server, HOST, severity="3", summary="price\x00 wrong", details="SKU\x00-1 at $0\x00")
    esc = escalation(db, esc_id)
    assert esc.summary == "price wrong" and "\x00" not in (esc.details or "")


def test_nul_bytes_in_an_action_are_stripped(server, db):
    grant(db, HOST, "host")
    esc_id = raise_one(server, HOST, severity="2")
    status, _ = server.slack.action("esc_ack", f"{esc_id}\x00", ADMIN, channel_id="C0ESC")
    assert status == 200
    import time

    for _ in range(100):
        if escalation(db, esc_id).status == "acknowledged":
            break
        time.sleep(0.02)
    assert escalation(db, esc_id).status == "acknowledged"


def test_unknown_slack_user_in_availability_is_refused(server, db):
    server.stub.missing_users.add(GHOST)
    status, body = server.command("/availability", f"<@{GHOST}>", ADMIN)
    assert status == 200 and "no user U0GHOST01" in body["text"], body
    assert _count_people(db, GHOST) == 0
    assert server.stub.calls_to("views.open") == []


def test_socket_mode_requests_are_cleaned_too(server, db, roster):
    """Socket Mode skips the HTTP edge; the app itself strips NUL bytes from its requests."""
    from urllib.parse import parse_qsl

    from slack_bolt.request import BoltRequest
    from slack_signing import command_body

    from bot.app import create_app

    app = create_app(server.rt)
    body = dict(parse_qsl(command_body("/checkin", "socket\x00 mode", HOST), keep_blank_values=True))
    resp = app.dispatch(BoltRequest(body=body, mode="socket_mode"))
    assert resp.status == 200 and "Clocked in" in resp.body
    with db.read() as s:
        assert s.scalars(select(TimeEntry)).one().note_in == "socket mode"


def test_overlong_user_id_picked_in_a_modal_is_refused(server, db):
    """A forged users_select value (the assign form) is refused as a field error; nobody is created."""
    import json

    from schedule_helpers import new_session, person, seed

    seed(db)
    with db.transaction() as s:
        person(s, ADMIN, "associate")
        live = new_session(s, "2026-11-18", "06:00", "07:30", title="Glow LIVE", tier="C")
    people_before = _count_people(db)
    state = {role: {"value": {"type": "users_select", "selected_user": LONG_ID if role == "host" else None}}
             for role in ("host", "cohost", "pa")}
    state["override"] = {"value": {"type": "checkboxes", "selected_options": []}}
    status, body = server.slack.submit("sched_assign_submit", ADMIN, state,
                                       private_metadata=json.dumps({"week": "2026-11-16", "plan": "VPLAN", "session": live.id}),
                                       blocks=[{"type": "input", "block_id": "host", "label": {"type": "plain_text", "text": "Host"},
                                                "element": {"type": "users_select", "action_id": "value"}}])
    assert status == 200 and body["response_action"] == "errors", body
    assert "isn't a Slack user" in json.dumps(body) and "Something went wrong" not in json.dumps(body)
    assert _count_people(db) == people_before
