"""Requests from a workspace (team or Enterprise Grid org) other than the installation's change nothing."""

from __future__ import annotations

import time

from conftest import ADMIN, HOST, HOST2, give_roles, serve
from escalation_helpers import ESC_CHANNEL, escalation, grant, raise_one
from slack_signing import TEAM_ID, block_action_body, command_body
from sqlalchemy import func, select

from bot.db.models import Person, PersonRole, TimeEntry
from bot.services import installation

EVIL = "T0EVIL99"
REFUSAL = "installed in another workspace"


def _answers(stub) -> list[str]:
    return [str(c.params.get("text", "")) for c in stub.calls_to("response_url")]


def _wait_refusal(stub, before: int = 0) -> list[str]:
    deadline = time.monotonic() + 5
    while len(stub.calls_to("response_url")) <= before and time.monotonic() < deadline:
        time.sleep(0.01)
    return _answers(stub)[before:]


def _people(db, user_id: str) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(Person).where(Person.slack_user_id == user_id))


def test_command_from_another_team_is_refused_and_creates_nothing(server, db):
    status, _ = server.command("/checkin", "", HOST2, team_id=EVIL)
    assert status == 200
    assert any(REFUSAL in t for t in _wait_refusal(server.stub))
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(TimeEntry)) == 0
    assert _people(db, HOST2) == 0


def test_role_grant_from_another_team_is_refused(server, db):
    server.command("/checkin", "", HOST)  # our own workspace is served (and auth.test learned it)
    status, _ = server.command("/ops", f"role add <@{HOST2}> associate", ADMIN, team_id=EVIL)
    assert status == 200 and any(REFUSAL in t for t in _wait_refusal(server.stub))
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(PersonRole).join(Person)
                        .where(Person.slack_user_id == HOST2)) == 0


def test_request_from_another_enterprise_org_is_refused(server, db):
    server.command("/checkin", "", HOST)
    body = command_body("/checkin", "", HOST2) + "&enterprise_id=E0EVIL99"
    status, _, _ = server.slack.post(body)
    assert status == 200 and any(REFUSAL in t for t in _wait_refusal(server.stub))
    assert _people(db, HOST2) == 0


def test_acknowledge_from_another_team_changes_nothing(server, db):
    grant(db, HOST, "host")
    esc_id = raise_one(server, HOST, severity="2")
    before = len(server.stub.calls_to("response_url"))
    body = block_action_body("esc_ack", str(esc_id), ADMIN, channel_id=ESC_CHANNEL).replace(TEAM_ID, EVIL)
    status, _, _ = server.slack.post(body)
    assert status == 200 and any(REFUSAL in t for t in _wait_refusal(server.stub, before))
    assert escalation(db, esc_id).status == "open"


def test_workspace_is_remembered_for_a_restart_while_slack_is_down(server, db, stub, db_url):
    give_roles(db, {HOST: "host"})
    server.command("/checkin", "", HOST)
    with db.read() as s:
        assert installation.remembered(s) == installation.Workspace(TEAM_ID, None)
    stub.fail_next("auth.test", status=500, times=100)
    with _another_server(db, stub, db_url) as other:
        status, _ = other.command("/checkin", "", HOST2, team_id=EVIL)
        assert status == 200 and any(REFUSAL in t for t in _wait_refusal(stub))
        assert _people(db, HOST2) == 0
        status, body = other.command("/checkout", "", HOST)  # our own team is still served while Slack is down
        assert "Clocked out" in body["text"]


def test_pinned_team_refuses_others_before_auth_test_ever_answers(db, stub, db_url):
    give_roles(db, {HOST: "host"})
    stub.fail_next("auth.test", status=500, times=100)
    with _another_server(db, stub, db_url, slack_team_id=TEAM_ID) as other:
        other.command("/checkin", "", HOST2, team_id=EVIL)
        assert any(REFUSAL in t for t in _wait_refusal(stub))
        assert _people(db, HOST2) == 0
        status, body = other.command("/checkin", "", HOST)
        assert "Clocked in" in body["text"]


def _another_server(db, stub, db_url, **overrides):
    """A second opsbot process on the same database (as after a restart)."""
    return serve(db, stub, db_url, **overrides)
