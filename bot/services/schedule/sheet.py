"""The calendar workbook's layout, shared by its export (export.py) and its import (xlsx.py).

The schedule sheet's first eight columns are what people plan with; the three trailing ones are written by the
export for the round trip and may be left out of a hand-made file:
- Session key: the session's ID. A row with a key edits that session, even when its date, start or title changed
  (so a moved row moves the session instead of adding a second one).
- Host ID, PA ID: the Slack user IDs behind the names in Host and PA, so two people with one name stay apart.
"""

from __future__ import annotations

import re
from datetime import date, time

from bot.db.models import Person
from bot.services.validation import PLAN_WINDOW

HEADER = ["Date", "Start", "End", "Session", "Product tier", "Host", "PA", "Notes"]
KEY, HOST_ID, PA_ID = "Session key", "Host ID", "PA ID"
TRAILING = [KEY, HOST_ID, PA_ID]
ROS_SHEET = "Run of show"
ROS_HEADER = ["Session", "Offset (min)", "Duration (min)", "Segment", "SKU", "Offer", "Talking points", "Lead"]
ROS_REQUIRED = 7  # the Lead column may be left out
MAX_ROWS = 2000
NEXT_DAY_FORMAT = 'hh:mm "(next day)"'
"""The End cell of a LIVE that ends after midnight: still a time (it round-trips), shown as '01:00 (next day)'."""
SESSION_REF_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})\s+(\d{1,2}:\d{2})\s+(.+)$", re.DOTALL)


def session_ref(day: date, start: time, title: str) -> str:
    """How the Run of show sheet names a session: date and start in the team time zone, then the title."""
    return f"{day.isoformat()} {start:%H:%M} {title}"


def person_name(p: Person | None) -> str:
    """What the Host and PA cells show: the person's name (the ID goes in the trailing column)."""
    return p.name if p is not None else ""


def session_day_problem(day: date, today: date) -> str | None:
    """Why a calendar row's date is refused, or None: the same window as a session planned in Slack."""
    first, last = PLAN_WINDOW.bounds(today)
    if day < first:
        return f"date {day.isoformat()} is more than a year ago (the calendar takes dates from a year back to two years ahead)"
    if day > last:
        return f"date {day.isoformat()} is more than two years ahead (the calendar takes dates up to two years ahead)"
    return None
