"""One metric value at a time: numbers, money, rates, durations and dates as TikTok Shop exports write them.

Exports write values as numbers or as text like ``$1,205.33``, ``4.11%``, ``1.74K``, ``1m28s``; every value is parsed
exactly (Decimal, never float) and anything unparseable raises instead of becoming a silent zero. The consistency
checks between values (orders never above units sold, ...) are here too, shared by file import and the Slack modal.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from bot.db.metrics import SessionMetrics
from bot.services.validation import INT32_MAX, column_range



_UNKNOWN_TEXT = frozenset({"", "-", "--", "—", "–", "n/a", "na"})



# --------------------------------------------------------------------------- values

_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+", re.ASCII)  # '٣' is not a digit
_SUFFIX = {"k": Decimal(1_000), "m": Decimal(1_000_000), "b": Decimal(1_000_000_000)}


def _is_unknown(value: object) -> bool:
    """Blank, '-', '--', 'N/A' mean 'not reported', which is not zero."""
    return value is None or (isinstance(value, str) and value.strip().casefold() in _UNKNOWN_TEXT)


def _cell_number(value: object) -> Decimal | None:
    """A numeric cell as Decimal, or None if the cell isn't numeric.

    Floats go through 15 significant digits, the precision Excel itself keeps and
    shows, so 1205.33 stays 1205.33 and a stored 0.30000000000000004 is 0.3.
    """
    if isinstance(value, bool):
        raise ValueError("is TRUE/FALSE, not a number")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("is not a number")
        return Decimal(format(value, ".15g"))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError("is not a number")
        return value
    return None


def _text_number(text: str) -> Decimal:
    """'1,234.5' -> Decimal; thousands separators must be in the right places."""
    text = text.strip().replace("−", "-")
    if not _PLAIN_NUMBER.fullmatch(text):
        raise ValueError("is not a number")
    return Decimal(text.replace(",", ""))


def _number_with_suffix(text: str) -> Decimal:
    """'1.74K' -> 1740, '2.1M' -> 2100000: how TikTok abbreviates large figures."""
    text = text.strip()
    multiplier = _SUFFIX.get(text[-1:].casefold())
    if multiplier is not None:
        return _text_number(text[:-1]) * multiplier
    return _text_number(text)


def parse_count(value: object) -> int | None:
    """A whole count: 1234, '1,234', '1.74K', '2.1M'. 1.7405K is an error, not 1740."""
    if _is_unknown(value):
        return None
    number = _cell_number(value)
    if number is None:
        number = _number_with_suffix(_as_text(value))
    if number != number.to_integral_value():
        raise ValueError(f"is not a whole number (it works out to {number.normalize():f})")
    return int(number)


_CURRENCY_PREFIX = re.compile(r"^(?:US\$|\$|USD)\s*", re.IGNORECASE)
_CURRENCY_SUFFIX = re.compile(r"\s*USD$", re.IGNORECASE)


def parse_money_cents(value: object) -> int | None:
    """Dollars to whole cents, exactly: '$1,205.33' or 1205.33 -> 120533."""
    if _is_unknown(value):
        return None
    amount = _cell_number(value)
    if amount is None:
        text = _as_text(value).strip().replace("−", "-")
        sign = ""
        if text and text[0] in "+-":
            sign, text = text[0], text[1:].lstrip()
        text = _CURRENCY_SUFFIX.sub("", _CURRENCY_PREFIX.sub("", text))
        if text and text[0] in "+-":
            if sign:
                raise ValueError("is not an amount of money")
            sign, text = text[0], text[1:]
        try:
            amount = _number_with_suffix(text)
        except ValueError:
            raise ValueError("is not an amount of money") from None
        if sign == "-":
            amount = -amount
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise ValueError("has a fraction of a cent")
    return int(cents)


def parse_rate(value: object) -> Decimal | None:
    """A fraction: '4.11%' or 0.0411 -> Decimal('0.0411').

    A bare number above 1 is refused: '4.11' may mean 4.11% or 411%, and a guess
    could be off by 100x.
    """
    if _is_unknown(value):
        return None
    number = _cell_number(value)
    if number is None:
        text = _as_text(value).strip()
        if text.endswith("%"):
            try:
                return _text_number(text[:-1]).scaleb(-2)
            except ValueError:
                raise ValueError("is not a percentage") from None
        try:
            number = _text_number(text)
        except ValueError:
            raise ValueError("is not a percentage or a fraction") from None
    if number > 1:
        raise ValueError("is more than 1 without a % sign; write 4.11% or 0.0411")
    return number


_UNIT_DURATION = re.compile(
    r"(?:(?P<h>\d+(?:\.\d+)?)\s*(?:h|hrs?|hours?))?\s*"
    r"(?:(?P<m>\d+(?:\.\d+)?)\s*(?:m|mins?|minutes?))?\s*"
    r"(?:(?P<s>\d+(?:\.\d+)?)\s*(?:s|secs?|seconds?))?",
    re.IGNORECASE | re.ASCII,
)


def parse_duration_seconds(value: object) -> Decimal | None:
    """Seconds as Decimal from 3600, '18.28s', '1m28s', '1h2m3s', 'mm:ss', 'hh:mm:ss' or a time cell."""
    if _is_unknown(value):
        return None
    if isinstance(value, timedelta):
        return Decimal(value.days * 86400 + value.seconds) + Decimal(value.microseconds).scaleb(-6)
    if isinstance(value, time):
        whole = value.hour * 3600 + value.minute * 60 + value.second
        return Decimal(whole) + Decimal(value.microsecond).scaleb(-6)
    if isinstance(value, (datetime, date)):
        raise ValueError("is a date, not a duration")
    number = _cell_number(value)
    if number is not None:
        return number
    text = _as_text(value).strip()
    if _PLAIN_NUMBER.fullmatch(text):
        return _text_number(text)
    if ":" in text:
        return _clock_duration(text)
    match = _UNIT_DURATION.fullmatch(text)
    if not match or not any(match.group(g) for g in "hms"):
        raise ValueError("is not a duration (expected seconds, 1m28s, 1h2m3s, mm:ss or hh:mm:ss)")
    h, m, s = (Decimal(match.group(g) or 0) for g in "hms")
    return h * 3600 + m * 60 + s


def _clock_duration(text: str) -> Decimal:
    """'1:28' is mm:ss and '1:02:03' is hh:mm:ss; inner parts must be below 60."""
    parts = text.split(":")
    bad = ValueError("is not a duration (expected mm:ss or hh:mm:ss)")
    if len(parts) not in (2, 3) or not all(re.fullmatch(r"[0-9]+", p) for p in parts[:-1]):
        raise bad
    if not re.fullmatch(r"[0-9]+(?:\.[0-9]+)?", parts[-1]):
        raise bad
    numbers = [Decimal(p) for p in parts]
    if any(n >= 60 for n in numbers[1:]):
        raise ValueError("has minutes or seconds of 60 or more")
    total = Decimal(0)
    for n in numbers:
        total = total * 60 + n
    return total


_DATETIME_FORMATS = (
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %H:%M:%S",
    "%b %d, %Y %I:%M %p",
    "%B %d, %Y %I:%M %p",
)
_DATE_ONLY_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%m/%d/%Y")
_EXCEL_EPOCH = datetime(1899, 12, 30)


def parse_datetime(value: object) -> datetime | None:
    """A naive local datetime exactly as in the file (no time zone conversion)."""
    if _is_unknown(value):
        return None
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            raise ValueError("has a time zone; expected the studio's local time")
        return value
    if isinstance(value, date):
        raise ValueError("has a date but no time of day")
    if isinstance(value, time):
        raise ValueError("has a time of day but no date")
    number = _cell_number(value)
    if number is not None:
        return _excel_serial(number)
    text = re.sub(r"\s+", " ", _as_text(value).strip())
    text = re.sub(r"(?i)(\d)\s*([ap])\.?m\.?$", r"\1 \2M", text)
    for fmt in _DATETIME_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    for fmt in _DATE_ONLY_FORMATS:
        try:
            datetime.strptime(text, fmt)
        except ValueError:
            continue
        raise ValueError("has a date but no time of day")
    raise ValueError("is not a date and time (expected e.g. 2026-11-20 19:00 or 11/20/2026 7:00 PM)")


def _excel_serial(number: Decimal) -> datetime:
    """An Excel date serial (days since 1899-12-30), rounded to the second."""
    if not Decimal(20000) <= number <= Decimal(80000):  # 1954 .. 2119
        raise ValueError("is a number, not a date and time")
    seconds = int((number * 86400).to_integral_value())
    return _EXCEL_EPOCH + timedelta(seconds=seconds)


def _parse_text(value: object) -> str | None:
    if _is_unknown(value):
        return None
    return _as_text(value).strip()


def _as_text(value: object) -> str:
    """The cell as the associate sees it; floats without binary noise."""
    if value is None:
        return ""
    if isinstance(value, float):
        return format(value, ".15g")
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return str(value)


_PARSERS: dict[str, Callable[[object], object]] = {
    "text": _parse_text,
    "datetime": parse_datetime,
    "money": parse_money_cents,
    "count": parse_count,
    "rate": parse_rate,
    "duration": parse_duration_seconds,
}


# --------------------------------------------------------------------------- validation

_ORDERED_PAIRS = (
    ("orders", "units_sold", "orders ({a}) are more than units sold ({b}); every order has at least one unit"),
    ("unique_viewers", "views", "unique viewers ({a}) are more than views ({b}); every viewer makes a view"),
    (
        "product_clicks",
        "product_impressions",
        "product clicks ({a}) are more than product impressions ({b}); a product is shown before it is clicked",
    ),
    ("buyers", "orders", "buyers ({a}) are more than orders ({b}); every buyer places an order"),
)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, Decimal)) and not isinstance(value, bool)


def validate_metrics(values: Mapping[str, object]) -> list[tuple[str, str]]:
    """Consistency checks on one session's metrics, shared by file import and the Slack modal.

    Unknown (None) values are never checked; errors name the field that is off.
    """
    errors: list[tuple[str, str]] = []
    for name, value in values.items():
        if _is_number(value) and value < 0:  # type: ignore[operator]
            errors.append((name, "is negative; metrics can't be below zero"))
    for small, big, reason in _ORDERED_PAIRS:
        a, b = values.get(small), values.get(big)
        if _is_number(a) and _is_number(b) and a > b:  # type: ignore[operator]
            errors.append((small, reason.format(a=a, b=b)))
    start, end = values.get("start_time"), values.get("end_time")
    if isinstance(start, datetime) and isinstance(end, datetime) and end < start:
        errors.append(("end_time", "is before the start time"))
    return errors


# --------------------------------------------------------------------------- rows


# --------------------------------------------------------------------------- ranges

METRICS_EARLIEST, METRICS_LATEST = date(2016, 1, 1), date(2100, 12, 31)
"""A metrics row's start and end fall in this window (TikTok LIVE exports can't be older; later is a typo)."""
MAX_DURATION_SECONDS = 48 * 3600
MAX_MONEY_CENTS = 10**13  # $100 billion: far beyond any LIVE, far below the 64-bit column


def metric_problem(field: str, kind: str, value: object) -> str | None:
    """Why one parsed metric value is out of range, or None (None values are never out of range).

    A count is held to what its column stores (bot.services.validation.column_range), so a row error
    comes before a database overflow.
    """
    if value is None:
        return None
    if kind == "datetime" and isinstance(value, datetime):
        if not METRICS_EARLIEST <= value.date() <= METRICS_LATEST:
            return f"is outside {METRICS_EARLIEST.year}-{METRICS_LATEST.year}, the dates opsbot imports; check the year"
        return None
    if kind == "money" and isinstance(value, int) and abs(value) > MAX_MONEY_CENTS:
        return f"is more than ${MAX_MONEY_CENTS // 100:,}; check the number"
    if kind == "count" and isinstance(value, int):
        limits = column_range(getattr(SessionMetrics, field, None))
        limit = limits[1] if limits else INT32_MAX
        if value > limit:
            return f"is more than {limit:,}, the most opsbot can store for this column; check the number"
    if kind == "duration" and value > MAX_DURATION_SECONDS:  # type: ignore[operator]
        return f"is longer than {MAX_DURATION_SECONDS // 3600} hours; check the number"
    return None
