"""Showing UTC instants in the team time zone, the way people on set read them."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo


def to_local(instant: datetime, tz: ZoneInfo) -> datetime:
    return ensure_utc(instant).astimezone(tz)


def ensure_utc(instant: datetime) -> datetime:
    """Aware UTC; a naive value is taken as UTC (SQLite drops offsets)."""
    if instant.tzinfo is None:
        return instant.replace(tzinfo=timezone.utc)
    return instant.astimezone(timezone.utc)


def local_date(instant: datetime, tz: ZoneInfo) -> date:
    return to_local(instant, tz).date()


def local_to_utc(day: date, at: time, tz: ZoneInfo) -> datetime:
    """A wall-clock time in the team zone as UTC. In the DST gap the time is moved forward; in the overlap the first occurrence wins."""
    naive = datetime.combine(day, at)
    aware = naive.replace(tzinfo=tz, fold=0)
    # A time inside the spring-forward gap does not round-trip: shift it past the gap.
    if aware.astimezone(timezone.utc).astimezone(tz).replace(tzinfo=None) != naive:
        aware = (naive + timedelta(hours=1)).replace(tzinfo=tz)
    return aware.astimezone(timezone.utc)


def day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants a local day starts and ends (23 or 25 hours long on DST days)."""
    start = datetime.combine(day, time(0), tzinfo=tz).astimezone(timezone.utc)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(timezone.utc)
    return start, end


def fmt_time(instant: datetime, tz: ZoneInfo) -> str:
    """'9:05 AM'"""
    local = to_local(instant, tz)
    return local.strftime("%I:%M %p").lstrip("0")


def fmt_day(day: date) -> str:
    """'Wed Nov 25'"""
    return f"{day.strftime('%a %b')} {day.day}"


def fmt_day_time(instant: datetime, tz: ZoneInfo) -> str:
    """'Wed Nov 25, 9:05 AM': the one way a moment is shown (12-hour, as the team reads it on set)."""
    return f"{fmt_day(local_date(instant, tz))}, {fmt_time(instant, tz)}"


def fmt_datetime(instant: datetime, tz: ZoneInfo) -> str:
    """'Wed Nov 25, 9:05 AM PST'"""
    local = to_local(instant, tz)
    return f"{fmt_day(local.date())}, {fmt_time(instant, tz)} {local.tzname()}"


def fmt_span(start: datetime, end: datetime | None, tz: ZoneInfo) -> str:
    """'Wed Nov 25, 9:05 PM – Thu Nov 26, 5:10 AM PST' (the date is repeated only when it changes)."""
    if end is None:
        return f"{fmt_datetime(start, tz)} – (open)"
    ls, le = to_local(start, tz), to_local(end, tz)
    if ls.date() == le.date():
        return f"{fmt_day(ls.date())}, {fmt_time(start, tz)} – {fmt_time(end, tz)} {le.tzname()}"
    return f"{fmt_day(ls.date())}, {fmt_time(start, tz)} – {fmt_day(le.date())}, {fmt_time(end, tz)} {le.tzname()}"


def fmt_duration(delta: timedelta) -> str:
    """'8h 05m' (whole minutes, rounded down: payroll never rounds up silently)."""
    minutes = max(0, int(delta.total_seconds() // 60))
    return f"{minutes // 60}h {minutes % 60:02d}m"


def hours_decimal(delta: timedelta) -> float:
    """Hours to two decimals, for display and exports (not for money)."""
    return round(delta.total_seconds() / 3600, 2)
