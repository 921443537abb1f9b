"""Parse TikTok Shop LIVE performance exports (xlsx or csv) into validated metric rows.

Pure module: no Slack, no database. Exports are messy (title rows above the
header, an explanation row under it, two header generations, values as numbers
or as text like ``$1,205.33``, ``4.11%``, ``1.74K``, ``1m28s``), so every value is
parsed exactly (Decimal, never float) and anything unparseable becomes a row
error instead of a silent zero. Header synonyms live in
``bot/data/metric_columns.toml`` so the associate can extend them.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from pathlib import Path

from bot.services.sheet_limits import metric_problem

__all__ = [
    "ColumnMapping",
    "MetricsFileError",
    "ParsedExport",
    "ParsedRow",
    "RowError",
    "load_column_mapping",
    "normalize_header",
    "parse_count",
    "parse_datetime",
    "parse_duration_seconds",
    "parse_money_cents",
    "parse_rate",
    "parse_rows",
    "validate_metrics",
]

HEADER_SEARCH_ROWS = 15
"""The header must be within this many rows from the top."""
MIN_HEADER_MATCHES = 3
"""A row is the header when at least this many cells are known column names."""
KINDS = frozenset({"text", "datetime", "money", "count", "rate", "duration"})
TOTAL_WORDS = frozenset({"total", "totals", "grandtotal", "summary", "sum", "overall"})
_UNKNOWN_TEXT = frozenset({"", "-", "--", "—", "–", "n/a", "na"})


class MetricsFileError(ValueError):
    """The file as a whole can't be used (unreadable, no header, no start time column)."""


class _NoHeaderError(MetricsFileError):
    """No header row found; lets the reader try another sheet or delimiter."""


# --------------------------------------------------------------------------- results


@dataclass
class ParsedRow:
    """One LIVE session's metrics; every canonical key is present, unknown = None."""

    row_number: int
    values: dict[str, object]


@dataclass
class RowError:
    """A cell the associate must fix; row is the spreadsheet's 1-based row number."""

    row_number: int
    column: str
    value: str
    reason: str


@dataclass
class ParsedExport:
    """Everything parsed from one file; import only when ``ok`` (all-or-nothing)."""

    header_row: int
    columns: dict[str, str]
    unknown_columns: list[str]
    ignored_columns: list[str]
    rows: list[ParsedRow]
    errors: list[RowError]
    skipped_rows: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


# --------------------------------------------------------------------------- mapping


@dataclass(frozen=True)
class ColumnMapping:
    """Header synonyms from the data file, keyed by normalized header text."""

    kinds: dict[str, str]  # canonical field -> kind
    headers: dict[str, str]  # normalized header -> canonical field
    ignored: dict[str, str]  # normalized header -> reason it is not stored


def normalize_header(text: object) -> str:
    """Case-, spacing- and punctuation-insensitive key: 'Avg. view duration' -> 'avgviewduration'."""
    return re.sub(r"[^0-9a-z]", "", str(text).casefold())


def _default_mapping_text() -> str:
    return resources.files("bot").joinpath("data/metric_columns.toml").read_text("utf-8")


@lru_cache(maxsize=8)
def load_column_mapping(path: Path | None = None) -> ColumnMapping:
    """Read and check the mapping file; a spelling claimed twice is a setup error, not a guess."""
    text = path.read_text("utf-8") if path else _default_mapping_text()
    data = tomllib.loads(text)
    kinds: dict[str, str] = {}
    headers: dict[str, str] = {}
    ignored: dict[str, str] = {}
    owner: dict[str, str] = {}

    def claim(spelling: str, who: str) -> str:
        key = normalize_header(spelling)
        if not key:
            raise ValueError(f"metric_columns: empty header spelling {spelling!r} in {who}")
        if key in owner:
            raise ValueError(f"metric_columns: {spelling!r} is listed in both {owner[key]} and {who}")
        owner[key] = who
        return key

    for name, spec in data.get("fields", {}).items():
        kind = spec.get("kind")
        if kind not in KINDS:
            raise ValueError(f"metric_columns: field {name} has unknown kind {kind!r}")
        kinds[name] = kind
        for spelling in spec.get("headers", []):
            headers[claim(spelling, f"fields.{name}")] = name
    for spelling, reason in data.get("ignored", {}).items():
        ignored[claim(spelling, "ignored")] = str(reason)
    if kinds.get("start_time") != "datetime":
        raise ValueError("metric_columns: fields.start_time (kind datetime) is required")
    return ColumnMapping(kinds=kinds, headers=headers, ignored=ignored)


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


def _find_header(rows: Sequence[Sequence[object]], mapping: ColumnMapping) -> int:
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        known = sum(
            1
            for cell in row
            if isinstance(cell, str) and (key := normalize_header(cell)) and (key in mapping.headers or key in mapping.ignored)
        )
        if known >= MIN_HEADER_MATCHES:
            return index
    raise _NoHeaderError(
        f"No header row found in the first {HEADER_SEARCH_ROWS} rows. "
        "Expected column names such as 'Start time', 'Gross revenue' and 'Views'."
    )


def _cell(row: Sequence[object], index: int) -> object:
    return row[index] if index < len(row) else None


def _parses(parser: Callable[[object], object], value: object) -> bool:
    try:
        parser(value)
    except ValueError:
        return False
    return True


def parse_rows(rows: Iterable[Sequence[object]]) -> ParsedExport:
    """The core: raw cell values (row 1 first) -> a ParsedExport with row-level errors."""
    table = [list(row) for row in rows]
    mapping = load_column_mapping()
    header_index = _find_header(table, mapping)

    columns: dict[str, str] = {}
    positions: dict[str, tuple[int, str]] = {}  # canonical -> (column index, header as written)
    unknown: list[str] = []
    ignored: list[str] = []
    for index, cell in enumerate(table[header_index]):
        if _is_unknown(cell) or not str(cell).strip():
            continue
        written = str(cell).strip()
        key = normalize_header(written)
        canonical = mapping.headers.get(key)
        if canonical is None:
            (ignored if key in mapping.ignored else unknown).append(written)
            continue
        if canonical in positions:
            raise MetricsFileError(
                f"Columns '{positions[canonical][1]}' and '{written}' both mean {canonical}; "
                "remove one and upload again."
            )
        positions[canonical] = (index, written)
        columns[written] = canonical
    if "start_time" not in positions:
        raise MetricsFileError(
            f"No start time column in the header (row {header_index + 1}); "
            "add a 'Start time' column so each row can be matched to its LIVE session."
        )

    result = ParsedExport(
        header_row=header_index + 1,
        columns=columns,
        unknown_columns=unknown,
        ignored_columns=ignored,
        rows=[],
        errors=[],
    )
    start_index = positions["start_time"][0]
    title_index = positions["title"][0] if "title" in positions else None

    for index in range(header_index + 1, len(table)):
        row = table[index]
        row_number = index + 1
        if all(_is_unknown(c) or (isinstance(c, str) and not c.strip()) for c in row):
            continue
        if _is_total_row(row, start_index, title_index):
            result.skipped_rows.append((row_number, "total row"))
            continue
        if index == header_index + 1 and _is_explanation_row(row, positions, mapping):
            result.skipped_rows.append((row_number, "explanation row under the header"))
            continue
        _parse_data_row(row, row_number, positions, mapping, result)
    return result


def _is_total_row(row: Sequence[object], start_index: int, title_index: int | None) -> bool:
    """'Total' in the title (or first) cell and no start time: a summary line, not a LIVE."""
    first = next((c for c in row if not _is_unknown(c)), None)
    label = _cell(row, title_index) if title_index is not None else None
    if not any(isinstance(c, str) and normalize_header(c) in TOTAL_WORDS for c in (label, first)):
        return False
    start = _cell(row, start_index)
    return _is_unknown(start) or not _parses(parse_datetime, start)


def _is_explanation_row(
    row: Sequence[object], positions: Mapping[str, tuple[int, str]], mapping: ColumnMapping
) -> bool:
    """Text like 'Total revenue of the LIVE' under the header: nothing in it parses as a value.

    At least two such cells are required so a single bad data row is reported, not hidden.
    """
    failing = 0
    for canonical, (index, _) in positions.items():
        kind = mapping.kinds[canonical]
        value = _cell(row, index)
        if kind == "text" or _is_unknown(value):
            continue
        if _parses(_PARSERS[kind], value):
            return False
        failing += 1
    return failing >= 2


def _parse_data_row(
    row: Sequence[object],
    row_number: int,
    positions: Mapping[str, tuple[int, str]],
    mapping: ColumnMapping,
    result: ParsedExport,
) -> None:
    values: dict[str, object] = dict.fromkeys(mapping.kinds)
    for canonical, (index, written) in positions.items():
        raw = _cell(row, index)
        try:
            values[canonical] = _PARSERS[mapping.kinds[canonical]](raw)
        except ValueError as exc:
            result.errors.append(RowError(row_number, written, _as_text(raw), str(exc)))
            continue
        if (problem := metric_problem(canonical, mapping.kinds[canonical], values[canonical])) is not None:
            result.errors.append(RowError(row_number, written, _as_text(raw), problem))
            values[canonical] = None
    if values["start_time"] is None and _is_unknown(_cell(row, positions["start_time"][0])):
        written = positions["start_time"][1]
        result.errors.append(RowError(row_number, written, "", "is missing; every LIVE needs a start time"))
    for canonical, reason in validate_metrics(values):
        index, written = positions[canonical]
        result.errors.append(RowError(row_number, written, _as_text(_cell(row, index)), reason))
    result.rows.append(ParsedRow(row_number=row_number, values=values))

