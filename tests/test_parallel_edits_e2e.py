"""Modals that edit an existing row: twenty parallel submits make one edit and one message,
and a form drawn before another change is refused instead of overwriting it."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from conftest import ADMIN, HOST
from slack_signing import view_submission_body
from sqlalchemy import func, select
from test_timesheet_e2e import state

from bot.db.models import AuditRecord, OutboxMessage, TimeEntry
from bot.timefmt import to_local

PARALLEL = 20


def parallel(server, bodies: list[str]) -> list[dict]:
    """POST the signed bodies at once (a barrier lines the threads up); the parsed answers."""
    barrier = threading.Barrier(len(bodies))

    def send(body: str):
        barrier.wait()
        return server.slack._parsed(body)

    with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
        results = list(pool.map(send, bodies))
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
