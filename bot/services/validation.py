"""One place that turns what a person typed or picked into dates, times, weeks and numbers, or refuses it.

Why: Slack datepickers go up to year 9999, a forged payload can carry 2026-02-30 or 25:99, int() accepts
Unicode digits such as '٣', and the database refuses an Integer above 2**31-1. Every such value is refused
here, before it reaches arithmetic or the database, with an InputError whose message names the limit.
InputError is an Invalid (handlers show it as a modal field error on `field`, or as a private message) and
a ValueError (so code that already catches ValueError keeps working).

Plain functions, no Slack: handlers, services, the CLI and spreadsheet imports share them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import BigInteger, Integer, Numeric, SmallInteger

from bot.services.errors import Invalid

INT32_MAX = 2**31 - 1  # SQLAlchemy Integer on PostgreSQL
INT64_MAX = 2**63 - 1  # BigInteger
INT16_MAX = 2**15 - 1  # SmallInteger
_MAX_DIGITS = 30  # longer than any column holds; refused before int() sees it

_INT_RE = re.compile(r"[+-]?[0-9]+")
_DEC_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_DATE_RE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_TIME_RE = re.compile(r"([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?")
_WEEK_RE = re.compile(r"([0-9]{4})-?W([0-9]{1,2})", re.IGNORECASE)


class InputError(Invalid, ValueError):
    """A value a person gave is malformed or out of range. `field` is the form block it belongs to, if any."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message, {field: message[:150]} if field else None)
        self.field = field

    def on(self, field: str) -> InputError:
        """The same refusal attached to another form block (e.g. the date picker next to a time picker)."""
        return InputError(self.message, field)


@dataclass(frozen=True)
class Window:
    """How far before and after today a date may be; `what` names it in the refusal."""

    back: timedelta
    ahead: timedelta
    what: str

    def bounds(self, today: date) -> tuple[date, date]:
        return today - self.back, today + self.ahead


# Sessions, weeks, time off and due dates: one year back, two years ahead.
PLAN_WINDOW = Window(timedelta(days=365), timedelta(days=731), "1 year back to 2 years ahead")
# Reports over past records (approvals export): ten years back, a year ahead.
ARCHIVE_WINDOW = Window(timedelta(days=3653), timedelta(days=366), "10 years back to 1 year ahead")
# A time entry correction stays within this of the entry's original clock-in.
ENTRY_CORRECTION = timedelta(days=31)


def is_ascii_digits(text: str) -> bool:
    """True for '0'..'9' only: str.isdigit() also accepts '²' and '٣', which int() rejects or misreads."""
    return bool(text) and text.isascii() and text.isdigit()


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


# -- numbers -----------------------------------------------------------------------------------

def parse_int(value: Any, *, field: str | None = None, label: str = "The number",
              minimum: int | None = None, maximum: int = INT32_MAX) -> int:
    """A whole number written with ASCII digits (optional sign), within [minimum, maximum]."""
    if isinstance(value, bool):
        raise InputError(f"{label} must be a whole number.", field)
    if isinstance(value, int):
        number = value
    else:
        text = _text(value)
        if not text:
            raise InputError(f"{label} is missing; enter a whole number.", field)
        if not _INT_RE.fullmatch(text):
            raise InputError(f"{label} must be a whole number written with the digits 0-9.", field)
        if len(text.lstrip("+-")) > _MAX_DIGITS:
            raise InputError(f"{label} is too large: the most is {maximum:,}.", field)
        number = int(text)
    check_range(number, field=field, label=label, minimum=minimum, maximum=maximum)
    return number


def parse_decimal(value: Any, *, field: str | None = None, label: str = "The number", places: int = 2,
                  minimum: Decimal | int | None = None, maximum: Decimal | int | None = None) -> Decimal:
    """A decimal number in ASCII digits with at most `places` decimals, within [minimum, maximum]."""
    text = _text(value)
    if not _DEC_RE.fullmatch(text):
        raise InputError(f"{label} must be a number written with the digits 0-9.", field)
    if len(text) > _MAX_DIGITS + places + 2:
        raise InputError(f"{label} is too large.", field)
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise InputError(f"{label} must be a number.", field) from None
    try:
        rounded = number.quantize(Decimal(1).scaleb(-places))
    except InvalidOperation:  # more digits than Decimal's 28-digit context: far beyond any column
        raise InputError(f"{label} is too large.", field) from None
    if number != rounded:
        raise InputError(f"{label} has more than {places} decimal places.", field)
    check_range(number, field=field, label=label, minimum=minimum, maximum=maximum)
    return number


def check_range(number: int | Decimal, *, field: str | None = None, label: str = "The number",
                minimum: int | Decimal | None = None, maximum: int | Decimal | None = None) -> None:
    """Refuse a number outside [minimum, maximum] with a message naming the limit."""
    if minimum is not None and number < minimum:
        raise InputError(f"{label} can't be below {_fmt(minimum)}.", field)
    if maximum is not None and number > maximum:
        raise InputError(f"{label} is too large: the most is {_fmt(maximum)}.", field)


def _fmt(n: int | Decimal) -> str:
    return f"{n:,}" if isinstance(n, int) or n == n.to_integral_value() else f"{n:,f}"


def parse_id(value: Any, *, field: str | None = None, what: str = "record") -> int:
    """A record number from a button, a select option or private_metadata; forged values are refused."""
    text = _text(value).lstrip("#")
    if not is_ascii_digits(text) or len(text) > 10 or not 1 <= int(text) <= INT32_MAX:
        raise InputError(f"That {what} doesn't exist; reopen the form and pick it again.", field)
    return int(text)


_USER_RE = re.compile(r"[UW][A-Z0-9]{2,31}")


def slack_user_id(value: Any, *, field: str | None = None) -> str:
    """A Slack user ID from a users_select ('U0123ABCD'); anything else (forged, over-long) is refused."""
    text = _text(value)
    if not _USER_RE.fullmatch(text):
        raise InputError("That isn't a Slack user; pick the person again.", field)
    return text


def column_range(column: Any) -> tuple[int | Decimal, int | Decimal] | None:
    """The smallest and largest number a mapped column can store (Integer, BigInteger, SmallInteger, Numeric)."""
    col_type = getattr(column, "type", column)
    if isinstance(col_type, BigInteger):
        return -INT64_MAX - 1, INT64_MAX
    if isinstance(col_type, SmallInteger):
        return -INT16_MAX - 1, INT16_MAX
    if isinstance(col_type, Integer):
        return -INT32_MAX - 1, INT32_MAX
    if isinstance(col_type, Numeric) and col_type.precision is not None:
        scale = col_type.scale or 0
        top = Decimal(10) ** (col_type.precision - scale) - Decimal(1).scaleb(-scale)
        return -top, top
    return None


def check_column(column: Any, value: int | Decimal | None, *, field: str | None = None,
                 label: str = "The number", scale: int | Decimal = 1, unit: str = "") -> None:
    """Refuse a value the column can't hold. `scale` converts the stored unit to the shown one
    (cents shown as dollars: scale=100), so the limit is named as the person typed it."""
    limits = column_range(column)
    if value is None or limits is None:
        return
    low, high = limits
    if value > high:
        raise InputError(f"{label} is too large: the most opsbot can store is {_fmt(_shown(high, scale))}{unit}.", field)
    if value < low:
        raise InputError(f"{label} is too small: the least opsbot can store is {_fmt(_shown(low, scale))}{unit}.", field)


def _shown(n: int | Decimal, scale: int | Decimal) -> int | Decimal:
    if scale == 1:
        return n
    return (Decimal(n) / Decimal(scale)).quantize(Decimal("0.01"))


# -- dates and times ---------------------------------------------------------------------------

def parse_date(value: Any, *, field: str | None = None, label: str = "The date", today: date | None = None,
               window: Window = PLAN_WINDOW) -> date:
    """'2026-11-20' (ASCII, a real calendar day); within `window` of `today` when today is given."""
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    else:
        text = _text(value)
        m = _DATE_RE.fullmatch(text)
        if not m:
            raise InputError(f"{label} must be a date like 2026-11-20.", field)
        try:
            day = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            raise InputError(f"{label}: {text[:10]} is not a day on the calendar.", field) from None
    if today is not None:
        check_window(day, today, window, field=field, label=label)
    return day


def check_window(day: date, today: date, window: Window = PLAN_WINDOW, *, field: str | None = None,
                 label: str = "The date") -> None:
    """Refuse a day outside the window around today, naming the first and last day allowed."""
    first, last = window.bounds(today)
    if not first <= day <= last:
        raise InputError(f"{label} must be between {first.isoformat()} and {last.isoformat()} ({window.what}).", field)


def parse_time(value: Any, *, field: str | None = None, label: str = "The time") -> time:
    """'18:30' or '18:30:00' in ASCII digits, hours 0-23 and minutes 0-59."""
    if isinstance(value, time):
        return value
    text = _text(value)
    m = _TIME_RE.fullmatch(text)
    if not m:
        raise InputError(f"{label} must be a time like 18:30.", field)
    hour, minute, second = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
    if hour > 23 or minute > 59 or second > 59:
        raise InputError(f"{label}: {text[:8]} is not a time of day (00:00 to 23:59).", field)
    return time(hour, minute, second)


def check_near(value: datetime, anchor: datetime, limit: timedelta, *, field: str | None = None,
               label: str = "The time", anchor_name: str = "the original") -> None:
    """Refuse a datetime more than `limit` away from `anchor` (e.g. a correction far from the entry)."""
    if abs(value - anchor) > limit:
        raise InputError(f"{label} must be within {limit.days} days of {anchor_name}.", field)


# -- ISO weeks ---------------------------------------------------------------------------------

def parse_week(text: Any, *, field: str | None = None, today: date | None = None,
               window: Window = PLAN_WINDOW) -> date:
    """'2026-W45' (also '2026W45', '2026-w5') -> the Monday of that ISO week; the one week parser.

    With `today`, the week's Monday must lie within `window` of today (a week is what a person asked for);
    without it only the format and the week's existence are checked (periods stored by the bot itself).
    """
    raw = _text(text)
    m = _WEEK_RE.fullmatch(raw)
    if not m:
        raise InputError(f"'{raw[:20]}' is not an ISO week; write it like 2026-W45.", field)
    try:
        monday = date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
    except ValueError:
        raise InputError(f"{raw} does not exist (weeks run 1 to 52 or 53).", field) from None
    if today is not None:
        first, last = window.bounds(today)
        if not first - timedelta(days=6) <= monday <= last:
            raise InputError(f"{raw} is out of range: pick a week from {week_label(first)} to {week_label(last)} "
                             f"({window.what}).", field)
    return monday


def week_label(day: date) -> str:
    """The ISO week a day falls in, as '2026-W45'."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def parse_week_or_monday(value: Any, *, field: str | None = None, today: date | None = None) -> date:
    """A week from a button value: an ISO week or its Monday as a date ('2026-10-26'); always a Monday."""
    text = _text(value)
    day = parse_date(text, field=field, label="The week", today=today) if _DATE_RE.fullmatch(text) else \
        parse_week(text, field=field, today=today)
    return day - timedelta(days=day.weekday())
