"""Modal submissions."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot import clock
from bot.blocks.timeclock import timesheet_modal
from bot.handlers.common import guarded, input_value
from bot.runtime import Runtime
from bot.services import edits, people, timeclock, validation
from bot.services.errors import Invalid
from bot.timefmt import local_date, local_to_utc


def _picked(body: dict, prefix: str, tz: Any, required: bool) -> Any:
    d, t = input_value(body, f"{prefix}_date", "date"), input_value(body, f"{prefix}_time", "time")
    if not d and not t and not required:
        return None
    if not d or not t:
        raise Invalid("Pick both a date and a time.", {f"{prefix}_date" if not d else f"{prefix}_time": "Pick both a date and a time."})
    # The 31-day rule around the entry is the service's; here only what local_to_utc can't take (year 9999).
    day = validation.parse_date(d, field=f"{prefix}_date", today=local_date(clock.now(), tz), window=validation.ARCHIVE_WINDOW)
    return local_to_utc(day, validation.parse_time(t, field=f"{prefix}_time"), tz)


def register(app: App, rt: Runtime) -> None:
    @app.view("timesheet_edit_submit")
    @guarded("view")
    def timesheet_edit_submit(ack: Any, body: dict, client: Any, respond: Any) -> None:
        ref, seen, _ = edits.parse_form_ref(body["view"]["private_metadata"])
        entry_id = validation.parse_id(ref, what="time entry")
        clock_in = _picked(body, "clock_in", rt.tz, True)
        clock_out = _picked(body, "clock_out", rt.tz, False)
        reason = input_value(body, "reason") or ""
        with rt.db.transaction() as s:
            actor = people.get_or_create(s, body["user"]["id"])
            try:
                entry = timeclock.edit_entry(s, actor, entry_id, clock_in_at=clock_in, clock_out_at=clock_out,
                                             reason=reason, now=clock.now(), policy=rt.policy, seen=seen)
            except Invalid as exc:
                exc.fields = {_block_for(k): v for k, v in exc.fields.items()}
                raise
            target, entries = timeclock.entries_for_review(s, actor, entry.person.slack_user_id, clock.now())
            refreshed = timesheet_modal(target, entries, rt.tz, clock.now())
        ack(response_action="clear")
        rt.after_change()
        root = body["view"].get("root_view_id")
        if root:
            client.views_update(view_id=root, view=refreshed)


def _block_for(field: str) -> str:
    return {"clock_in": "clock_in_time", "clock_out": "clock_out_time"}.get(field, field)
