"""Only people with a host or PA role clock in, unless the studio opens check-in to everyone (OPEN_CHECKIN)."""

from __future__ import annotations

from conftest import make_settings
from sqlalchemy import func, select

from bot.db.models import AuditRecord, TimeEntry
from bot.services import people, timeclock
from bot import clock

STRANGER = "USTRANGE1"


def _count(db, model) -> int:
    """Rows of a table; for the audit log, the records of changes (not the workspace auth.test names)."""
    query = select(func.count()).select_from(model)
    if model is AuditRecord:
        query = query.where(AuditRecord.action != "installation.identified")
    with db.read() as s:
        return s.scalar(query)


def test_checkin_without_a_role_is_refused_in_plain_words(server, db):
    audits = _count(db, AuditRecord)
    status, body = server.command("/checkin", "", STRANGER)
    assert status == 200
    assert "ask the associate to add you" in body["text"] and "/ops role add" in body["text"]
    assert _count(db, TimeEntry) == 0 and _count(db, AuditRecord) == audits
    status, body = server.command("/checkout", "", STRANGER)
    assert "ask the associate to add you" in body["text"]


def test_home_checkin_button_without_a_role_is_refused(server, db):
    status, _ = server.slack.action("home_checkin", None, STRANGER, view={"id": "VHOME", "type": "home"})
    assert status == 200
    [dm] = server.stub.wait_for("chat.postMessage")
    assert "ask the associate to add you" in dm.params["text"]
    assert _count(db, TimeEntry) == 0


def test_a_pa_clocks_in(server, db):
    with db.transaction() as s:
        people.grant(s, people.get_or_create(s, "UPA00009"), "pa", actor="test")
    status, body = server.command("/checkin", "", "UPA00009")
    assert "Clocked in" in body["text"]


def test_open_checkin_lets_anyone_clock_in(db, db_url):
    policy = timeclock.Policy.from_settings(make_settings(db_url, open_checkin=True))
    with db.transaction() as s:
        result = timeclock.check_in(s, people.get_or_create(s, STRANGER), None, clock.now(), policy)
        assert result.unscheduled
    assert _count(db, TimeEntry) == 1


def test_open_checkin_is_off_by_default(db_url):
    assert make_settings(db_url).open_checkin is False
