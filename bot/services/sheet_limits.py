"""The ranges a spreadsheet import accepts, so an out-of-range cell is a row error instead of an overflow.

Small and local on purpose: user input typed in Slack is checked elsewhere (bot/services/validation.py); these are
the same ideas for cells, named here until the two are folded together.
"""

from __future__ import annotations

from datetime import date, datetime

SESSION_PAST_DAYS = 366
SESSION_FUTURE_DAYS = 2 * 366
"""A calendar row is dated at most a year back and two years ahead of today."""
METRICS_EARLIEST, METRICS_LATEST = date(2016, 1, 1), date(2100, 12, 31)
"""A metrics row's start and end fall in this window (TikTok LIVE exports can't be older; later is a typo)."""
INT_MAX = 2_147_483_647
"""Counts are stored in 32-bit columns."""
BIGINT_MAX = 9_223_372_036_854_775_807
BIG_COLUMNS = frozenset({"gmv_cents", "direct_gmv_cents", "product_impressions", "likes"})
"""The metric columns stored as 64-bit integers; every other count is 32-bit."""
MAX_DURATION_SECONDS = 48 * 3600
MAX_MONEY_CENTS = 10**13  # $100 billion: far beyond any LIVE, far below the 64-bit column


def session_day_problem(day: date, today: date) -> str | None:
    """Why a calendar row's date is refused, or None."""
    if (today - day).days > SESSION_PAST_DAYS:
        return f"date {day.isoformat()} is more than a year ago (the calendar takes dates from a year back to two years ahead)"
    if (day - today).days > SESSION_FUTURE_DAYS:
        return f"date {day.isoformat()} is more than two years ahead (the calendar takes dates up to two years ahead)"
    return None


def metric_problem(field: str, kind: str, value: object) -> str | None:
    """Why one parsed metric value is out of range, or None (None values are never out of range)."""
    if value is None:
        return None
    if kind == "datetime" and isinstance(value, datetime):
        if not METRICS_EARLIEST <= value.date() <= METRICS_LATEST:
            return f"is outside {METRICS_EARLIEST.year}-{METRICS_LATEST.year}, the dates opsbot imports; check the year"
        return None
    if kind == "money" and isinstance(value, int) and abs(value) > MAX_MONEY_CENTS:
        return f"is more than ${MAX_MONEY_CENTS // 100:,}; check the number"
    if kind == "count" and isinstance(value, int):
        limit = BIGINT_MAX if field in BIG_COLUMNS else INT_MAX
        if value > limit:
            return f"is more than {limit:,}, the most opsbot can store for this column; check the number"
    if kind == "duration" and value > MAX_DURATION_SECONDS:  # type: ignore[operator]
        return f"is longer than {MAX_DURATION_SECONDS // 3600} hours; check the number"
    return None
