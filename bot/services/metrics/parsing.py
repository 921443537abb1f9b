"""Parse TikTok Shop LIVE performance exports (rows of cells) into validated metric rows.

Pure module: no Slack, no database. Exports are messy (title rows above the header, an explanation row under it,
two header generations), so the header is found by its known column names (synonyms in
``bot/data/metric_columns.toml``, which the associate can extend) and each cell goes through values.py.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from bot.services.metrics.values import metric_problem, _PARSERS, _as_text, _is_unknown, parse_datetime, validate_metrics


HEADER_SEARCH_ROWS = 15
"""The header must be within this many rows from the top."""
MIN_HEADER_MATCHES = 3
"""A row is the header when at least this many cells are known column names."""
KINDS = frozenset({"text", "datetime", "money", "count", "rate", "duration"})
TOTAL_WORDS = frozenset({"total", "totals", "grandtotal", "summary", "sum", "overall"})



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



