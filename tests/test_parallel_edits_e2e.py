"""Modals that edit an existing row: twenty parallel submits make one edit and one message,
and a form drawn before another change is refused instead of overwriting it."""

from __future__ import annotations

import faulthandler
import gc
import json
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from conftest import ADMIN, HOST, give_roles
from freezegun import freeze_time
from schedule_helpers import person, seed
from slack_signing import view_submission_body
from sqlalchemy import func, select
from test_run_of_show import DAY, _segment_state, plan_day
from test_timesheet_e2e import state

from bot.db.models import AuditRecord, LiveSession, OutboxMessage, TimeEntry
from bot.db.schedule import AvailabilityWindow, TimeOff
from bot.services.run_of_show import segments as run_of_show_segments
from bot.timefmt import to_local

PARALLEL = 20


def parallel(server, bodies: list[str]) -> list[dict]:
    """POST the signed bodies at once (a barrier lines the threads up); the parsed answers."""
    barrier = threading.Barrier(len(bodies))

    def send(body: str):
        barrier.wait()
        return server.slack._parsed(body)

    # The burst must be answered within Slack's 3 s: collect garbage first, so the interpreter's next full
    # collection (a pause for every thread, longer the bigger a test process's heap) is not due inside it.
    gc.collect()
    # Should the server still stall near the limit, print every thread's stack: the only clue a rare stall
    # leaves behind.
    faulthandler.dump_traceback_later(2.5, file=sys.stderr)
    try:
        with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
            results = list(pool.map(send, bodies))
    finally:
        faulthandler.cancel_dump_traceback_later()
    assert all(status == 200 for status, _ in results), results
    return [body if isinstance(body, dict) else {} for _, body in results]


def audits(db, action: str) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(AuditRecord).where(AuditRecord.action == action))


def dms_to(db, user_id: str) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(OutboxMessage)
                        .where(OutboxMessage.kind == "dm", OutboxMessage.channel == user_id))


def _edit_form(server, db) -> tuple[TimeEntry, dict]:
    give_roles(db, {HOST: "host"})
    server.command("/checkin", "", HOST)
    server.command("/ops", f"timesheet <@{HOST}>", ADMIN)
    server.stub.wait_for("views.open")
    with db.read() as s:
        entry = s.scalars(select(TimeEntry)).one()
    server.slack.action("timesheet_edit", str(entry.id), ADMIN, view={"id": "V1", "type": "modal", "callback_id": "timesheet_view"})
    [pushed] = server.stub.wait_for("views.push")
    return entry, pushed.params["view"]


def _correction(server, entry: TimeEntry, minutes_earlier: int, reason: str):
    local_in = to_local(entry.clock_in_at, server.rt.tz)
    start = local_in - timedelta(hours=3)
    end = local_in - timedelta(minutes=minutes_earlier)
    return state((start.date().isoformat(), start.strftime("%H:%M")), (end.date().isoformat(), end.strftime("%H:%M")), reason)


def test_twenty_parallel_timesheet_corrections_make_one_edit_and_one_dm(server, db):
    entry, view = _edit_form(server, db)
    dms_before = dms_to(db, HOST)
    body = view_submission_body("timesheet_edit_submit", ADMIN, _correction(server, entry, 30, "forgot to clock in"),
                                private_metadata=view["private_metadata"], blocks=view["blocks"])
    answers = parallel(server, [body] * PARALLEL)
    assert sum(a.get("response_action") == "clear" for a in answers) == 1
    assert audits(db, "timeclock.entry_edited") == 1
    assert dms_to(db, HOST) == dms_before + 1
    refusals = [str(a) for a in answers if a.get("response_action") != "clear"]
    assert all("changed since this form was opened" in r for r in refusals), refusals[:2]


def test_a_stale_correction_form_does_not_overwrite_a_newer_edit(server, db):
    entry, view = _edit_form(server, db)
    first = view_submission_body("timesheet_edit_submit", ADMIN, _correction(server, entry, 30, "first fix"),
                                 private_metadata=view["private_metadata"], blocks=view["blocks"])
    status, body = server.slack._parsed(first)
    assert body["response_action"] == "clear"
    second = view_submission_body("timesheet_edit_submit", ADMIN, _correction(server, entry, 60, "second fix"),
                                  private_metadata=view["private_metadata"], blocks=view["blocks"])
    status, body = server.slack._parsed(second)
    assert body.get("response_action") != "clear" and "changed since this form was opened" in str(body)
    assert audits(db, "timeclock.entry_edited") == 1
    with db.read() as s:
        fixed = s.get(TimeEntry, entry.id)
    local_out = to_local(fixed.clock_out_at, server.rt.tz)
    assert local_out.strftime("%H:%M") == (to_local(entry.clock_in_at, server.rt.tz) - timedelta(minutes=30)).strftime("%H:%M")


# -- the sweep: every modal that edits an existing row --------------------------------------------

def _pushed(server, count_before: int) -> dict:
    return server.stub.wait_for("views.push", count=count_before + 1)[-1].params["view"]


def _session_form(server, session_id: int) -> dict:
    plan = {"id": "VPLAN", "callback_id": "sched_plan", "private_metadata": json.dumps({"week": "2026-11-16"})}
    n = len(server.stub.calls_to("views.push"))
    server.slack.action("sched_menu", None, ADMIN, view=plan, action={
        "type": "overflow", "action_id": "sched_menu", "selected_option": {"value": f"edit:{session_id}"}})
    return _pushed(server, n)


def _session_state(title: str, start: str, end: str) -> dict:
    return {
        "title": {"value": {"type": "plain_text_input", "value": title}},
        "date": {"value": {"type": "datepicker", "selected_date": DAY}},
        "start": {"value": {"type": "timepicker", "selected_time": start}},
        "end": {"value": {"type": "timepicker", "selected_time": end}},
        "overnight": {"value": {"type": "checkboxes", "selected_options": []}},
        "room": {"value": {"type": "plain_text_input", "value": "Studio B"}},
        "tier": {"value": {"type": "static_select", "selected_option": {"value": "A"}}},
        "notes": {"value": {"type": "plain_text_input", "value": None}},
        "override": {"value": {"type": "checkboxes", "selected_options": [{"value": "yes"}]}},
    }


def test_twenty_parallel_session_edits_make_one_edit(server, db):
    [session_id] = plan_day(db, sessions=1, segs=0)
    with freeze_time(f"{DAY} 10:05:00", tick=True):
        form = _session_form(server, session_id)
        body = view_submission_body("sched_session_submit", ADMIN, _session_state("Glow LIVE moved", "07:00", "08:30"),
                                    private_metadata=form["private_metadata"], blocks=form["blocks"])
        answers = parallel(server, [body] * PARALLEL)
        assert sum(not a for a in answers) == 1  # the one saved submit acks with an empty body
        assert audits(db, "schedule.session_edited") == 1
        # a form opened before that edit no longer overwrites it
        status, stale = server.slack._parsed(view_submission_body(
            "sched_session_submit", ADMIN, _session_state("Older title", "06:00", "07:30"),
            private_metadata=form["private_metadata"], blocks=form["blocks"]))
        assert "changed since this form was opened" in json.dumps(stale)
    with db.read() as s:
        assert s.get(LiveSession, session_id).title == "Glow LIVE moved"


def _segment_form(server, session_id: int, segment_id: int | None) -> dict:
    ros = {"id": "VROS", "callback_id": "ros_view", "private_metadata": json.dumps({"session": session_id})}
    n = len(server.stub.calls_to("views.push"))
    if segment_id is None:
        server.slack.action("ros_add", str(session_id), ADMIN, view=ros)
    else:
        server.slack.action("ros_menu", None, ADMIN, view=ros, action={
            "type": "overflow", "action_id": "ros_menu", "selected_option": {"value": f"edit:{segment_id}"}})
    return _pushed(server, n)


def test_twenty_parallel_segment_edits_make_one_edit(server, db):
    [session_id] = plan_day(db, sessions=1, segs=1)
    with db.read() as s:
        [seg] = run_of_show_segments.segments(s, session_id)
    saved_before = audits(db, "ros.segment_saved")
    with freeze_time(f"{DAY} 10:05:00", tick=True):
        form = _segment_form(server, session_id, seg.id)
        body = view_submission_body("ros_segment_submit", ADMIN, _segment_state(offset="20", title="moved block"),
                                    private_metadata=form["private_metadata"], blocks=form["blocks"])
        answers = parallel(server, [body] * PARALLEL)
    assert sum(not a for a in answers) == 1
    assert audits(db, "ros.segment_saved") == saved_before + 1


def test_twenty_parallel_segment_adds_make_one_segment(server, db):
    [session_id] = plan_day(db, sessions=1, segs=0)
    with freeze_time(f"{DAY} 10:05:00", tick=True):
        form = _segment_form(server, session_id, None)
        body = view_submission_body("ros_segment_submit", ADMIN, _segment_state(offset="10", title="hook"),
                                    private_metadata=form["private_metadata"], blocks=form["blocks"])
        answers = parallel(server, [body] * PARALLEL)
    assert sum(not a for a in answers) == 1
    with db.read() as s:
        assert len(run_of_show_segments.segments(s, session_id)) == 1


def test_twenty_parallel_availability_saves_make_one_time_off(server, db):
    seed(db)
    with db.transaction() as s:
        person(s, HOST, "host", tier="Lead", name="hana")
    with freeze_time("2026-10-20 17:00:00", tick=True):
        n = len(server.stub.calls_to("views.open"))
        server.command("/availability", "", HOST)
        form = server.stub.wait_for("views.open", count=n + 1)[-1].params["view"]
        state = {f"day_{wd}": {"value": {"type": "plain_text_input", "value": "9:00-17:00" if wd < 5 else None}}
                 for wd in range(7)}
        state["off_first"] = {"value": {"type": "datepicker", "selected_date": "2026-10-30"}}
        state["off_last"] = {"value": {"type": "datepicker", "selected_date": None}}
        state["off_reason"] = {"value": {"type": "plain_text_input", "value": "wedding"}}
        body = view_submission_body("avail_submit", HOST, state, private_metadata=form["private_metadata"],
                                    blocks=form["blocks"])
        answers = parallel(server, [body] * PARALLEL)
    assert sum(not a for a in answers) == 1
    with db.read() as s:
        assert len(s.scalars(select(TimeOff)).all()) == 1
        assert len(s.scalars(select(AvailabilityWindow)).all()) == 5
    assert audits(db, "availability.weekly_set") == 1


def test_twenty_parallel_metrics_saves_make_one_save(server, db):
    from schedule_helpers import new_session
    from test_metrics_e2e import _session_state
    from test_metrics_e2e import _state as _metric_state

    seed(db)
    with db.transaction() as s:
        live = new_session(s, "2026-11-16", "10:00", "13:00", title="Glow LIVE")
    server.slack.action("metrics_log", str(live.id), ADMIN)
    form = server.stub.wait_for("views.open")[0].params["view"]
    values = {**_session_state(live.id), **_metric_state(gmv_cents="$1,205.33", orders="9", units_sold="12",
                                                          skus="GLOW-01 12 $1205.33 40")}
    body = view_submission_body("metrics_submit", ADMIN, values, private_metadata=form.get("private_metadata", ""),
                                blocks=form["blocks"])
    answers = parallel(server, [body] * PARALLEL)
    assert sum(a.get("response_action") == "update" and "changed since" not in json.dumps(a) for a in answers) == 1
    assert audits(db, "metrics.created") + audits(db, "metrics.updated") == 1
    assert audits(db, "metrics.skus_saved") == 1
