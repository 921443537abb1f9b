"""Over signed HTTP: the meal/rest attestation at /checkout, and the auto-close of a forgotten clock-out."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from conftest import ADMIN, HOST, OPS_CHANNEL, serve
from freezegun import freeze_time
from payroll_helpers import ANCHOR, CFG, rate, said
from schedule_helpers import at, person
from sqlalchemy import select

from bot.db.models import AuditRecord, Shift, TimeEntry
from bot.db.payroll import EntryReview, MealAttestation
from bot.jobs.base import run_tick
from bot.jobs.registry import all_jobs
from bot.services.payroll import compute


@pytest.fixture
def pay_server(db, stub, db_url):
    with serve(db, stub, db_url, pay_period_anchor=ANCHOR) as running:
        yield running
    assert stub.violations == [], stub.violations


def host_on_shift(db, start="09:00", end="15:30", day="2026-10-13"):
    with db.transaction() as s:
        person(s, ADMIN, "associate", name="ava")
        h = person(s, HOST, "host", name="hana")
        rate(s, h, "20.00")
        s.add(Shift(person_id=h.id, role="host", starts_at=at(day, start), ends_at=at(day, end), created_at=at(day, "00:00"),
                    state="confirmed"))


def action_values(body) -> list[tuple[str, str]]:
    return [(el["action_id"], el.get("value", "")) for b in body.get("blocks", []) if b["type"] == "actions" for el in b["elements"]]


def test_checkout_after_five_hours_asks_and_no_becomes_a_premium(pay_server, db):
    host_on_shift(db)
    with freeze_time(at("2026-10-13", "09:00"), tick=True):
        assert pay_server.command("/checkin", "", HOST)[0] == 200
    with freeze_time(at("2026-10-13", "15:00"), tick=True):
        _, body = pay_server.command("/checkout", "", HOST)
        buttons = action_values(body)
        with db.read() as s:
            entry_id = s.scalar(select(TimeEntry.id))
        assert (("payroll_attest_no", f"{entry_id}|meal|no") in buttons and ("payroll_attest", f"{entry_id}|rest|yes") in buttons
                and not any("second_meal" in v for _, v in buttons)), buttons
        pay_server.slack.action("payroll_attest_no", f"{entry_id}|meal|no", HOST)
        pay_server.slack.action("payroll_attest_no", f"{entry_id}|meal|no", HOST)  # double tap: nothing new
        pay_server.slack.action("payroll_attest", f"{entry_id}|meal|yes", HOST)  # a changed answer is refused
        pay_server.slack.action("payroll_attest", f"{entry_id}|rest|yes", HOST)
        pay_server.slack.action("payroll_attest", f"{entry_id}|rest|yes", "UHOST002")  # not theirs: refused
    assert said(pay_server, "premium hour") and said(pay_server, "already answered no")
    assert said(pay_server, "isn't your time entry")
    with db.read() as s:
        assert {(a.kind, a.taken) for a in s.scalars(select(MealAttestation))} == {("meal", False), ("rest", True)}
        result = compute.as_json(compute.period_pay(s, date(2026, 10, 13), CFG))
    hana = result["people"][0]
    assert hana["meal_premium_hours"] == "1.00" and hana["regular_hours"] == "6.00" and hana["gross_pay"] == "140.00"
    assert [x["kind"] for x in hana["exceptions"]] == ["early_departure", "missed_meal"]  # left 30 min before the end


def test_short_checkout_asks_nothing(pay_server, db):
    host_on_shift(db)
    with freeze_time(at("2026-10-13", "09:00"), tick=True):
        pay_server.command("/checkin", "", HOST)
    with freeze_time(at("2026-10-13", "13:55"), tick=True):  # under 5 h: no meal was due
        _, body = pay_server.command("/checkout", "", HOST)
    assert not [a for a, _ in action_values(body) if a.startswith("payroll_attest")]


def test_a_forgotten_clock_out_is_auto_closed_once_and_flagged(pay_server, db):
    host_on_shift(db)
    with freeze_time(at("2026-10-13", "09:00"), tick=True):
        pay_server.command("/checkin", "", HOST)
    spec = all_jobs(pay_server.rt.settings)["auto-close"]
    pay_server.drain()
    pay_server.stub.clear()
    with freeze_time(at("2026-10-13", "16:29")):
        assert "0 entries auto-closed" in run_tick(pay_server.rt, spec)
    with freeze_time(at("2026-10-13", "16:31")):
        assert "1 entry auto-closed" in run_tick(pay_server.rt, spec)
        assert "0 entries auto-closed" in run_tick(pay_server.rt, spec)
    pay_server.drain()
    with db.read() as s:
        entry = s.scalar(select(TimeEntry))
        assert entry.clock_out_at.replace(tzinfo=None) == at("2026-10-13", "15:30").replace(tzinfo=None)
        assert s.get(EntryReview, entry.id).reason == "auto_closed"
        assert s.scalar(select(AuditRecord).where(AuditRecord.action == "timeclock.auto_closed")).actor == "system:auto-close"
        hana = compute.as_json(compute.period_pay(s, date(2026, 10, 13), CFG))["people"][0]
    assert "auto_closed" in [x["kind"] for x in hana["exceptions"]]
    posts = pay_server.stub.calls_to("chat.postMessage")
    flags = [c for c in posts if c.params["channel"] == OPS_CHANNEL and "auto-closed" in json.dumps(c.params)]
    dms = [c for c in posts if c.params["channel"] != OPS_CHANNEL and "needs review" in json.dumps(c.params)]
    assert len(flags) == 1 and f"<@{ADMIN}>" in json.dumps(flags[0].params["blocks"]) and len(dms) == 1
    assert timedelta(0) < entry.clock_out_at.replace(tzinfo=None) - entry.clock_in_at.replace(tzinfo=None)


def test_still_working_on_the_forgotten_checkout_dm_keeps_the_entry_open(pay_server, db):
    host_on_shift(db)
    with freeze_time(at("2026-10-13", "09:00"), tick=True):
        pay_server.command("/checkin", "", HOST)
    with db.read() as s:
        entry_id = s.scalar(select(TimeEntry.id))
    with freeze_time(at("2026-10-13", "16:00"), tick=True):
        pay_server.slack.action("checkout_still_working", str(entry_id), HOST)  # the existing forgotten check-out button
        assert said(pay_server, "you're still working")  # that listener answers (and saves) after its ack
    spec = all_jobs(pay_server.rt.settings)["auto-close"]
    with freeze_time(at("2026-10-13", "17:31")):
        assert "0 entries auto-closed" in run_tick(pay_server.rt, spec)
    with db.read() as s:
        assert s.get(TimeEntry, entry_id).clock_out_at is None
