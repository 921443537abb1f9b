"""Reading a LIVE metrics export file (.xlsx through the one safe workbook opener, or .csv) into parsed rows.

The row parsing and value checks are parsing.py's and values.py's; this module only gets the cells out of the file, and turns an
unreadable file into MetricsFileError in plain words.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from bot.services.metrics.parsing import MetricsFileError, ParsedExport, _NoHeaderError, parse_rows
from bot.services.workbooks import Limits, UnreadableWorkbook, open_workbook, rows


def parse_export(path: Path | str, *, filename: str | None = None, limits: Limits | None = None) -> ParsedExport:
    """Read an .xlsx or .csv export; ``filename`` gives the real name when ``path`` is a temp file."""
    path = Path(path)
    name = filename or path.name
    suffix = Path(name).suffix.casefold()
    if suffix in (".xlsx", ".xlsm"):
        return _parse_xlsx(path, name, limits)
    if suffix == ".csv":
        return _parse_csv(path, name)
    if suffix == ".xls":
        raise MetricsFileError(f"'{name}' is an old .xls file; open it in Excel and save it as .xlsx, then upload again.")
    raise MetricsFileError(f"'{name}' is not an .xlsx or .csv file; download the LIVE export as Excel or CSV.")


def _parse_xlsx(path: Path, name: str, limits: Limits | None) -> ParsedExport:
    """Open the file through the one safe opener (size limits, read-only), then read it."""
    try:
        with open_workbook(path, name=name, limits=limits) as workbook:
            return parse_workbook(workbook, name)
    except UnreadableWorkbook as exc:
        raise MetricsFileError(str(exc)) from None


def parse_workbook(workbook: object, name: str) -> ParsedExport:
    """Try each sheet of an opened workbook in order; the first with a header row wins (a damaged sheet is
    UnreadableWorkbook, which _parse_xlsx turns into MetricsFileError)."""
    first_error: _NoHeaderError | None = None
    for sheet in workbook.worksheets:  # type: ignore[attr-defined]
        try:
            return parse_rows(rows(sheet, name))
        except _NoHeaderError as exc:
            first_error = first_error or exc
    raise first_error or _NoHeaderError(f"'{name}' has no sheets.")


def _parse_csv(path: Path, name: str) -> ParsedExport:
    """Decode (UTF-8 with or without BOM, else Windows-1252) and try common delimiters."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise MetricsFileError(f"Could not read '{name}'.") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise MetricsFileError(f"Could not read '{name}' as text; export it again as CSV (UTF-8).") from exc
    first_error: _NoHeaderError | None = None
    for delimiter in (",", "\t", ";"):
        try:
            return parse_rows(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
        except _NoHeaderError as exc:
            first_error = first_error or exc
        except csv.Error as exc:
            raise MetricsFileError(f"Could not read '{name}' as CSV: {exc}; export it again as CSV and upload again.") from exc
    assert first_error is not None
    raise first_error
