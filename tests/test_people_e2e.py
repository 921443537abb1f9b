"""/ops help, people and roles through the signed HTTP endpoint."""

from __future__ import annotations

from conftest import ADMIN, HOST, HOST2, LEGAL
from schedule_helpers import seed
from sqlalchemy import select

from bot.db.models import AuditRecord, Person


def roles_of(db, uid):
    with db.read() as s:
        person = s.scalar(select(Person).where(Person.slack_user_id == uid))
        return person.role_names if person else set()


def test_help_lists_only_what_caller_may_use(server):
    _, host_help = server.command("/ops", "", HOST)
    assert "/checkin" in host_help["text"] and "/ops role" not in host_help["text"]
    _, admin_help = server.command("/ops", "help", ADMIN)
    assert "/ops role add" in admin_help["text"] and "/ops timesheet" in admin_help["text"]


def test_admin_adds_and_removes_role(server, db):
    seed(db)  # the host tiers (PostgreSQL runs truncate the seeded ones)
    status, body = server.command("/ops", f"role add <@{HOST}|hana> host", ADMIN)
    assert status == 200 and "is now Host" in body
    assert roles_of(db, HOST) == {"host"}
    _, again = server.command("/ops", f"role add <@{HOST}|hana> host", ADMIN)
    assert "already" in again
    _, removed = server.command("/ops", f"role remove <@{HOST}> host", ADMIN)
    assert "no longer" in removed
    assert roles_of(db, HOST) == set()
    with db.read() as s:
        actions = [a.action for a in s.scalars(select(AuditRecord).where(AuditRecord.actor == ADMIN))]
    assert actions == ["person.created", "role.granted", "schedule.host_tier_set", "role.revoked"]  # HOST was new: created by the admin; a new host starts at the entry tier


def test_non_admin_cannot_change_roles_and_nothing_changes(server, db):
    _, body = server.command("/ops", f"role add <@{HOST2}> associate", HOST)
    assert "Only Associate" in body["text"]
    assert roles_of(db, HOST2) == set()
    _, body = server.command("/ops", "people", HOST)
    assert "Only Associate" in body["text"]


def test_unknown_role_and_bad_usage(server, db):
    _, body = server.command("/ops", f"role add <@{HOST}> wizard", ADMIN)
    assert "not a role" in body["text"]
    _, body = server.command("/ops", "role add", ADMIN)
    assert "/ops role add @user ROLE" in body["text"]
    _, body = server.command("/ops", "dance", ADMIN)
    assert "don't know" in body["text"]


def test_last_associate_cannot_be_removed(server, db):
    _, body = server.command("/ops", f"role remove <@{ADMIN}> associate", ADMIN)
    assert "last associate" in body["text"]
    assert "associate" in roles_of(db, ADMIN)


def test_people_lists_everyone_with_roles(server, roster):
    server.command("/checkin", "", HOST)
    _, body = server.command("/ops", "people", ADMIN)
    text = str(body["blocks"])
    assert f"<@{HOST}>" in text and f"<@{LEGAL}>" in text and "Legal" in text


def test_user_text_is_escaped_in_replies(server):
    _, body = server.command("/ops", "role add <!channel> host", ADMIN)
    assert "<!channel>" not in str(body)
    assert "&lt;!channel&gt;" in str(body)
