"""Payroll over signed HTTP: `/ops pay rate`, /timesheets (approve, approve all without exceptions, lock, unlock),
a host seeing only their own hours, and the lock refusing edits and new punches."""

from __future__ import annotations

import json
from datetime import date

import pytest
from conftest import ADMIN, HOST, HOST2, serve
from freezegun import freeze_time
from payroll_helpers import ANCHOR, CFG, NOW, crew, said
from schedule_helpers import at
from sqlalchemy import select

from bot.db.models import AuditRecord, TimeEntry
from bot.db.payroll import PayRate, TimesheetApproval
from bot.services import people, timeclock
from bot.services.errors import Conflict
from bot.services.payroll import compute


@pytest.fixture
def pay_server(db, stub, db_url):
    with serve(db, stub, db_url, pay_period_anchor=ANCHOR) as running:
        yield running
    assert stub.violations == [], stub.violations


def open_timesheets(server, user, text="2026-10-05"):
    before = len(server.stub.calls_to("views.open"))
    status, body = server.command("/timesheets", text, user)
    assert status == 200, body
    return server.stub.wait_for("views.open", before + 1)[-1].params["view"]


def texts(view) -> str:
    return view if isinstance(view, str) else json.dumps(view)


def edit_form(out: str) -> dict:
    def picked(kind: str, key: str, value: str) -> dict:
        return {kind: {"type": "datepicker" if kind == "date" else "timepicker", key: value}}

    return {"clock_in_date": picked("date", "selected_date", "2026-10-05"), "clock_in_time": picked("time", "selected_time", "09:00"),
            "clock_out_date": picked("date", "selected_date", "2026-10-05"), "clock_out_time": picked("time", "selected_time", out),
            "reason": {"value": {"type": "plain_text_input", "value": "stayed for the restock"}}}


def approvals(db):
    with db.read() as s:
        return {(a.person.slack_user_id, a.status) for a in s.scalars(select(TimesheetApproval))}


@freeze_time(NOW, tick=True)
def test_ops_pay_rate_sets_a_dated_rate_and_only_the_associate_may(pay_server, db):
    crew(db)
    status, body = pay_server.command("/ops", f"pay rate <@{HOST}|hana> 27.50 host from 2026-10-11", ADMIN)
    assert status == 200 and "$27.50/h as host from 2026-10-11" in texts(body), body
    _, again = pay_server.command("/ops", f"pay rate <@{HOST}|hana> 27.50 host from 2026-10-11", ADMIN)
    assert "nothing changed" in texts(again)
    _, refused = pay_server.command("/ops", f"pay rate <@{HOST2}> 99.00", HOST)
    assert "Only Associate" in texts(refused)
    _, bad = pay_server.command("/ops", f"pay rate <@{HOST2}> 2O.00", ADMIN)
    assert "digits" in texts(bad)
    with db.read() as s:
        rows = sorted((r.person.slack_user_id, str(r.rate), r.role) for r in s.scalars(select(PayRate)))
        assert (HOST, "27.50", "host") in rows and (HOST2, "20.00", "any") in rows and len(rows) == 3
        assert s.scalar(select(AuditRecord).where(AuditRecord.action == "payroll.rate_set")).actor == ADMIN


@freeze_time(NOW, tick=True)
def test_associate_approves_locks_and_unlocks(pay_server, db):
    crew(db)
    view = open_timesheets(pay_server, ADMIN)
    assert "Approve all without exceptions (1)" in texts(view)  # HOST is clean; HOST2 has a missed meal
    assert "missed meal" in texts(view) and "$200.00" in texts(view) and "$160.00" in texts(view)
    assert pay_server.slack.action("payroll_approve_all", ANCHOR.isoformat(), ADMIN, view={"id": "V1"})[0] == 200
    assert approvals(db) == {(HOST, "approved")}
    assert pay_server.slack.action("payroll_approve_all", ANCHOR.isoformat(), ADMIN, view={"id": "V1"})[0] == 200  # double click
    assert approvals(db) == {(HOST, "approved")}
    refreshed = pay_server.stub.wait_for("views.update", 1)[-1].params["view"]
    assert "Unlock" in texts(refreshed)

    # the lock: an edit of HOST's entry in the approved period is refused, naming the lock
    with db.transaction() as s:
        entry = s.scalars(select(TimeEntry).join(TimeEntry.person).where(people.Person.slack_user_id == HOST)).first()
        with pytest.raises(Conflict, match="Oct 4 - Oct 17, 2026 is approved and locked"):
            timeclock.edit_entry(s, people.get(s, ADMIN), entry.id, clock_in_at=entry.clock_in_at,
                                 clock_out_at=at("2026-10-05", "14:00"), reason="fix", now=at("2026-10-20", "10:00"),
                                 policy=pay_server.rt.policy)

    # ...and so is the same edit through the existing correction modal
    _, body = pay_server.slack.submit("timesheet_edit_submit", ADMIN, edit_form("14:00"), private_metadata=str(entry.id))
    assert "approved and locked" in texts(body) and "unlock" in texts(body)
    with db.read() as s:
        assert s.get(TimeEntry, entry.id).edited is False

    # HOST2 approved one by one, despite the exception (the associate's call)
    pay_server.slack.action("payroll_approve", f"{HOST2}|{ANCHOR.isoformat()}", ADMIN, view={"id": "V1"})
    assert approvals(db) == {(HOST, "approved"), (HOST2, "approved")}
    with db.read() as s:
        assert compute.as_json(compute.period_pay(s, date(2026, 10, 9), CFG))["approved"] is True

    # a host can't unlock; the associate needs a reason
    pay_server.slack.action("payroll_unlock", f"{HOST}|{ANCHOR.isoformat()}", HOST, view={"id": "V1"})
    assert approvals(db) == {(HOST, "approved"), (HOST2, "approved")}
    pay_server.slack.action("payroll_unlock", f"{HOST}|{ANCHOR.isoformat()}", ADMIN, view={"id": "V1"})
    form = pay_server.stub.wait_for("views.push", 1)[-1].params["view"]
    assert form["callback_id"] == "payroll_unlock_submit"
    meta = form["private_metadata"]
    _, empty = pay_server.slack.submit("payroll_unlock_submit", ADMIN, {"reason": {"value": {"type": "plain_text_input", "value": " "}}},
                                       private_metadata=meta)
    assert empty["response_action"] == "errors" and "reason" in empty["errors"]
    _, ok = pay_server.slack.submit("payroll_unlock_submit", ADMIN,
                                    {"reason": {"value": {"type": "plain_text_input", "value": "Hana's Monday was 5 h"}}},
                                    private_metadata=meta)
    assert ok["response_action"] == "update" and "Unlocked" in json.dumps(ok["view"])
    assert approvals(db) == {(HOST, "unlocked"), (HOST2, "approved")}
    with db.read() as s:
        rec = s.scalar(select(AuditRecord).where(AuditRecord.action == "payroll.timesheet_unlocked"))
        assert rec.actor == ADMIN and rec.reason == "Hana's Monday was 5 h"

    # unlocked: the correction goes through, and the timesheet says it was edited after approval
    _, body = pay_server.slack.submit("timesheet_edit_submit", ADMIN, edit_form("14:00"), private_metadata=str(entry.id))
    assert body["response_action"] == "clear", body
    with db.read() as s:
        hana = compute.period_pay(s, date(2026, 10, 5), CFG).of(HOST)
    assert f"{hana.pay.hours('regular')}" == "9.00" and "edited_after_approval" in [x.kind for x in hana.pay.exceptions]


@freeze_time(NOW, tick=True)
def test_a_host_sees_only_their_own_hours(pay_server, db):
    crew(db)
    view = open_timesheets(pay_server, HOST)
    assert view["title"]["text"] == "My timesheet"
    assert "reg 8.00" in texts(view) and "$200.00" in texts(view)
    assert "hugo" not in texts(view) and "Approve" not in texts(view)
    pay_server.slack.action("payroll_approve", f"{HOST}|{ANCHOR.isoformat()}", HOST, view={"id": "V1"})
    assert approvals(db) == set()
    assert said(pay_server, "Only Associate")  # told why, privately


@freeze_time("2026-10-10 17:00:00", tick=True)
def test_a_new_punch_in_a_locked_period_is_refused(pay_server, db):
    crew(db)
    with db.transaction() as s:
        from bot.services.payroll import timesheets

        timesheets.approve(s, "cli", HOST, date(2026, 10, 5), CFG, at("2026-10-10", "09:00"))
    _, body = pay_server.command("/checkin", "", HOST)
    assert "approved and locked" in json.dumps(body)
    with db.read() as s:
        assert s.scalar(select(TimeEntry).where(TimeEntry.clock_out_at.is_(None))) is None


def test_timesheets_without_an_anchor_says_which_setting(server, db):
    crew(db)
    _, body = server.command("/timesheets", "", ADMIN)
    assert "PAY_PERIOD_ANCHOR" in json.dumps(body)


def test_approve_is_refused_while_someone_is_still_clocked_in(db):
    crew(db)
    with db.transaction() as s:
        p = people.get(s, HOST2)
        s.add(TimeEntry(person_id=p.id, clock_in_at=at("2026-10-08", "09:00"), unscheduled=True, edited=False, source="slack",
                        created_at=at("2026-10-08", "09:00")))
    with db.transaction() as s, pytest.raises(Conflict, match="still clocked in"):
        from bot.services.payroll import timesheets

        timesheets.approve(s, "cli", HOST2, date(2026, 10, 5), CFG, at("2026-10-20", "09:00"))
    assert approvals(db) == set()


@freeze_time(NOW, tick=True)
def test_forged_button_values_are_refused_in_plain_words(pay_server, db, caplog):
    crew(db)
    for action, value in (("payroll_approve", f"{HOST}|9999-12-31"), ("payroll_approve_all", "0001-01-01"),
                          ("payroll_unlock", "nobody|2026-10-05"), ("payroll_attest", "1|meal|maybe"), ("payroll_attest_no", "x")):
        status, _ = pay_server.slack.action(action, value, ADMIN, view={"id": "V1"})
        assert status == 200
    assert not [r for r in caplog.records if "failed (ref" in r.getMessage()]
    assert approvals(db) == set()
