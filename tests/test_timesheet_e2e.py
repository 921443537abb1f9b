"""The associate reviews and corrects time entries: /ops timesheet, Edit, the edit modal."""

from __future__ import annotations

from datetime import timedelta

from conftest import ADMIN, HOST
from sqlalchemy import select

from bot import clock
from bot.db.models import TimeEntry
from bot.timefmt import to_local


def state(clock_in, clock_out, reason):
    def dt(prefix, value):
        if value is None:
            return {f"{prefix}_date": {"date": {"type": "datepicker", "selected_date": None}},
                    f"{prefix}_time": {"time": {"type": "timepicker", "selected_time": None}}}
        return {f"{prefix}_date": {"date": {"type": "datepicker", "selected_date": value[0]}},
                f"{prefix}_time": {"time": {"type": "timepicker", "selected_time": value[1]}}}

    return {**dt("clock_in", clock_in), **dt("clock_out", clock_out),
            "reason": {"value": {"type": "plain_text_input", "value": reason}}}


def test_timesheet_edit_flow(server, db, roster):
    server.command("/checkin", "", HOST)
    status, _ = server.command("/ops", f"timesheet <@{HOST}>", ADMIN)
    assert status == 200
    [opened] = server.stub.wait_for("views.open")
    view = opened.params["view"]
    assert view["callback_id"] == "timesheet_view"
    with db.read() as s:
        entry = s.scalars(select(TimeEntry)).one()
    edit_btn = next(b for b in view["blocks"] if b.get("block_id") == f"entry_{entry.id}")["accessory"]
    assert edit_btn["action_id"] == "timesheet_edit"

    status, _ = server.slack.action("timesheet_edit", edit_btn["value"], ADMIN, view={"id": "V1", "type": "modal", "callback_id": "timesheet_view"})
    assert status == 200
    [pushed] = server.stub.wait_for("views.push")
    assert pushed.params["view"]["callback_id"] == "timesheet_edit_submit"

    local_in = to_local(entry.clock_in_at, server.rt.tz)
    start = (local_in - timedelta(hours=2))
    end = (local_in - timedelta(minutes=30))
    # clock-out before clock-in: a field error, nothing saved
    status, body = server.slack.submit("timesheet_edit_submit", ADMIN,
                                       state((start.date().isoformat(), end.strftime("%H:%M")), (start.date().isoformat(), start.strftime("%H:%M")), "fix"),
                                       private_metadata=str(entry.id))
    assert body["response_action"] == "errors" and "clock_out_time" in body["errors"]
    # no reason: a field error
    status, body = server.slack.submit("timesheet_edit_submit", ADMIN,
                                       state((start.date().isoformat(), start.strftime("%H:%M")), (end.date().isoformat(), end.strftime("%H:%M")), ""),
                                       private_metadata=str(entry.id))
    assert body["response_action"] == "errors" and "reason" in body["errors"]
    with db.read() as s:
        assert s.get(TimeEntry, entry.id).clock_out_at is None

    status, body = server.slack.submit("timesheet_edit_submit", ADMIN,
                                       state((start.date().isoformat(), start.strftime("%H:%M")), (end.date().isoformat(), end.strftime("%H:%M")), "forgot to check in on time"),
                                       private_metadata=str(entry.id))
    assert status == 200 and body["response_action"] == "clear"
    with db.read() as s:
        fixed = s.get(TimeEntry, entry.id)
    assert fixed.edited and fixed.clock_out_at is not None
    assert to_local(fixed.clock_in_at, server.rt.tz).strftime("%H:%M") == start.strftime("%H:%M")
    server.drain()
    dms = [c for c in server.stub.calls_to("chat.postMessage") if c.params["channel"].startswith("D")]
    assert any("forgot to check in on time" in str(c.params["blocks"]) for c in dms)


def test_host_cannot_open_timesheet_or_edit(server, db, roster):
    server.command("/checkin", "", HOST)
    _, body = server.command("/ops", f"timesheet <@{HOST}>", HOST)
    assert "Only Associate" in body["text"]
    assert server.stub.calls_to("views.open") == []
    with db.read() as s:
        entry = s.scalars(select(TimeEntry)).one()
    now = to_local(clock.now(), server.rt.tz)
    status, body = server.slack.submit("timesheet_edit_submit", HOST,
                                       state((now.date().isoformat(), "00:00"), (now.date().isoformat(), "00:30"), "me"),
                                       private_metadata=str(entry.id))
    # the refusal is shown in the modal (no stack trace, nothing saved)
    assert body["response_action"] == "update"
    assert "Only Associate" in str(body["view"]["blocks"])
    with db.read() as s:
        assert s.get(TimeEntry, entry.id).clock_out_at is None and not s.get(TimeEntry, entry.id).edited
