"""The calendar workbook's `Run of show` sheet on import: segments per session, checked before anything is written.

Columns: Session, Offset (min), Duration (min), Segment, SKU, Offer, Talking points, and an optional Lead
(Host/Co-host). The Session cell names a session as `YYYY-MM-DD HH:MM Title` (what export writes), or just the
Title when exactly one schedule row has it. A session is looked up among the schedule sheet's rows first (also
by the session a keyed row edits, so a moved session keeps its plan), then among existing sessions. Every session
named gets exactly the segments listed for it; sessions that already started are skipped, like their rows.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import LiveSession
from bot.services.run_of_show import segments as run_of_show_segments
from bot.services.schedule.rules import Rules
from bot.services.schedule.sheet import MAX_ROWS, ROS_HEADER, ROS_REQUIRED, ROS_SHEET, SESSION_REF_RE
from bot.timefmt import local_to_utc

WHERE = f"({ROS_SHEET} sheet)"


@dataclass
class RosPlan:
    """The segments the Run of show sheet gives one session (a schedule-sheet row or an existing session)."""

    row: Any  # schedule_xlsx.Row | None
    live: LiveSession | None
    length: int
    first_row: int
    segments: list[run_of_show_segments.SegmentInput] = field(default_factory=list)


def _int_cell(value: object, column: str, text: Callable[[object], str]) -> int:
    if isinstance(value, bool):
        raise ValueError(f"{column} '{value}' is not a whole number of minutes")
    if isinstance(value, (int, float)) and float(value).is_integer():
        return int(value)
    t = text(value)
    if not re.fullmatch(r"-?\d+", t):
        raise ValueError(f"{column} '{t[:40]}' is not a whole number of minutes")
    return int(t)


def _find_session(ref: str, rows: list[Any], session: Session, rules: Rules,
                  parse_time: Callable[[object, str], Any]) -> tuple[Any, LiveSession | None]:
    """A Session cell -> its schedule-sheet row, or an existing session; ValueError saying why not."""
    m = SESSION_REF_RE.match(ref)
    if m:
        try:
            start = local_to_utc(date.fromisoformat(m.group(1)), parse_time(m.group(2), "Session"), rules.tz)
        except (ValueError, OverflowError):
            raise ValueError(f"Session '{ref[:80]}': bad date or time (write it as YYYY-MM-DD HH:MM Title)") from None
        title = m.group(3).strip()
        for r in rows:
            if (r.title, r.starts_at) == (title, start):
                return r, None
        live = session.scalar(select(LiveSession).where(LiveSession.title == title, LiveSession.starts_at == start,
                                                        LiveSession.status != "cancelled"))
        if live is not None:
            # the session a schedule row edits (by its key, e.g. after a move) takes that row's times
            return next((r for r in rows if r.existing is not None and r.existing.id == live.id), None), live
        raise ValueError(f"no session '{title}' starting {m.group(1)} {m.group(2)} in the schedule sheet or the calendar")
    matches = [r for r in rows if r.title == ref]
    if len(matches) == 1:
        return matches[0], None
    if len(matches) > 1:
        raise ValueError(f"{len(matches)} schedule rows are called '{ref}'; write the Session as YYYY-MM-DD HH:MM {ref}")
    raise ValueError(f"no session called '{ref[:80]}' in the schedule sheet (for other sessions write YYYY-MM-DD HH:MM Title)")


def read_ros(session: Session, values_iter: Iterable[tuple[Any, ...]], rows: list[Any], rules: Rules, report: Any,
             *, text: Callable[[object], str], parse_time: Callable[[object, str], Any],
             started: Callable[[LiveSession], bool]) -> list[RosPlan]:
    """Parse and check the Run of show sheet, grouped per session; problems go to the report."""
    it = iter(values_iter)
    header = [text(v).lower() for v in next(it, ())]
    if header[:ROS_REQUIRED] != [h.lower() for h in ROS_HEADER[:ROS_REQUIRED]]:
        report.errors.append((1, f"{WHERE} the first row must be the header {', '.join(ROS_HEADER[:ROS_REQUIRED])} "
                                 f"(and optionally {ROS_HEADER[-1]})"))
        return []
    plans: dict[int, RosPlan] = {}
    skipped: set[int] = set()
    for number, values in enumerate(it, start=2):
        values = tuple(values) + (None,) * (len(ROS_HEADER) - len(values))
        if all(text(v) == "" for v in values[: len(ROS_HEADER)]):
            continue
        if number > MAX_ROWS:
            report.errors.append((number, f"{WHERE} more than {MAX_ROWS - 1} rows; split the file"))
            break
        problems: list[str] = []
        plan = None
        ref = text(values[0])
        if not ref:
            problems.append("Session is empty")
        else:
            try:
                row, live = _find_session(ref, rows, session, rules, parse_time)
                if row is None and live is not None and started(live):
                    if live.id not in skipped:
                        skipped.add(live.id)
                        report.skipped.append((number, f"{WHERE} {live.title} has already started; its run-of-show "
                                                       "was left as it is"))
                    continue
                key = id(row) if row is not None else -live.id  # type: ignore[union-attr]
                length = (int((row.ends_at - row.starts_at).total_seconds() // 60) if row is not None
                          else run_of_show_segments.length_min(live))  # type: ignore[arg-type]
                plan = plans.setdefault(key, RosPlan(row, live if row is None else None, length, number))
            except ValueError as exc:
                problems.append(str(exc))
        nums = []
        for col, name in ((1, "Offset (min)"), (2, "Duration (min)")):
            try:
                nums.append(_int_cell(values[col], name, text))
            except ValueError as exc:
                problems.append(str(exc))
        kind, title = run_of_show_segments.parse_label(text(values[3]))
        if not text(values[3]):
            problems.append("Segment is empty (e.g. Hook, Product block: serum, Flash deal, Giveaway, Q&A, Close)")
        lead_text = text(values[7]).lower().replace("-", "").replace(" ", "")
        lead = {"": None, "host": "host", "cohost": "cohost"}.get(lead_text, "?")
        if lead == "?":
            problems.append(f"Lead '{text(values[7])[:40]}' is not Host or Co-host")
            lead = None
        if plan is not None and len(nums) == 2:
            data = run_of_show_segments.SegmentInput(kind, nums[0], nums[1], title, text(values[4]) or None,
                                            text(values[5]) or None, text(values[6]) or None, lead)
            problems.extend(run_of_show_segments.check_segment(data, plan.length).values())
            if not problems:
                plan.segments.append(data)
        report.errors.extend((number, f"{WHERE} {p}") for p in problems)
    for plan in plans.values():
        for problem in run_of_show_segments.plan_problems(plan.segments, plan.length):
            report.errors.append((plan.first_row, f"{WHERE} {problem}"))
    return list(plans.values())
