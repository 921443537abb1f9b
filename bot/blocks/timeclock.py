"""Block Kit for the time clock: replies to /checkin and /checkout, the on-set board, the timesheet."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.blocks import payroll as payroll_blocks
from bot.blocks.common import (
    Block, actions, button, chunk_lines, clip, context, divider, escape, header, mention, modal, section,
)
from bot.db.models import Person, TimeEntry
from bot.services.edits import form_ref
from bot.timefmt import fmt_datetime, fmt_day, fmt_duration, fmt_span, fmt_time, to_local

ROLE_LABEL = {"host": "Host", "cohost": "Co-host", "pa": "PA"}


def _shift_label(shift, tz: ZoneInfo) -> str:  # type: ignore[no-untyped-def]
    role = ROLE_LABEL.get(shift.role, shift.role)
    title = escape(shift.session.title) if shift.session is not None else "shift"
    return f"{role} · {title} ({fmt_time(shift.starts_at, tz)}–{fmt_time(shift.ends_at, tz)})"


def checkin_reply(result, tz: ZoneInfo) -> tuple[str, list[Block]]:  # type: ignore[no-untyped-def]
    entry = result.entry
    when = fmt_datetime(entry.clock_in_at, tz)
    if result.shift is None:
        text = f"Clocked in at {when}. No shift of yours starts around now, so this is logged as unscheduled and the associate will review it."
        blocks = [section(f":white_check_mark: *Clocked in* at {when}."),
                  context(":grey_question: No scheduled shift matches, so this entry is flagged *unscheduled* for the associate.")]
    else:
        label = _shift_label(result.shift, tz)
        status = f":hourglass: {result.late_minutes} min after call time" if result.late_minutes else ":alarm_clock: on time"
        text = f"Clocked in at {when} for {label}."
        blocks = [section(f":white_check_mark: *Clocked in* at {when}\n{label}"), context(status)]
    if entry.note_in:
        blocks.append(context(f"Note: {escape(clip(entry.note_in, 300))}"))
    return text, blocks


def checkout_reply(result, tz: ZoneInfo) -> tuple[str, list[Block]]:  # type: ignore[no-untyped-def]
    entry = result.entry
    span = fmt_span(entry.clock_in_at, entry.clock_out_at, tz)
    worked = fmt_duration(result.worked)
    text = f"Clocked out. You worked {worked} ({span})."
    blocks = [section(f":wave: *Clocked out.* You worked *{worked}*\n{span}")]
    if result.worked_today != result.worked and result.worked_today > timedelta():
        blocks.append(context(f"Today in total: {fmt_duration(result.worked_today)}"))
    blocks += payroll_blocks.attestation_blocks(entry.id, getattr(result, "asked", []))
    return text, blocks


def _board_line(row, tz: ZoneInfo, now: datetime) -> str:  # type: ignore[no-untyped-def]
    who = mention(row.person.slack_user_id)
    entry: TimeEntry | None = row.entry
    parts = [who]
    if row.shift is not None:
        parts.append(_shift_label(row.shift, tz))
    if entry is not None and entry.clock_out_at is None:
        parts.append(f"in since {fmt_time(entry.clock_in_at, tz)} ({fmt_duration(now - entry.clock_in_at)})")
        if entry.late_minutes:
            parts.append(f":hourglass: {entry.late_minutes} min late")
        if entry.unscheduled:
            parts.append(":grey_question: unscheduled")
    elif entry is not None:
        parts.append(f"out at {fmt_time(entry.clock_out_at, tz)}, {fmt_duration(row.worked)} worked")
    elif row.shift is not None:
        late = now - row.shift.starts_at
        parts.append(f":warning: not in, {int(late.total_seconds() // 60)} min past call" if late > timedelta() else "expected")
    return " · ".join(parts)


def onset_board(board, tz: ZoneInfo, now: datetime) -> tuple[str, list[Block]]:  # type: ignore[no-untyped-def]
    """The one 'On set today' message per day, edited in place as people come and go."""
    blocks: list[Block] = [header(f"On set today · {fmt_day(board.day)}")]
    groups = [
        (f":large_green_circle: *On set now* ({len(board.on_set)})", board.on_set),
        (f":clock3: *Expected* ({len(board.expected)})", board.expected),
        (f":checkered_flag: *Finished* ({len(board.finished)})", board.finished),
    ]
    for title, rows in groups:
        if not rows:
            continue
        lines = [_board_line(r, tz, now) for r in rows]
        chunks = chunk_lines(lines)
        blocks.append(section(title))
        for chunk in chunks[:12]:
            blocks.append(section(chunk))
    if len(blocks) == 1:
        blocks.append(section("Nobody has checked in yet today."))
    blocks.append(context(f"Updated {fmt_time(now, tz)} · /checkin and /checkout to clock in and out"))
    text = f"On set today: {len(board.on_set)} on set, {len(board.expected)} expected, {len(board.finished)} finished"
    return text, blocks[:50]


def timesheet_modal(person: Person, entries: list[TimeEntry], tz: ZoneInfo, now: datetime) -> dict[str, Any]:
    """The associate's view of one person's recent entries, each with an Edit button."""
    total = sum(((e.clock_out_at or now) - e.clock_in_at for e in entries), timedelta())
    blocks: list[Block] = [
        section(f"*{escape(person.name)}* ({mention(person.slack_user_id)}) · last 14 days · {fmt_duration(total)}"),
        divider(),
    ]
    if not entries:
        blocks.append(section("No time entries in the last 14 days."))
    for e in entries:
        flags = []
        if e.clock_out_at is None:
            flags.append(":large_green_circle: open")
        if e.late_minutes:
            flags.append(f":hourglass: {e.late_minutes} min late")
        if e.unscheduled:
            flags.append(":grey_question: unscheduled")
        if e.edited:
            flags.append(":pencil2: edited")
        worked = fmt_duration((e.clock_out_at or now) - e.clock_in_at)
        line = f"{fmt_span(e.clock_in_at, e.clock_out_at, tz)} · *{worked}*"
        if flags:
            line += "\n" + "  ".join(flags)
        blocks.append(section(line, accessory=button("Edit", "timesheet_edit", str(e.id)), block_id=f"entry_{e.id}"))
    return modal("Timesheet", blocks[:100], callback_id="timesheet_view", private_metadata=person.slack_user_id)


def _date_time_inputs(block_prefix: str, label: str, instant: datetime | None, tz: ZoneInfo, optional: bool) -> list[Block]:
    local = to_local(instant, tz) if instant else None
    date_el: dict[str, Any] = {"type": "datepicker", "action_id": "date"}
    time_el: dict[str, Any] = {"type": "timepicker", "action_id": "time"}
    if local:
        date_el["initial_date"] = local.date().isoformat()
        time_el["initial_time"] = local.strftime("%H:%M")
    return [
        {"type": "input", "block_id": f"{block_prefix}_date", "optional": optional,
         "label": {"type": "plain_text", "text": f"{label} date"}, "element": date_el},
        {"type": "input", "block_id": f"{block_prefix}_time", "optional": optional,
         "label": {"type": "plain_text", "text": f"{label} time ({tz.key})"}, "element": time_el},
    ]


def edit_entry_modal(entry: TimeEntry, tz: ZoneInfo, version: str | None = None) -> dict[str, Any]:
    blocks: list[Block] = [
        section(f"Correcting *{escape(entry.person.name)}*: {fmt_span(entry.clock_in_at, entry.clock_out_at, tz)}"),
        *_date_time_inputs("clock_in", "Clock-in", entry.clock_in_at, tz, optional=False),
        *_date_time_inputs("clock_out", "Clock-out", entry.clock_out_at, tz, optional=entry.clock_out_at is None),
        {"type": "input", "block_id": "reason", "label": {"type": "plain_text", "text": "Reason for the change"},
         "element": {"type": "plain_text_input", "action_id": "value", "max_length": 500,
                     "placeholder": {"type": "plain_text", "text": "e.g. forgot to check out; left at 6 PM per PA"}}},
        context("The person is told about the change, and the audit log keeps the old and new times with your reason."),
    ]
    return modal("Edit time entry", blocks, callback_id="timesheet_edit_submit", submit="Save", close="Cancel",
                 private_metadata=form_ref(entry.id, version) if version else str(entry.id))


def entry_corrected_dm(entry: TimeEntry, before: dict[str, Any], reason: str, actor: Person, tz: ZoneInfo) -> tuple[str, list[Block]]:
    old_in = datetime.fromisoformat(before["clock_in_at"])
    old_out = datetime.fromisoformat(before["clock_out_at"]) if before.get("clock_out_at") else None
    old = fmt_span(old_in, old_out, tz)
    new = fmt_span(entry.clock_in_at, entry.clock_out_at, tz)
    text = f"{actor.name} corrected your time entry: {old} is now {new}."
    blocks = [
        section(f":pencil2: {mention(actor.slack_user_id)} corrected one of your time entries.\n"
                f"*Was:* {old}\n*Now:* {new}\n*Reason:* {escape(reason)}"),
        context("Questions? Reply to the associate directly."),
    ]
    return text, blocks
